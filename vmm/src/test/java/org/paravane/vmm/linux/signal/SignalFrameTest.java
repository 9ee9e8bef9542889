package org.paravane.vmm.linux.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.paravane.api.cpu.GeneralRegisters;

/** The rt_sigframe's layout against Linux's (arch/x86/include/uapi/asm/sigcontext.h, signal_64.c). */
class SignalFrameTest {
    private static final GeneralRegisters REGS = GeneralRegisters.fromArray(new long[] {
            0xA0, 0xC1, 0xD2, 0xB3, 0x7fff_0000_1238L, 0xB5, 0x56, 0xD7, 0x108, 0x109, 0x10A, 0x10B, 0x10C, 0x10D,
            0x10E, 0x10F, 0x401234, 0x247 | 1L << 10 | 1L << 8});
    private static final SignalFrame.Trap TRAP = new SignalFrame.Trap(0x33, 0x2b, 6, 14, 0xdead0);

    private static byte[] fxsave() {
        byte[] fx = new byte[512];
        for (int i = 0; i < fx.length; i++) {
            fx[i] = (byte) (i * 7 + 1);
        }
        return fx;
    }

    private static SignalFrame.Built build(AltStack alt, boolean onStack) {
        long top = SignalFrame.stackTop(REGS.rsp(), alt, onStack);
        return SignalFrame.build(REGS, TRAP, 0x5000, alt, fxsave(), SigInfo.fault(11, SigInfo.SEGV_MAPERR, 0x1234),
                0x402000, 0x403000, top);
    }

    @Test
    void theFrameSitsBelowTheRedZoneWithItsFpImage64ByteAlignedAndRspLikeAfterACall() {
        SignalFrame.Built f = build(AltStack.DISABLED, false);
        long fpstate = (REGS.rsp() - 128 - 512) & -64L;
        assertThat(f.address() + f.image().length).isEqualTo(fpstate + 512);
        assertThat((f.address() + 8) % 16).isZero();
        assertThat(fpstate - f.address()).isGreaterThanOrEqualTo(440);
        assertThat(fpstate - f.address() - 440).isLessThan(16 + 8);
        assertThat(f.address() + f.image().length).isLessThanOrEqualTo(REGS.rsp() - 128);
    }

    @Test
    void ucontextSigcontextAndSiginfoAreAtLinuxsOffsets() {
        SignalFrame.Built f = build(AltStack.DISABLED, false);
        ByteBuffer b = ByteBuffer.wrap(f.image()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(0)).as("pretcode").isEqualTo(0x403000);
        assertThat(b.getLong(8)).as("uc_flags").isEqualTo(6);
        assertThat(b.getLong(16)).as("uc_link").isZero();
        assertThat(b.getInt(8 + 16 + 8)).as("uc_stack.ss_flags").isEqualTo(AltStack.SS_DISABLE);
        int sc = 8 + 40;
        long[] expected = {0x108, 0x109, 0x10A, 0x10B, 0x10C, 0x10D, 0x10E, 0x10F, 0xD7, 0x56, 0xB5, 0xB3, 0xD2, 0xA0,
                0xC1, REGS.rsp(), 0x401234, REGS.rflags()};
        for (int i = 0; i < expected.length; i++) {
            assertThat(b.getLong(sc + 8 * i)).as("sigcontext word " + i).isEqualTo(expected[i]);
        }
        assertThat(b.getShort(sc + 144)).as("cs").isEqualTo((short) 0x33);
        assertThat(b.getShort(sc + 150)).as("ss").isEqualTo((short) 0x2b);
        assertThat(b.getLong(sc + 152)).as("err").isEqualTo(6);
        assertThat(b.getLong(sc + 160)).as("trapno").isEqualTo(14);
        assertThat(b.getLong(sc + 168)).as("oldmask").isEqualTo(0x5000);
        assertThat(b.getLong(sc + 176)).as("cr2").isEqualTo(0xdead0);
        long fpstate = b.getLong(sc + 184);
        assertThat(fpstate % 64).isZero();
        assertThat(b.getLong(8 + 296)).as("uc_sigmask").isEqualTo(0x5000);
        assertThat(b.getInt(312)).as("si_signo").isEqualTo(11);
        assertThat(b.getInt(320)).as("si_code").isEqualTo(SigInfo.SEGV_MAPERR);
        assertThat(b.getLong(312 + 16)).as("si_addr").isEqualTo(0x1234);
        int fx = (int) (fpstate - f.address());
        byte[] image = fxsave();
        for (int i = 0; i < 464; i++) {
            assertThat(f.image()[fx + i]).as("fxsave byte " + i).isEqualTo(image[i]);
        }
        for (int i = 464; i < 512; i++) {
            assertThat(f.image()[fx + i]).as("sw_reserved byte " + i + ": zero without XSAVE").isZero();
        }
    }

