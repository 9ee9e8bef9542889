package org.paravane.vmm.linux.signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.paravane.api.cpu.GeneralRegisters;

/**
 * The x86-64 {@code struct rt_sigframe} as Linux builds it on the user stack for a handler, and reads it back in
 * rt_sigreturn (arch/x86/kernel/signal_64.c, fpu/signal.c), for a CPU without XSAVE:
 *
 * <pre>
 * frame+0    pretcode      the restorer (SA_RESTORER), where the handler returns to
 * frame+8    ucontext      uc_flags, uc_link, uc_stack (24), uc_mcontext (sigcontext, 256), uc_sigmask (8)
 * frame+312  siginfo       128 bytes
 * fpstate    FXSAVE image  512 bytes, 64-byte aligned, above the frame; sw_reserved (bytes 464..511) zero, as Linux
 *                          leaves it without XSAVE, so sigreturn takes it as a plain FXSAVE image
 * </pre>
 *
 * The stack: 128 bytes of red zone below the interrupted RSP (or the top of the alternate stack), the FP image
 * aligned down to 64, the frame below it so that RSP + 8 is 16-byte aligned, as after a call.
 */
public final class SignalFrame {
    public static final int UCONTEXT = 8, SIGINFO = 312, FRAME_SIZE = 440, FXSAVE_SIZE = 512;
    /** Offsets in the ucontext. */
    public static final int UC_FLAGS = 0, UC_STACK = 16, UC_MCONTEXT = 40, UC_SIGMASK = 296, UCONTEXT_SIZE = 304;
    /** Offsets in the sigcontext, after the 18 words r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags. */
    public static final int SC_CS = 144, SC_GS = 146, SC_FS = 148, SC_SS = 150, SC_ERR = 152, SC_TRAPNO = 160,
            SC_OLDMASK = 168, SC_CR2 = 176, SC_FPSTATE = 184;
    public static final long RED_ZONE = 128;
    /** UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS (no UC_FP_XSTATE: no XSAVE). */
    public static final long UC_FLAGS_VALUE = 2 | 4;
    /** The flags sigreturn takes from the frame (FIX_EFLAGS): AC OF DF TF SF ZF AF PF CF RF; the rest stay. */
    public static final long FIX_EFLAGS = 1L << 18 | 1L << 11 | 1L << 10 | 1L << 8 | 1L << 7 | 1L << 6 | 1L << 4
            | 1L << 2 | 1L | 1L << 16;
    /** Cleared for the handler: DF, RF, TF. */
    public static final long HANDLER_CLEARS = 1L << 10 | 1L << 16 | 1L << 8;

    /** The sigcontext's order of the general registers, as register numbers. */
    private static final int[] SC_ORDER = {GeneralRegisters.R8, GeneralRegisters.R9, GeneralRegisters.R10,
            GeneralRegisters.R11, GeneralRegisters.R12, GeneralRegisters.R13, GeneralRegisters.R14, GeneralRegisters.R15,
            GeneralRegisters.RDI, GeneralRegisters.RSI, GeneralRegisters.RBP, GeneralRegisters.RBX, GeneralRegisters.RDX,
            GeneralRegisters.RAX, GeneralRegisters.RCX, GeneralRegisters.RSP};

    private SignalFrame() {
    }

    /** What the interrupted context was, besides its registers: selectors and, for a fault, what the CPU reported. */
    public record Trap(int cs, int ss, long errorCode, long trapNumber, long cr2) {
    }

    /**
     * A frame to write: {@code image} goes to guest memory at {@code address}; the handler starts with
     * {@code handlerRegisters}.
     */
    public record Built(long address, byte[] image, GeneralRegisters handlerRegisters) {
    }

    /** The top of the stack the frame goes on, or -1 when it would overflow the alternate stack. */
    public static long stackTop(long rsp, AltStack alt, boolean onStackRequested) {
        long sp = rsp - RED_ZONE;
        if (onStackRequested && alt.frameFlags(sp) == 0) {
            return alt.sp() + alt.size();
        }
        return sp;
    }

