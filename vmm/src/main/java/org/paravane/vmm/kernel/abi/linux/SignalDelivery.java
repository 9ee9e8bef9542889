package org.paravane.vmm.kernel.abi.linux;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.FaultOutcome;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.mm.PhysicalPages;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.signal.AltStack;
import org.paravane.vmm.linux.signal.ProcessSignals;
import org.paravane.vmm.linux.signal.SigAction;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;
import org.paravane.vmm.linux.signal.SignalFrame;
import org.paravane.vmm.linux.signal.ThreadSignals;

/**
 * A thread's signals at its return to user mode (arch/x86/kernel/signal.c): the next deliverable signal takes its
 * action: ignored, the default (end, stop, continue), or a handler, for which the {@code rt_sigframe} with the
 * registers, the FP state and the mask goes on the stack ({@link SignalFrame}); rt_sigreturn reads it back. Faults
 * reach handlers as Linux's force_sig does: a blocked or ignored fault signal kills.
 */
final class SignalDelivery {
    private final LinuxProcess process;
    private final ThreadSignals thread;
    /** What the last fault reported (Linux's thread.trap_nr, error_code, cr2), for the next frame's sigcontext. */
    private long trapNumber, errorCode, cr2;

    SignalDelivery(LinuxProcess process, ThreadSignals thread) {
        this.process = process;
        this.thread = thread;
    }

    private ProcessSignals signals() {
        return thread.process();
    }

    boolean pending() {
        return thread.hasDeliverable() || signals().stopped();
    }

    /** Acts on the pending signals; null when none needs anything. */
    SyscallOutcome returnToUser(SyscallTask task, GeneralRegisters regs) {
        while (true) {
            if (signals().killed()) {
                return new SyscallOutcome.Signaled(Signal.SIGKILL, "killed by SIGKILL");
            }
            if (signals().stopped()) {
                return new SyscallOutcome.Block(new Stopped(regs));
            }
            SigInfo info = thread.take();
            if (info == null) {
                thread.restoreSavedMask();   // a sigsuspend that ran no handler gets its mask back
                return null;
            }
            int sig = info.signo();
            SigAction action = signals().actions().get(sig);
            if (action.ignored()) {
                continue;
            }
            if (action.isDefault()) {
                switch (Signal.defaultAction(sig)) {
                    case IGNORE, CONTINUE -> {
                        continue;
                    }
                    case STOP -> {
                        signals().stop(sig);
                        return new SyscallOutcome.Block(new Stopped(regs));
                    }
                    case TERM, CORE -> {
                        return new SyscallOutcome.Signaled(sig, "killed by " + Signal.name(sig) + sender(info));
                    }
                }
            }
            return handle(task, regs, info, action);
        }
    }

    private static String sender(SigInfo info) {
        return info.code() == SigInfo.SI_USER || info.code() == SigInfo.SI_TKILL ? " (sent by process " + info.pid() + ")" : "";
    }

    /** Builds the handler's frame; a frame that cannot be written kills with SIGSEGV, as Linux's force_sigsegv. */
    private SyscallOutcome handle(SyscallTask task, GeneralRegisters regs, SigInfo info, SigAction action) {
        int sig = info.signo();
        if (!action.has(SigAction.SA_RESTORER)) {
            return new SyscallOutcome.Signaled(Signal.SIGSEGV, "killed by SIGSEGV: the handler of " + Signal.name(sig)
                    + " has no SA_RESTORER, which x86-64 requires");
        }
        AltStack alt = thread.altStack();
        long top = SignalFrame.stackTop(regs.rsp(), alt, action.has(SigAction.SA_ONSTACK));
        long savedMask = thread.takeMaskToSave();
        SignalFrame.Built frame = SignalFrame.build(regs, new SignalFrame.Trap(task.codeSelector(), task.stackSelector(),
                errorCode, trapNumber, cr2), savedMask, alt, task.fpuState(), info, action.handler(), action.restorer(), top);
        boolean enteringAlt = alt.frameFlags(regs.rsp() - SignalFrame.RED_ZONE) == 0 && action.has(SigAction.SA_ONSTACK);
        if (enteringAlt && Long.compareUnsigned(frame.address(), alt.sp()) < 0) {
            return new SyscallOutcome.Signaled(Signal.SIGSEGV, "killed by SIGSEGV: the frame of " + Signal.name(sig)
                    + " overflows the alternate signal stack at 0x" + Long.toHexString(alt.sp()));
        }
        try {
            process.memory().write(frame.address(), frame.image());
        } catch (GuestAccessException | PhysicalPages.OutOfGuestMemoryException e) {
            return new SyscallOutcome.Signaled(Signal.SIGSEGV, "killed by SIGSEGV: the frame of " + Signal.name(sig)
                    + " cannot be written at 0x" + Long.toHexString(frame.address()) + " (rsp 0x"
                    + Long.toHexString(regs.rsp()) + ")");
        } finally {
            if (process.memory().takeFlush()) {
                task.flushTlb();
            }
        }
        if (enteringAlt && alt.autoDisarm()) {
            thread.setAltStack(AltStack.DISABLED);
        }
        if (action.has(SigAction.SA_RESETHAND)) {
            signals().actions().resetHandler(sig);
        }
        thread.setMask(thread.mask() | action.mask() | (action.has(SigAction.SA_NODEFER) ? 0 : Signal.bit(sig)));
        task.setFpuState(null);   // the handler starts with a fresh FPU, as Linux's fpu__clear_user_states
        return new SyscallOutcome.Restore(frame.handlerRegisters());
    }