    @Test
    void theHandlerGetsSignalInfoAndContextInItsArgumentsAndDirectionTrapFlagsCleared() {
        SignalFrame.Built f = build(AltStack.DISABLED, false);
        GeneralRegisters h = f.handlerRegisters();
        assertThat(h.rdi()).isEqualTo(11);
        assertThat(h.rsi()).isEqualTo(f.address() + 312);
        assertThat(h.rdx()).isEqualTo(f.address() + 8);
        assertThat(h.rax()).isZero();
        assertThat(h.rsp()).isEqualTo(f.address());
        assertThat(h.rip()).isEqualTo(0x402000);
        assertThat(h.rflags()).isEqualTo(0x247);
        assertThat(h.r12()).as("other registers stay").isEqualTo(0x10C);
    }

    @Test
    void sigreturnReadsBackEveryRegisterAndOnlyTheFlagsAFrameMayChange() {
        SignalFrame.Built f = build(AltStack.DISABLED, false);
        byte[] uc = java.util.Arrays.copyOfRange(f.image(), 8, 8 + SignalFrame.UCONTEXT_SIZE);
        ByteBuffer.wrap(uc).order(ByteOrder.LITTLE_ENDIAN).putLong(40 + 136, -1L);   // every flag bit in the frame
        GeneralRegisters atCall = GeneralRegisters.ZERO.withRflags(0x202);
        SignalFrame.Saved s = SignalFrame.read(uc, atCall);
        assertThat(s.registers().withRflags(REGS.rflags())).isEqualTo(REGS);
        assertThat(s.registers().rflags()).as("IF kept, IOPL and the rest not taken")
                .isEqualTo(0x202 | SignalFrame.FIX_EFLAGS);
        assertThat(s.mask()).isEqualTo(0x5000);
        assertThat(s.fpstate()).isEqualTo(ByteBuffer.wrap(f.image()).order(ByteOrder.LITTLE_ENDIAN).getLong(48 + 184));
    }

    @Test
    void saOnstackMovesTheFrameToTheAlternateStackUnlessAlreadyOnIt() {
        AltStack alt = new AltStack(0x10_0000, 0, 0x4000);
        SignalFrame.Built f = build(alt, true);
        assertThat(f.address()).isBetween(0x10_0000L, 0x10_4000L);
        assertThat(f.address() + f.image().length).isLessThanOrEqualTo(0x10_4000L);
        ByteBuffer b = ByteBuffer.wrap(f.image()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(8 + 16)).as("uc_stack.ss_sp").isEqualTo(0x10_0000);
        assertThat(b.getInt(8 + 24)).as("not on it when interrupted").isZero();
        assertThat(b.getLong(8 + 32)).as("uc_stack.ss_size").isEqualTo(0x4000);
        assertThat(SignalFrame.stackTop(0x10_2000, alt, true)).as("already on it: below the red zone there")
                .isEqualTo(0x10_2000 - 128);
        assertThat(build(alt, false).address()).as("without SA_ONSTACK").isGreaterThan(0x10_4000L);
    }
}
