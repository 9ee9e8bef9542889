package org.paravane.emulated.cpu.exec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.TestVm;

/** RDRAND/RDSEED at CPL 3: CF set, the other arithmetic flags clear, a fresh value each time, narrow forms' widths. */
class RandomOpsTest {

    @Test
    void eachReadGivesAFreshValueWithOnlyCarrySet() {
        try (TestVm t = new TestVm()) {
            Vcpu v = t.start(0, 3, """
                    mov rsi, -1
                    rdrand rax
                    pushfq
                    pop rdx
                    and edx, 0x8d5
                    rdseed rcx
                    mov si, 0
                    rdrand si
                    shr rsi, 16
                    rdrand r8d
                    shr r8, 32
                    xor ebx, ebx
                    cmp rax, rcx
                    setne bl
                    shl rdx, 8
                    or rbx, rdx
                    shl rsi, 16
                    or rbx, rsi
                    or rbx, r8
                    mov rax, rbx
                    mov [0xF0000000], rax
                    """);
            // flags 0x001 << 8, values differ (1), RSI's upper 48 bits kept (0xFFFF_FFFF_FFFF << 16), R8 upper half 0
            assertThat(t.runToResult(v)).isEqualTo(0xFFFF_FFFF_FFFF_0000L | 0x100 | 1);
        }
    }
}
