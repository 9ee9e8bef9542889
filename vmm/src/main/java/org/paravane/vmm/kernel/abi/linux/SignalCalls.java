package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EAGAIN;
import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.ENOMEM;
import static org.paravane.vmm.linux.Errno.EPERM;
import static org.paravane.vmm.linux.Errno.ESRCH;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.nio.ByteOrder;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.signal.AltStack;
import org.paravane.vmm.linux.signal.SigAction;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;
import org.paravane.vmm.linux.signal.ThreadSignals;

/**
 * The signal system calls of one thread: rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack, rt_sigsuspend,
 * rt_sigtimedwait, pause, kill, tkill, tgkill (any process or thread of the VM's {@link ProcessTable}). Delivery
 * itself and rt_sigreturn are {@link SignalDelivery}'s.
 */
final class SignalCalls {
    static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

    private final LinuxProcess process;
    private final ThreadSignals thread;

    SignalCalls(LinuxThread self) {
        this.process = self.process;
        this.thread = self.signals;
    }

    private static void checkSetSize(long size) throws ErrnoException {
        if (size != 8) {
            throw new ErrnoException(EINVAL, "signal set of " + size + " bytes (x86-64's is 8)");
        }
    }

    private static int signal(long signal) throws ErrnoException {
        if (!Signal.valid(signal)) {
            throw new ErrnoException(EINVAL, "signal " + signal + " is not 1..64");
        }
        return (int) signal;
    }

    long rtSigaction(long signal, long act, long oldAct, long setSize) throws ErrnoException, GuestAccessException {
        checkSetSize(setSize);
        int sig = signal(signal);
        if (act != 0 && (sig == Signal.SIGKILL || sig == Signal.SIGSTOP)) {
            throw new ErrnoException(EINVAL, "the action of " + Signal.name(sig) + " cannot change");
        }
        SigAction old = thread.process().actions().get(sig);
        if (act != 0) {
            SigAction next = SigAction.read(process.memory().read(act, SigAction.SIZE));
            thread.process().actions().set(sig, next);
            if (next.discards(sig)) {   // POSIX: setting a pending signal to ignored discards it
                thread.process().shared().discard(Signal.bit(sig));
                thread.process().threads().forEach(t -> t.pending().discard(Signal.bit(sig)));
            }
        }
        if (oldAct != 0) {
            process.memory().write(oldAct, old.bytes());
        }
        return 0;
    }

    long rtSigprocmask(long how, long set, long oldSet, long setSize) throws ErrnoException, GuestAccessException {
        checkSetSize(setSize);
        long old = thread.mask();
        if (set != 0) {
            long s = process.memory().readLong(set);
            thread.setMask(switch ((int) how) {
                case SIG_BLOCK -> old | s;
                case SIG_UNBLOCK -> old & ~s;
                case SIG_SETMASK -> s;
                default -> throw new ErrnoException(EINVAL, "sigprocmask how " + how);
            });
        }
        if (oldSet != 0) {
            process.memory().writeLong(oldSet, old);
        }
        return 0;
    }

    /** The pending signals this thread blocks. */
    long rtSigpending(long set, long setSize) throws ErrnoException, GuestAccessException {
        if (setSize > 8) {
            throw new ErrnoException(EINVAL, "signal set of " + setSize + " bytes");
        }
        long pending = (thread.pending().set() | thread.process().shared().set()) & thread.mask();
        byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(pending).array();
        process.memory().write(set, b, 0, (int) setSize);
        return 0;
    }

    long sigaltstack(long ss, long oldSs, long rsp) throws ErrnoException, GuestAccessException {
        AltStack current = thread.altStack();
        if (ss != 0) {
            changeAltStack(thread, AltStack.read(process.memory().read(ss, AltStack.SIZE)), rsp);
        }
        if (oldSs != 0) {
            process.memory().write(oldSs, current.bytes(current.reportedFlags(rsp)));
        }
        return 0;
    }

    /** Linux's do_sigaltstack: not while on it, flags 0, SS_ONSTACK or SS_DISABLE (maybe with SS_AUTODISARM). */
    static void changeAltStack(ThreadSignals thread, AltStack requested, long rsp) throws ErrnoException {
        if (thread.altStack().contains(rsp)) {
            throw new ErrnoException(EPERM, "sigaltstack while running on the alternate stack");
        }
        int mode = requested.flags() & ~AltStack.SS_AUTODISARM;
        if (mode != 0 && mode != AltStack.SS_ONSTACK && mode != AltStack.SS_DISABLE) {
            throw new ErrnoException(EINVAL, "sigaltstack flags 0x" + Integer.toHexString(requested.flags()));
        }
        if (mode == AltStack.SS_DISABLE) {
            thread.setAltStack(AltStack.DISABLED);
            return;
        }
        if (requested.size() < AltStack.MIN_SIZE) {
            throw new ErrnoException(ENOMEM, "alternate stack of " + requested.size() + " bytes (at least "
                    + AltStack.MIN_SIZE + ")");
        }
        thread.setAltStack(new AltStack(requested.sp(), requested.flags() & AltStack.SS_AUTODISARM, requested.size()));
    }

    /** rt_sigsuspend: waits with {@code mask} until a handler runs; always EINTR, the old mask back after it. */
    SyscallOutcome rtSigsuspend(long mask, long setSize) throws ErrnoException, GuestAccessException {
        checkSetSize(setSize);
        thread.suspendWith(process.memory().readLong(mask));
        return new SyscallOutcome.Block(new UntilSignal());
    }