    /**
     * rt_sigreturn: the ucontext sits at RSP (the handler's return popped the restorer's address). A frame that cannot
     * be read or restored kills with SIGSEGV, as Linux's bad frame does.
     */
    SyscallOutcome sigreturn(SyscallTask task, GeneralRegisters regs) {
        long uc = regs.rsp();
        SignalFrame.Saved saved;
        try {
            saved = SignalFrame.read(process.memory().read(uc, SignalFrame.UCONTEXT_SIZE), regs);
            task.setFpuState(saved.fpstate() == 0 ? null : process.memory().read(saved.fpstate(), SignalFrame.FXSAVE_SIZE));
        } catch (GuestAccessException | PhysicalPages.OutOfGuestMemoryException | IllegalArgumentException e) {
            return new SyscallOutcome.Signaled(Signal.SIGSEGV, "killed by SIGSEGV: bad signal frame at 0x"
                    + Long.toHexString(uc - 8) + " in rt_sigreturn (" + e.getMessage() + ")");
        }
        thread.setMask(saved.mask());
        try {
            SignalCalls.changeAltStack(thread, saved.stack(), regs.rsp());   // EPERM on the stack itself, as Linux
        } catch (org.paravane.vmm.linux.ErrnoException e) {
            // Linux's restore_altstack fails the same way only for a bad stack_t; the registers still return
        }
        return new SyscallOutcome.Restore(saved.registers());
    }

    /**
     * A fault the CPU reported ({@code trap}: vector, error code, CR2) becomes {@code info} for this thread. If it
     * would end the process (blocked, ignored or default), Linux's force_sig semantics: it ends it now with
     * {@code death}; otherwise the handler's frame is built at the return to user mode, with the faulting
     * instruction as the saved RIP.
     */
    FaultOutcome fault(SigInfo info, long vector, long error, long address, SyscallOutcome.Signaled death) {
        int sig = info.signo();
        trapNumber = vector;
        errorCode = error;
        cr2 = address;
        SigAction action = signals().actions().get(sig);
        boolean blocked = Signal.in(thread.mask(), sig);
        if (blocked || action.ignored()) {
            signals().actions().forceDefault(sig);
            if (blocked) {
                thread.setMask(thread.mask() & ~Signal.bit(sig));
            }
            return new FaultOutcome.End(death);
        }
        if (!action.handled()) {
            return new FaultOutcome.End(death);
        }
        thread.pending().add(info);
        return FaultOutcome.Retry.INSTANCE;
    }

    /** A stopped process's thread: off its vCPU until SIGCONT (or SIGKILL), then back where it was. */
    private final class Stopped implements Blocked {
        private final GeneralRegisters registers;

        Stopped(GeneralRegisters registers) {
            this.registers = registers;
        }

        @Override
        public SyscallOutcome resume(SyscallTask task) {
            if (signals().killed()) {
                return new SyscallOutcome.Signaled(Signal.SIGKILL, "killed by SIGKILL while stopped");
            }
            return signals().stopped() ? new SyscallOutcome.Block(this) : new SyscallOutcome.Restore(registers);
        }
    }

    static boolean isStop(Blocked b) {
        return b instanceof Stopped;
    }

    /** EINTR as a call's result. */
    static final long EINTR = -Errno.EINTR;
}
