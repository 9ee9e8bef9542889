package org.paravane.emulated.cpu.exec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.TestVm;

/**
 * REP string instructions run at full speed (not single-stepped, as the differential tests run them), where forward
 * MOVS and STOS take the page-at-a-time bulk path: every other REP form must not (a REP LODS once read host address 0
 * there and brought the whole JVM down).
 */
class RepeatedStringTest {
    final TestVm t = new TestVm();

    @AfterEach
    void close() {
        t.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"b", "w", "d", "q"})
    void repLodsLoadsTheLastElementAndAdvances(String size) {
        int bytes = switch (size) { case "b" -> 1; case "w" -> 2; case "d" -> 4; default -> 8; };
        Vcpu v = t.start(0, 3, String.join("\n",
                "lea rsi, [rip + data]",
                "mov byte ptr [rsi + " + 16 * bytes + "], 0x5a",
                "mov rbx, rsi",
                "mov ecx, 17",
                "cld",
                "rep lods" + size,
                "sub rsi, rbx",
                "shl rsi, 32",
                "movzx eax, al",
                "or rax, rsi",
                "or rax, rcx",
                "mov [0xF0000000], rax",
                "hlt",
                ".balign 64",
                "data: .fill 256, 1, 0",
                ".byte 0"));
        long result = t.runToResult(v);
        assertThat(result >>> 32).as("RSI advanced by 17 elements").isEqualTo(17L * bytes);
        assertThat(result & 0xFFFF_FFFFL).as("AL of the 17th element, RCX 0").isEqualTo(0x5a);
    }
}