    /**
     * ppoll, pselect6, epoll_pwait and epoll_pwait2: {@code call} runs with the mask at {@code sigmask} (0: the
     * thread's own). The old mask comes back when the call completes; when a signal interrupts it, after that signal's
     * handler (the frame saves the old mask, as for sigsuspend).
     */
    long withMask(long sigmask, CallBlocks.Attempt call) throws ErrnoException, GuestAccessException, CallBlocks {
        if (sigmask == 0) {
            return call.attempt();
        }
        thread.suspendWith(process.memory().readLong(sigmask));
        boolean waits = false;
        try {
            return call.attempt();
        } catch (CallBlocks blocks) {
            waits = true;
            throw blocks.whenCompleted(thread::restoreSavedMask);
        } finally {
            if (!waits) {
                thread.restoreSavedMask();
            }
        }
    }

    /** pause: waits until a handler runs (or the process ends). */
    SyscallOutcome pause() {
        return new SyscallOutcome.Block(new UntilSignal());
    }

    /** Ends only by a signal's interruption (EINTR, never restarted). */
    private static final class UntilSignal implements Blocked {
        @Override
        public SyscallOutcome resume(SyscallTask task) {
            return new SyscallOutcome.Block(this);
        }

        @Override
        public Restart restart() {
            return Restart.NEVER;
        }
    }

    /** rt_sigtimedwait: takes a pending signal of {@code set}, waiting up to the timeout for one. */
    SyscallOutcome rtSigtimedwait(SyscallTask task, long set, long info, long timeout, long setSize)
            throws ErrnoException, GuestAccessException {
        checkSetSize(setSize);
        long wanted = process.memory().readLong(set) & ~Signal.UNBLOCKABLE;
        long deadline = SyscallOutcome.Block.NO_DEADLINE;
        if (timeout != 0) {
            long nanos = TimeCalls.readTimespec(process.memory(), timeout);
            deadline = nanos >= Long.MAX_VALUE - task.nanosSinceStart() ? deadline : task.nanosSinceStart() + nanos;
        }
        return new TimedWait(wanted, info, deadline).resume(task);
    }

    private final class TimedWait implements Blocked {
        private final long wanted, info, deadline;

        TimedWait(long wanted, long info, long deadline) {
            this.wanted = wanted;
            this.info = info;
            this.deadline = deadline;
        }

        @Override
        public SyscallOutcome resume(SyscallTask task) {
            SigInfo got = thread.takeFrom(wanted);
            if (got != null) {
                if (info != 0) {
                    try {
                        process.memory().write(info, got.bytes());
                    } catch (GuestAccessException e) {
                        return new SyscallOutcome.Return(-org.paravane.vmm.linux.Errno.EFAULT);
                    }
                }
                return new SyscallOutcome.Return(got.signo());
            }
            if (task.nanosSinceStart() >= deadline) {
                return new SyscallOutcome.Return(-EAGAIN);
            }
            return new SyscallOutcome.Block(this, deadline);
        }

        @Override
        public Restart restart() {
            return Restart.NEVER;
        }
    }

    /**
     * kill: {@code pid} > 0 that process, 0 the caller's process group, -1 every process but init and the caller,
     * < -1 the group -pid. Signal 0 only checks that a target exists. ESRCH when none does.
     */
    SyscallOutcome kill(long pid, long signal) throws ErrnoException {
        int sig = signal == 0 ? 0 : signal(signal);
        if (pid == Integer.MIN_VALUE || (int) pid != pid) {
            throw new ErrnoException(ESRCH, "no process " + pid);
        }
        List<LinuxProcess> targets = new ArrayList<>();
        ProcessTable table = process.host.processes();
        synchronized (table) {
            for (LinuxProcess p : table.all()) {
                boolean chosen = pid > 0 ? p.pid == pid
                        : pid == 0 ? p.pgid == process.pgid
                        : pid == -1 ? p != table.init() && p != process
                        : p.pgid == -pid;
                if (chosen && p.state() == LinuxProcess.State.LIVE) {
                    targets.add(p);
                } else if (chosen && pid > 0) {
                    return new SyscallOutcome.Return(0);   // a zombie: it exists, the signal does nothing
                }
            }
        }
        if (targets.isEmpty()) {
            throw new ErrnoException(ESRCH, "no process " + (pid < -1 ? "in group " + -pid : pid));
        }
        if (sig != 0) {
            SigInfo info = SigInfo.sent(sig, SigInfo.SI_USER, process.pid, 0);
            targets.forEach(p -> p.signals.post(info));
        }
        return new SyscallOutcome.Return(0);
    }

    /** tkill and tgkill ({@code tgid} -1 for tkill): to one thread, of any process (tgkill: of process tgid). */
    SyscallOutcome tkill(long tgid, long tid, long signal) throws ErrnoException {
        if (tid <= 0 || tgid == 0 || tgid < -1 || (int) tid != tid) {
            throw new ErrnoException(EINVAL, "thread " + tid + (tgid == -1 ? "" : " of thread group " + tgid));
        }
        int sig = signal == 0 ? 0 : signal(signal);
        ThreadSignals target = null;
        ProcessTable table = process.host.processes();
        synchronized (table) {
            for (LinuxProcess p : tgid == -1 ? table.all() : java.util.Optional.ofNullable(table.get((int) tgid))
                    .stream().toList()) {
                for (LinuxThread t : p.threads()) {
                    if (t.tid == tid) {
                        target = t.signals;
                    }
                }
            }
        }
        if (target == null) {
            throw new ErrnoException(ESRCH, "no thread " + tid + (tgid == -1 ? "" : " in thread group " + tgid));
        }
        if (sig != 0) {
            target.post(SigInfo.sent(sig, SigInfo.SI_TKILL, process.pid, 0));
        }
        return new SyscallOutcome.Return(0);
    }
}
