package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.ESRCH;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;

/**
 * Signals as far as a single process without handlers needs them: dispositions and the mask are kept (so libc's
 * bookkeeping works), a signal the process sends itself takes its default action, and the CPU's exceptions end the
 * process as Linux's default actions would ("killed by SIGSEGV at ..."). Running handlers is the next issue's.
 */
final class Signals {
    static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
            SIGKILL = 9, SIGSEGV = 11, SIGPIPE = 13, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
            SIGTSTP = 20, SIGURG = 23, SIGWINCH = 28;
    static final long SIG_DFL = 0, SIG_IGN = 1;
    static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    private static final String[] NAMES = {"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
            "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
            "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
            "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /** struct kernel_sigaction per signal: handler, flags, restorer, mask. */
    private final long[][] actions = new long[65][4];
    private final LinuxProcess process;

    Signals(LinuxProcess process) {
        this.process = process;
    }

    /** fork: the child starts with the parent's dispositions. */
    void copyFrom(Signals parent) {
        for (int i = 0; i < actions.length; i++) {
            actions[i] = parent.actions[i].clone();
        }
    }

    /** execve: handled signals revert to their default action; ignored ones stay ignored. */
    void resetForExec() {
        for (long[] action : actions) {
            if (action[0] > SIG_IGN) {
                java.util.Arrays.fill(action, 0);
            }
        }
    }

    static String name(int signal) {
        return signal > 0 && signal < NAMES.length ? NAMES[signal] : "SIGRT" + (signal - 32);
    }

    long rtSigaction(long signal, long act, long oldAct, long setSize) throws ErrnoException, GuestAccessException {
        ProcessMemory memory = process.memory();
        if (setSize != 8 || signal < 1 || signal > 64 || act != 0 && (signal == SIGKILL || signal == SIGSTOP)) {
            throw new ErrnoException(EINVAL, "sigaction of signal " + signal + " with set size " + setSize);
        }
        long[] old = actions[(int) signal].clone();
        if (act != 0) {
            ByteBuffer b = ByteBuffer.wrap(memory.read(act, 32)).order(ByteOrder.LITTLE_ENDIAN);
            actions[(int) signal] = new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong()};
        }
        if (oldAct != 0) {
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : old) {
                b.putLong(v);
            }
            memory.write(oldAct, b.array());
        }
        return 0;
    }

    long rtSigprocmask(LinuxThread thread, long how, long set, long oldSet, long setSize)
            throws ErrnoException, GuestAccessException {
        ProcessMemory memory = process.memory();
        long mask = thread.signalMask;
        if (setSize != 8) {
            throw new ErrnoException(EINVAL, "signal set of " + setSize + " bytes");
        }
        long old = mask;
        if (set != 0) {
            long s = memory.readLong(set);
            long next = switch ((int) how) {
                case SIG_BLOCK -> mask | s;
                case SIG_UNBLOCK -> mask & ~s;
                case SIG_SETMASK -> s;
                default -> throw new ErrnoException(EINVAL, "sigprocmask how " + how);
            };
            thread.signalMask = next & ~(bit(SIGKILL) | bit(SIGSTOP));
        }
        if (oldSet != 0) {
            memory.writeLong(oldSet, old);
        }
        return 0;
    }

    private static long bit(int signal) {
        return 1L << (signal - 1);
    }

    /**
     * kill, tkill, tgkill to this process: signal 0 checks it exists; an ignored or blocked signal changes nothing
     * (a blocked one would stay pending); any other takes the default action, which for the signals that reach here
     * ends the process. A handler cannot run yet, so a handled signal also ends it, saying so.
     */
    SyscallOutcome sendToSelf(LinuxThread thread, long target, long signal) throws ErrnoException {
        long mask = thread.signalMask;
        if (target != process.pid && target != 0 && target != -1) {
            throw new ErrnoException(ESRCH, "no process " + target);
        }
        if (signal < 0 || signal > 64) {
            throw new ErrnoException(EINVAL, "signal " + signal);
        }
        int sig = (int) signal;
        if (sig == 0) {
            return new SyscallOutcome.Return(0);
        }
        long handler = actions[sig][0];
        boolean defaultIgnored = sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
        boolean stop = sig == SIGSTOP || sig == SIGTSTP || sig == 21 || sig == 22;
        if (sig != SIGKILL && sig != SIGSTOP && ((mask & bit(sig)) != 0 || handler == SIG_IGN
                || handler == SIG_DFL && (defaultIgnored || stop))) {
            return new SyscallOutcome.Return(0);
        }
        String why = "killed by " + name(sig) + (handler > SIG_IGN ? " (its handler cannot run: signal handlers are not"
                + " supported yet)" : "");
        return new SyscallOutcome.Signaled(sig, why);
    }

    /** How Linux ends a process for CPU exception {@code vector}, or null when the kernel should decide. */
    static SyscallOutcome.Signaled forException(int vector, long rip) {
        int sig;
        String what;
        switch (vector) {
            case 0 -> { sig = SIGFPE; what = "divide error"; }
            case 1, 3 -> { sig = SIGTRAP; what = vector == 1 ? "debug trap" : "breakpoint"; }
            case 4, 5 -> { sig = SIGSEGV; what = vector == 4 ? "overflow" : "bound range exceeded"; }
            case 6 -> { sig = SIGILL; what = "invalid opcode"; }
            case 7 -> { sig = SIGFPE; what = "device not available"; }
            case 11, 12 -> { sig = SIGBUS; what = vector == 11 ? "segment not present" : "stack fault"; }
            case 13 -> {
                return new SyscallOutcome.Signaled(SIGSEGV, "killed by SIGSEGV at 0x0, rip 0x" + Long.toHexString(rip)
                        + " (general protection fault)");
            }
            case 16 -> { sig = SIGFPE; what = "x87 floating-point error"; }
            case 17 -> { sig = SIGBUS; what = "alignment check"; }
            case 19 -> { sig = SIGFPE; what = "SIMD floating-point exception"; }
            default -> {
                return null;
            }
        }
        return new SyscallOutcome.Signaled(sig, "killed by " + name(sig) + " (" + what + ") at rip 0x" + Long.toHexString(rip));
    }

    static SyscallOutcome.Signaled segmentationFault(long address, long rip) {
        return new SyscallOutcome.Signaled(SIGSEGV, "killed by SIGSEGV at 0x" + Long.toHexString(address) + ", rip 0x"
                + Long.toHexString(rip));
    }
}