    /** Where the FP image and the frame go below {@code top}: {fpstate, frame}. */
    public static long[] place(long top) {
        long fpstate = (top - FXSAVE_SIZE) & -64L;
        long frame = ((fpstate - FRAME_SIZE + 8) & -16L) - 8;
        return new long[] {fpstate, frame};
    }

    /**
     * Builds the frame for a handler of {@code info} at {@code handler} returning to {@code restorer}, below
     * {@code top} (from {@link #stackTop}): the interrupted {@code regs}, {@code savedMask}, the alternate stack as it
     * was ({@code alt}, reported for the interrupted RSP), the FXSAVE image {@code fxsave}.
     */
    public static Built build(GeneralRegisters regs, Trap trap, long savedMask, AltStack alt, byte[] fxsave,
                              SigInfo info, long handler, long restorer, long top) {
        if (fxsave.length != FXSAVE_SIZE) {
            throw new IllegalArgumentException("an FXSAVE image is 512 bytes, not " + fxsave.length);
        }
        long[] at = place(top);
        long fpstate = at[0], frame = at[1];
        ByteBuffer b = ByteBuffer.allocate((int) (fpstate + FXSAVE_SIZE - frame)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, restorer);
        int uc = UCONTEXT;
        b.putLong(uc + UC_FLAGS, UC_FLAGS_VALUE);
        b.put(uc + UC_STACK, alt.bytes(alt.frameFlags(regs.rsp())));
        int sc = uc + UC_MCONTEXT;
        for (int i = 0; i < SC_ORDER.length; i++) {
            b.putLong(sc + 8 * i, regs.get(SC_ORDER[i]));
        }
        b.putLong(sc + 128, regs.rip());
        b.putLong(sc + 136, regs.rflags());
        b.putShort(sc + SC_CS, (short) trap.cs());
        b.putShort(sc + SC_SS, (short) trap.ss());
        b.putLong(sc + SC_ERR, trap.errorCode());
        b.putLong(sc + SC_TRAPNO, trap.trapNumber());
        b.putLong(sc + SC_OLDMASK, savedMask);
        b.putLong(sc + SC_CR2, trap.cr2());
        b.putLong(sc + SC_FPSTATE, fpstate);
        b.putLong(uc + UC_SIGMASK, savedMask);
        b.put(SIGINFO, info.bytes());
        byte[] fx = fxsave.clone();
        java.util.Arrays.fill(fx, 464, FXSAVE_SIZE, (byte) 0);
        b.put((int) (fpstate - frame), fx);
        GeneralRegisters h = regs.with(GeneralRegisters.RDI, info.signo()).with(GeneralRegisters.RSI, frame + SIGINFO)
                .with(GeneralRegisters.RDX, frame + UCONTEXT).with(GeneralRegisters.RAX, 0)
                .with(GeneralRegisters.RSP, frame).withRip(handler).withRflags(regs.rflags() & ~HANDLER_CLEARS);
        return new Built(frame, b.array(), h);
    }

    /** A ucontext read back by rt_sigreturn: the registers to return to, the mask, the FP image's address, the stack. */
    public record Saved(GeneralRegisters registers, long mask, long fpstate, AltStack stack) {
    }

    /**
     * Reads the {@link #UCONTEXT_SIZE} bytes of a ucontext; {@code current} are the registers at the rt_sigreturn,
     * whose flags outside {@link #FIX_EFLAGS} stay (IF, IOPL cannot be changed by a frame).
     */
    public static Saved read(byte[] ucontext, GeneralRegisters current) {
        ByteBuffer b = ByteBuffer.wrap(ucontext).order(ByteOrder.LITTLE_ENDIAN);
        int sc = UC_MCONTEXT;
        GeneralRegisters r = current;
        for (int i = 0; i < SC_ORDER.length; i++) {
            r = r.with(SC_ORDER[i], b.getLong(sc + 8 * i));
        }
        long flags = current.rflags() & ~FIX_EFLAGS | b.getLong(sc + 136) & FIX_EFLAGS;
        r = r.withRip(b.getLong(sc + 128)).withRflags(flags);
        byte[] stack = new byte[AltStack.SIZE];
        b.get(UC_STACK, stack);
        return new Saved(r, b.getLong(UC_SIGMASK), b.getLong(sc + SC_FPSTATE), AltStack.read(stack));
    }
}
