package org.paravane.kvm.vstate.vcpu;

import java.util.concurrent.atomic.AtomicReference;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmRun;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.NativeException;

/**
 * {@code run()} of a KVM vCPU: enters the guest until something the caller must see happens, and maps KVM's exit to
 * a {@link VcpuExit}. Exits the backend handles itself (an interrupt window opening, a halt ended by an interrupt, a
 * stale timer signal) re-enter. While it runs the vCPU is {@link VcpuRunState#RUNNING}; the halt its exits leave is
 * kept in {@link #stop} and becomes the vCPU's state when it returns.
 */
final class RunLoop {
    private static final VcpuExit.Interrupted KICKED = new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK);
    private static final VcpuExit.Interrupted BUDGET = new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET);
    private static final VcpuExit.Interrupted SIGNAL = new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.SIGNAL);

    private record MemoryErrorNote(long guestAddress, String cause) {
    }

    private final KvmVcpu vcpu;
    private final VcpuHost host;
    private final VcpuFd fd;
    private final KvmRun run;
    private final String where;
    private final RunStateMachine states;
    private final Kicker kicker;
    private final SyncRegisters sync;
    private final IoExitRip ioRip;
    private final InterruptQueue interrupts;
    private final MpState mp;
    private final Runnable forgetKnownState;
    private final AtomicReference<MemoryErrorNote> memoryError = new AtomicReference<>();
    private volatile RunBudget budget = RunBudget.UNLIMITED;
    /** During a run: the stopped state the vCPU is in when the run returns (STOPPED, HALTED or MAYBE_HALTED). */
    private VcpuRunState stop = VcpuRunState.STOPPED;
    private volatile long runs, exits, haltedNanos, runNanos;

    RunLoop(KvmVcpu vcpu, VcpuHost host, VcpuFd fd, String where, RunStateMachine states, Kicker kicker, SyncRegisters sync,
            IoExitRip ioRip, InterruptQueue interrupts, MpState mp, Runnable forgetKnownState) {
        this.vcpu = vcpu;
        this.host = host;
        this.fd = fd;
        this.run = fd.kvmRun();
        this.where = where;
        this.states = states;
        this.kicker = kicker;
        this.sync = sync;
        this.ioRip = ioRip;
        this.interrupts = interrupts;
        this.mp = mp;
        this.forgetKnownState = forgetKnownState;
    }

    void setBudget(RunBudget budget) {
        this.budget = budget == null ? RunBudget.UNLIMITED : budget;
    }

    long runs() {
        return runs;
    }

    long exits() {
        return exits;
    }

    long haltedNanos() {
        return haltedNanos;
    }

    long runNanos() {
        return runNanos;
    }

    /** The page the vCPU's thread waits for cannot be had: the run returns MemoryError. False when one is pending. */
    boolean memoryError(long guestAddress, String cause) {
        if (!memoryError.compareAndSet(null, new MemoryErrorNote(guestAddress, cause))) {
            return false;
        }
        kicker.signalRunThread();
        return true;
    }

    VcpuExit run() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where + ": run() must be called on a "
                    + "platform thread, not the virtual thread " + t + " (a blocking KVM_RUN would pin its carrier); give each "
                    + "vCPU its own Thread.ofPlatform() thread");
        }
        VcpuRunState before = states.enterRun();
        if (before.isRunning()) {
            Thread other = kicker.runThread();
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where + " is already running on thread '"
                    + (other == null ? "?" : other.getName()) + "': run() is called by one thread at a time");
        }
        if (before == VcpuRunState.CLOSED) {
            host.checkOpen();
            throw new BackendException(BackendException.Reason.CLOSED, where + " is closed");
        }
        stop = before;
        long start = System.nanoTime();
        try {
            host.checkOpen();
            kicker.bind(t, budget.nanos() != 0);
            runs++;
            VcpuExit exit = loop(System.nanoTime());   // the budget counts from here: binding a new thread takes time
            exits++;
            return exit;
        } finally {
            runNanos += System.nanoTime() - start;
            states.leaveRun(stop);
        }
    }

    private VcpuExit loop(long start) {
        if (kicker.takeKick()) {
            kicker.clearExitRequest();
            return KICKED;
        }
        long budgetNanos = budget.nanos();
        long deadline = budgetNanos == 0 ? 0 : start + budgetNanos;
        if (stop == VcpuRunState.HALTED) {
            VcpuExit e = haltWait(deadline);
            if (e != null) {
                return e;
            }
        }
        while (true) {
            if (!interrupts.isEmpty()) {
                interrupts.offer();
            }
            if (deadline != 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return BUDGET;
                }
                kicker.armTimer(left);
            }
            forgetKnownState.run();   // the guest may change MSRs, FPU and MP state
            ioRip.beforeEntry();
            VcpuFd.RunResult result = null;
            int failure = 0;
            try {
                result = fd.run();
            } catch (NativeException e) {
                failure = e.errno();
            }
            if (deadline != 0) {
                kicker.disarmTimer();
            }
            if (states.state().isClosed()) {
                // the VM closed under us: its userfaultfd is gone, so what the guest did since is not to be trusted
                host.checkOpen();
            }
            sync.setValid(result != null);
            if (result == VcpuFd.RunResult.INTERRUPTED) {
                VcpuExit e = interrupted(deadline, kicker.clearExitRequest());
                if (e != null) {
                    return e;
                }
                continue;
            }
            if (result == null) {
                return failedRun(failure);
            }
            VcpuExit e = exit(deadline);
            if (e != null) {
                return e;
            }
        }
    }

    /** Why KVM_RUN returned EINTR; null when nothing the caller asked for happened (a stale timer signal). */
    private VcpuExit interrupted(long deadline, int signal) {
        if (host.irqchip()) {
            stop = VcpuRunState.MAYBE_HALTED;   // a signal can end a run while KVM holds the vCPU halted
        }
        MemoryErrorNote note = memoryError.getAndSet(null);
        if (note != null && !host.memory().isPresent(note.guestAddress())) {
            return new VcpuExit.MemoryError(note.guestAddress(), note.cause());
        }
        if (host.irqchip() && (sync.rflags() & GeneralRegisters.RFLAGS_IF) == 0
                && mp.get() == KvmConstants.MP_STATE_HALTED) {
            kicker.clearKick();
            return new VcpuExit.Halted(sync.rip());
        }
        if (kicker.takeKick()) {
            return KICKED;
        }
        if (deadline != 0 && System.nanoTime() - deadline >= 0) {
            // A vCPU cannot take its tick while the host fetches the page it touched (no async PF for this fault):
            // the run ends when the page is in, as a tick queued during the fault is taken after it. The fault
            // handler wakes this wait when the page stops being awaited; a kick and the close wake it too.
            kicker.awaitWhile(() -> host.awaitsPage(vcpu) && !kicker.kickRequested() && !states.state().isClosed(), 0);
            return kicker.takeKick() ? KICKED : BUDGET;
        }
        return signal == 0 ? SIGNAL : null;
    }

    /** The exit KVM reported, or null to re-enter (an interrupt window opened, a halt ended by an interrupt). */
    private VcpuExit exit(long deadline) {
        int reason = run.exitReason();
        return switch (reason) {
            case KvmConstants.EXIT_IO -> {
                if (run.ioIn()) {
                    ioRip.notePendingRead();
                } else if (run.ioCount() == 1) {
                    ioRip.rewindCompletedOut(run.ioPort(), run.ioSize());
                }
                yield new VcpuExit.PortIo(run.ioPort(), run.ioSize(), run.ioCount(), run.ioIn(), run.ioData());
            }
            case KvmConstants.EXIT_MMIO -> {
                if (!run.mmioWrite()) {
                    ioRip.notePendingRead();
                }
                yield new VcpuExit.Mmio(run.mmioAddress(), run.mmioLength(), run.mmioWrite(), run.mmioData());
            }
            case KvmConstants.EXIT_HLT -> {
                if ((sync.rflags() & GeneralRegisters.RFLAGS_IF) == 0 && interrupts.isEmpty()) {
                    yield new VcpuExit.Halted(sync.rip());
                }
                stop = VcpuRunState.HALTED;
                yield haltWait(deadline);
            }
            case KvmConstants.EXIT_DEBUG -> new VcpuExit.Debug(run.debugPc(), (run.debugDr6() & (1 << 14)) != 0);
            case KvmConstants.EXIT_SHUTDOWN -> new VcpuExit.Shutdown("KVM_EXIT_SHUTDOWN: triple fault or an exception the CPU "
                    + "could not deliver; " + sync.summary());
            case KvmConstants.EXIT_FAIL_ENTRY -> new VcpuExit.Failed("KVM_EXIT_FAIL_ENTRY", run.failEntryReason(),
                    where + ": the hardware refused to enter the guest (entry failure reason 0x"
                            + Long.toHexString(run.failEntryReason()) + ", host CPU " + run.failEntryCpu() + "); " + sync.summary());
            case KvmConstants.EXIT_INTERNAL_ERROR -> new VcpuExit.Failed("KVM_EXIT_INTERNAL_ERROR", run.internalSuberror(),
                    where + ": KVM internal error " + KvmConstants.internalErrorName(run.internalSuberror()) + ", data "
                            + hex(run.internalData()) + "; " + sync.summary());
            case KvmConstants.EXIT_SYSTEM_EVENT -> systemEvent();
            case KvmConstants.EXIT_IRQ_WINDOW_OPEN -> null;
            case KvmConstants.EXIT_INTR -> interrupted(deadline, kicker.takePendingSignal());
            default -> new VcpuExit.Failed(KvmConstants.exitName(reason), reason, where + ": unexpected exit "
                    + KvmConstants.exitName(reason) + " (" + reason + ") that this backend does not handle (hardware exit reason 0x"
                    + Long.toHexString(run.hardwareExitReason()) + "); " + sync.summary());
        };
    }

    private VcpuExit systemEvent() {
        int type = run.systemEventType();
        String detail = "KVM_EXIT_SYSTEM_EVENT type " + type + ", data " + hex(run.systemEventData());
        return switch (type) {
            case KvmConstants.SYSTEM_EVENT_SHUTDOWN -> new VcpuExit.SystemEvent(VcpuExit.SystemEvent.Type.SHUTDOWN, detail);
            case KvmConstants.SYSTEM_EVENT_RESET -> new VcpuExit.SystemEvent(VcpuExit.SystemEvent.Type.RESET, detail);
            case KvmConstants.SYSTEM_EVENT_CRASH, KvmConstants.SYSTEM_EVENT_SEV_TERM ->
                    new VcpuExit.SystemEvent(VcpuExit.SystemEvent.Type.CRASH, detail);
            default -> new VcpuExit.Failed("KVM_EXIT_SYSTEM_EVENT", type, where + ": unsupported system event; " + detail);
        };
    }

    private VcpuExit failedRun(int e) {
        MemoryErrorNote note = memoryError.getAndSet(null);
        if (note != null) {
            return new VcpuExit.MemoryError(note.guestAddress(), note.cause());
        }
        String state = sync.forDetail();
        if (e == Errno.EFAULT && run.exitReason() == KvmConstants.EXIT_MEMORY_FAULT) {
            return new VcpuExit.MemoryError(run.memoryFaultAddress(), "KVM_EXIT_MEMORY_FAULT (flags 0x"
                    + Long.toHexString(run.memoryFaultFlags()) + ", " + run.memoryFaultSize() + " bytes)");
        }
        long lost = host.memory().lastLost();
        if (e == Errno.EFAULT && lost >= 0) {
            // A lost page is inaccessible on the host: the guest touched it (or another one lost before it).
            return new VcpuExit.MemoryError(lost, host.memory().lostCause(lost));
        }
        if (e == Errno.EFAULT || e == Errno.EHWPOISON) {
            throw new BackendException(BackendException.Reason.GUEST_FAILURE, where + ": KVM could not access guest memory "
                    + "(KVM_RUN: " + Errno.name(e) + "); a memory region's host mapping is gone or poisoned",
                    "KVM_RUN returned " + Errno.name(e) + "; " + state, null);
        }
        if (e == Errno.EBADF) {
            host.checkOpen();
        }
        BackendException.Reason reason = e == Errno.ENOEXEC || e == Errno.EINVAL
                ? BackendException.Reason.GUEST_FAILURE : BackendException.Reason.INTERNAL;
        throw new BackendException(reason, where + ": KVM_RUN failed with " + Errno.name(e) + " (" + Errno.describe(e) + ")"
                + (e == Errno.ENOEXEC ? ": KVM found the vCPU state not runnable" : ""), state, null);
    }

    /** Emulated HLT without an in-kernel irqchip: sleep until a kick, the budget, or a queued interrupt. */
    private VcpuExit haltWait(long deadline) {
        long t0 = System.nanoTime();
        try {
            while (true) {
                if (kicker.takeKick()) {
                    kicker.clearExitRequest();
                    return KICKED;
                }
                if (!interrupts.isEmpty()) {
                    stop = VcpuRunState.STOPPED;
                    return null;
                }
                long now = System.nanoTime();
                if (deadline != 0 && now - deadline >= 0) {
                    return BUDGET;
                }
                if (states.state().isClosed()) {
                    host.checkOpen();
                    throw new BackendException(BackendException.Reason.CLOSED, where + " is closed");
                }
                // a kick and the close wake this wait; an interrupt is only queued while the vCPU is stopped
                kicker.awaitWhile(() -> !kicker.kickRequested() && !states.state().isClosed(), deadline);
            }
        } finally {
            haltedNanos += System.nanoTime() - t0;
        }
    }

    private static String hex(long[] values) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : " ").append(Long.toHexString(values[i]));
        }
        return b.append(']').toString();
    }
}
