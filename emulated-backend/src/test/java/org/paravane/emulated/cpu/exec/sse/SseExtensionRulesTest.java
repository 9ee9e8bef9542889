package org.paravane.emulated.cpu.exec.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.testing.TestVm;

/**
 * SSE3, SSSE3 and SSE4.1 follow the SSE rules: #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS, #GP(0) on a
 * misaligned 16-byte operand of the aligned forms, #XM (#UD without CR4.OSXMMEXCPT) for an unmasked exception with
 * the destination unchanged. (Their results are compared with the host CPU by the difftest module.)
 */
class SseExtensionRulesTest {
    final TestVm t = new TestVm();

    @AfterEach
    void close() {
        t.close();
    }

    static final String[] ONE_PER_FAMILY = {"haddps xmm0, xmm1", "movddup xmm0, xmm1", "pshufb xmm0, xmm1",
            "palignr xmm0, xmm1, 3", "pmovsxbw xmm0, xmm1", "ptest xmm0, xmm1", "pminsd xmm0, xmm1", "roundsd xmm0, xmm1, 1",
            "dpps xmm0, xmm1, 0xff", "pextrb eax, xmm1, 3", "pinsrq xmm0, rax, 1", "insertps xmm0, xmm1, 0x10",
            "pblendvb xmm2, xmm1, xmm0", "mpsadbw xmm0, xmm1, 5"};

    private Vcpu start(String source, int mxcsr) {
        Vcpu v = t.start(0, 0, source);
        VcpuState s = v.state();
        byte[] image = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 0x37F).putInt(24, mxcsr)
                .putLong(160, Double.doubleToRawLongBits(0.5)).putLong(176, 0x7FF0_0000_0000_0001L).array();
        v.setState(new VcpuState(s.registers(), s.segments(), s.control(), s.gdt(), s.idt(), s.msrs(), s.events(), image));
        return v;
    }

    private int vectorOf(Vcpu v) {
        return TestVm.trapVector(v.run(), v);
    }

    @Test
    void controlRegistersPickUdAndNm() {
        String clearOsfxsr = "mov rax, cr4\n and rax, ~0x200\n mov cr4, rax\n";
        String setEm = "mov rax, cr0\n or rax, 4\n mov cr0, rax\n";
        String setTs = "mov rax, cr0\n or rax, 8\n mov cr0, rax\n";
        for (String insn : ONE_PER_FAMILY) {
            assertThat(vectorOf(start(clearOsfxsr + insn, 0x1F80))).as("no OSFXSR: " + insn).isEqualTo(6);
            assertThat(vectorOf(start(setEm + insn, 0x1F80))).as("EM: " + insn).isEqualTo(6);
            assertThat(vectorOf(start(setTs + insn, 0x1F80))).as("TS: " + insn).isEqualTo(7);
        }
    }

    @Test
    void misalignedOperandsOfTheAlignedFormsRaiseGp() {
        String at = "[" + (TestVm.DATA + 8) + "]";
        assertThat(vectorOf(start("pshufb xmm0, xmmword ptr " + at, 0x1F80))).isEqualTo(13);
        assertThat(vectorOf(start("haddpd xmm0, xmmword ptr " + at, 0x1F80))).isEqualTo(13);
        assertThat(vectorOf(start("movntdqa xmm0, xmmword ptr " + at, 0x1F80))).isEqualTo(13);
        assertThat(vectorOf(start("lddqu xmm0, xmmword ptr " + at + "\n hlt", 0x1F80))).as("LDDQU: unaligned").isNotEqualTo(13);
    }

    @Test
    void anUnmaskedExceptionRaisesXmAndLeavesTheDestination() {
        // ROUNDSD of an SNaN (XMM1) with IE unmasked: #XM, XMM0 unchanged, IE recorded; #UD without OSXMMEXCPT.
        Vcpu v = start("roundsd xmm0, xmm1, 0", 0x1F00);
        assertThat(vectorOf(v)).isEqualTo(19);
        ByteBuffer s = ByteBuffer.wrap(v.state().fxsave()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(s.getLong(160)).isEqualTo(Double.doubleToRawLongBits(0.5));
        assertThat(s.getInt(24)).isEqualTo(0x1F01);
        String clearOsxmmexcpt = "mov rax, cr4\n and rax, ~0x400\n mov cr4, rax\n";
        assertThat(vectorOf(start(clearOsxmmexcpt + "haddpd xmm1, xmm1", 0x1F00))).isEqualTo(6);
    }
}
