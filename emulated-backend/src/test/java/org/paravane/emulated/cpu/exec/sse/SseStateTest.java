package org.paravane.emulated.cpu.exec.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.testing.TestVm;

/**
 * The x87/SSE state of the software CPU: it moves exactly through {@code VcpuState}'s FXSAVE image, FXSAVE/FXRSTOR
 * and LDMXCSR use the architectural layout and checks, and the CR0/CR4 rules pick #UD, #NM and #XM. (The arithmetic
 * itself is compared with the host CPU by the difftest module.)
 */
class SseStateTest {
    final TestVm t = new TestVm();

    @AfterEach
    void close() {
        t.close();
    }

    private static byte[] image(long xmm0lo, long xmm1lo, int mxcsr) {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0x37F);
        b.putInt(24, mxcsr);
        b.putLong(32, 0x0123_4567_89AB_CDEFL);            // ST0: not used here, carried as it is
        b.putLong(160, xmm0lo);
        b.putLong(176, xmm1lo);
        b.putLong(160 + 15 * 16 + 8, 0x5555_AAAA_5555_AAAAL);
        b.putLong(480, 0x77);                             // software-available bytes
        return b.array();
    }

    private static VcpuState withImage(VcpuState s, byte[] image) {
        return new VcpuState(s.registers(), s.segments(), s.control(), s.gdt(), s.idt(), s.msrs(), s.events(), image);
    }

    private Vcpu start(int cpl, String source, byte[] image) {
        Vcpu v = t.start(0, cpl, source);
        v.setState(withImage(v.state(), image));
        return v;
    }

    @Test
    void xmmRegistersAndMxcsrMoveThroughTheFxsaveImageAndRoundingFollowsMxcsr() {
        // 1 + 2^-60 rounds to 1 to nearest, to the next double up under RU (MXCSR 0x5F80).
        Vcpu v = start(3, "addsd xmm0, xmm1\n movq rax, xmm0\n mov [0xF0000000], rax\n",
                image(Double.doubleToRawLongBits(1.0), Double.doubleToRawLongBits(0x1p-60), 0x5F80));
        assertThat(t.runToResult(v)).isEqualTo(Double.doubleToRawLongBits(Math.nextUp(1.0)));
        ByteBuffer after = ByteBuffer.wrap(v.state().fxsave()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(after.getInt(24)).as("MXCSR with PE").isEqualTo(0x5FA0);
        assertThat(after.getLong(160)).isEqualTo(Double.doubleToRawLongBits(Math.nextUp(1.0)));
        assertThat(after.getLong(32)).as("x87 bytes carried").isEqualTo(0x0123_4567_89AB_CDEFL);
        assertThat(after.getLong(160 + 15 * 16 + 8)).isEqualTo(0x5555_AAAA_5555_AAAAL);
        assertThat(after.getLong(480)).isEqualTo(0x77);
        assertThat(after.getInt(28)).as("MXCSR_MASK").isEqualTo(0xFFFF);
    }

    @Test
    void aStateWithReservedMxcsrBitsIsRefusedNamingMxcsr() {
        Vcpu v = t.start(0, 3, "nop");
        VcpuState bad = withImage(v.state(), image(0, 0, 0x1F80 | (1 << 17)));
        assertThatThrownBy(() -> v.setState(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MXCSR");
    }

    @Test
    void fxsave64WritesTheArchitecturalLayoutAndFxrstorReadsItBack() {
        long area = TestVm.DATA;
        Vcpu v = start(0, "mov rdi, " + area + "\n fxsave64 [rdi]\n pxor xmm15, xmm15\n ldmxcsr [rdi + 600]\n"
                + " fxrstor64 [rdi]\n movq rax, xmm15\n pextrw ecx, xmm15, 7\n stmxcsr [rdi + 604]\n"
                + " add rax, rcx\n mov [0xF0000000], rax\n", image(1, 2, 0x7F80));
        t.write64(area + 600, 0x1F80);
        assertThat(t.runToResult(v)).isEqualTo(0x5555L);
        ByteBuffer b = ByteBuffer.wrap(new byte[512]).order(ByteOrder.LITTLE_ENDIAN);
        t.mem(area, 512).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).get(b.array());
        assertThat(b.getShort(0)).as("FCW").isEqualTo((short) 0x37F);
        assertThat(b.getInt(24)).as("MXCSR").isEqualTo(0x7F80);
        assertThat(b.getInt(28)).as("MXCSR_MASK").isEqualTo(0xFFFF);
        assertThat(b.getLong(160)).as("XMM0").isEqualTo(1);
        assertThat(b.getLong(176)).as("XMM1").isEqualTo(2);
        assertThat(b.getLong(480)).as("bytes 464-511 are not written").isZero();
        assertThat(t.read64(area + 604) & 0xFFFF_FFFFL).as("FXRSTOR restored MXCSR").isEqualTo(0x7F80);
    }

    private int vectorOf(Vcpu v) {
        VcpuExit e = v.run();
        return TestVm.trapVector(e, v);
    }

    @Test
    void reservedMxcsrBitsInLdmxcsrOrFxrstorRaiseGp() {
        long area = TestVm.DATA;
        t.write64(area, 0x10000);
        assertThat(vectorOf(start(0, "ldmxcsr [" + area + "]", image(0, 0, 0x1F80)))).isEqualTo(13);
        t.write64(area + 24, 0x40000);
        assertThat(vectorOf(start(0, "fxrstor64 [" + area + "]", image(0, 0, 0x1F80)))).isEqualTo(13);
        assertThat(vectorOf(start(0, "fxsave64 [" + (area + 8) + "]", image(0, 0, 0x1F80)))).as("misaligned").isEqualTo(13);
        assertThat(vectorOf(start(0, "movaps xmm0, [" + (area + 8) + "]", image(0, 0, 0x1F80)))).isEqualTo(13);
    }

    @Test
    void controlRegisterRulesPickUdNmAndXm() {
        String clearOsfxsr = "mov rax, cr4\n and rax, ~0x200\n mov cr4, rax\n";
        String clearOsxmmexcpt = "mov rax, cr4\n and rax, ~0x400\n mov cr4, rax\n";
        String setEm = "mov rax, cr0\n or rax, 4\n mov cr0, rax\n";
        String setTs = "mov rax, cr0\n or rax, 8\n mov cr0, rax\n";
        String setMp = "mov rax, cr0\n or rax, 2\n mov cr0, rax\n";
        byte[] img = image(0, 0, 0x1F80);
        assertThat(vectorOf(start(0, clearOsfxsr + "addps xmm0, xmm1", img))).as("no OSFXSR").isEqualTo(6);
        assertThat(vectorOf(start(0, setEm + "addps xmm0, xmm1", img))).as("EM").isEqualTo(6);
        assertThat(vectorOf(start(0, setTs + "addps xmm0, xmm1", img))).as("TS").isEqualTo(7);
        assertThat(vectorOf(start(0, setTs + "fxsave64 [" + TestVm.DATA + "]", img))).as("TS, FXSAVE").isEqualTo(7);
        assertThat(vectorOf(start(0, setEm + "fnstcw [" + TestVm.DATA + "]", img))).as("EM, x87").isEqualTo(7);
        assertThat(vectorOf(start(0, setTs + setMp + "fwait", img))).as("TS and MP, FWAIT").isEqualTo(7);
        assertThat(vectorOf(start(0, ".byte 0xd9, 0xd1", img))).as("a reserved x87 encoding").isEqualTo(6);
        assertThat(vectorOf(start(0, setEm + "fld1", img))).as("EM, x87 arithmetic").isEqualTo(7);
        assertThat(vectorOf(start(0, setTs + "fadd st(0), st(1)", img))).as("TS, x87 arithmetic").isEqualTo(7);
        // 1/0 with ZE unmasked (MXCSR 0x1D80): #XM with OSXMMEXCPT, #UD without; the destination is unchanged.
        byte[] zero = image(Double.doubleToRawLongBits(1.0), 0, 0x1D80);
        Vcpu v = start(0, "divsd xmm0, xmm1", zero);
        assertThat(vectorOf(v)).isEqualTo(19);
        ByteBuffer s = ByteBuffer.wrap(v.state().fxsave()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(s.getLong(160)).isEqualTo(Double.doubleToRawLongBits(1.0));
        assertThat(s.getInt(24)).as("ZE recorded").isEqualTo(0x1D84);
        assertThat(vectorOf(start(0, clearOsxmmexcpt + "divsd xmm0, xmm1", zero))).isEqualTo(6);
    }
}
