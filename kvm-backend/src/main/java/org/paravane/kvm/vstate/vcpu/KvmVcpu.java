package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VcpuStats;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.Msr;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmLayouts;
import org.paravane.kvm.ioctls.KvmRun;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.kvm.uffd.FaultedVcpu;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.Native;
import org.paravane.support.linux.NativeException;
import org.paravane.support.linux.Signals;
import org.paravane.support.linux.Syscalls;
import org.paravane.support.linux.Timers;

/**
 * A KVM vCPU. {@link #run()} enters the guest on the caller's platform thread; registers move through KVM's sync-regs
 * area (no ioctl per exit); {@link #kick()} sets {@code immediate_exit} and sends the VM's kick signal, which the
 * vCPU thread keeps blocked except inside KVM_RUN (KVM_SET_SIGNAL_MASK), so a kick or a budget timer that fires just
 * before the guest entry still stops it; the pending signal is taken with sigtimedwait after the exit.
 */
public final class KvmVcpu implements Vcpu, FaultedVcpu {
    private static final VcpuExit.Interrupted KICKED = new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK);
    private static final VcpuExit.Interrupted BUDGET = new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET);
    private static final VcpuExit.Interrupted SIGNAL = new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.SIGNAL);
    private static final int MAX_MSRS = 32;

    private record MemoryErrorNote(long guestAddress, String cause) {
    }

    private final VcpuHost host;
    private final VcpuFd fd;
    private final KvmRun run;
    private final int id;
    private final MemorySegment errno;
    private final MemorySegment regsBuf, sregsBuf, eventsBuf, msrsBuf, xsaveBuf, fpuBuf, mpBuf, lapicBuf, debugBuf, scratch,
            signalSet, zeroTimeout;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean kickPending = new AtomicBoolean();
    private final AtomicReference<MemoryErrorNote> memoryError = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicLong pageWaitNanos = new java.util.concurrent.atomic.AtomicLong();
    /** The last run ended on a signal (a kick, a timer): with an irqchip the vCPU may still be halted in KVM. */
    private boolean mayBeHalted;
    private volatile Thread runThread;
    private volatile long runPthread;
    private volatile int runTid;
    private Thread boundThread;
    private Timers timer;
    private volatile RunBudget budget = RunBudget.UNLIMITED;

    /** The sync-regs area holds the vCPU's registers (or writes waiting for the next entry). */
    private boolean syncValid;
    /** Without an in-kernel irqchip: the guest executed HLT with IF=1 and waits for an interrupt. */
    private boolean halted;
    /** Without an in-kernel irqchip: an interrupt to inject once the guest can take it. */
    private int queuedInterrupt = -1;
    /**
     * An {@code out} KVM completed before the exit (RIP already after it): RIP is reported at the instruction, as the
     * API says, and set back to {@code rewoundTo} at the next entry unless the caller moved it. -1: none.
     */
    private long rewoundFrom = -1, rewoundTo;
    /** An {@code in} or MMIO load waits for its data: KVM completes it at the next entry, with the RIP of {@code readExitRip}. */
    private boolean pendingRead;
    private long readExitRip;
    /** Values known to be current (read or written since the guest last ran), to skip redundant ioctls. */
    private ModelSpecificRegisters knownMsrs;
    private byte[] knownFxsave;
    private int knownMpState = -1;
    private int asyncPfVector = -1;
    /** The async-PF MSRs of a VM that keeps them in the backend ({@link VcpuHost#asyncPfMsrsOnly()}). */
    private long keptAsyncPfEn, keptAsyncPfInt;
    private volatile boolean closed;

    private volatile long runs, exits, haltedNanos, runNanos;

    public KvmVcpu(VcpuHost host, VcpuFd fd, Arena arena) {
        this.host = host;
        this.fd = fd;
        this.run = fd.kvmRun();
        this.id = fd.id();
        this.errno = arena.allocate(java.lang.foreign.Linker.Option.captureStateLayout());
        this.regsBuf = arena.allocate(KvmLayouts.KVM_REGS);
        this.sregsBuf = arena.allocate(KvmLayouts.KVM_SREGS);
        this.eventsBuf = arena.allocate(KvmLayouts.KVM_VCPU_EVENTS);
        this.msrsBuf = arena.allocate(KvmLayouts.KVM_MSRS.byteSize() + MAX_MSRS * KvmLayouts.KVM_MSR_ENTRY.byteSize(), 8);
        this.xsaveBuf = arena.allocate(KvmLayouts.KVM_XSAVE.byteSize(), 64);
        this.fpuBuf = arena.allocate(KvmLayouts.KVM_FPU);
        this.mpBuf = arena.allocate(KvmLayouts.KVM_MP_STATE);
        this.lapicBuf = arena.allocate(KvmLayouts.KVM_LAPIC_STATE);
        this.debugBuf = arena.allocate(KvmLayouts.KVM_GUEST_DEBUG);
        this.scratch = arena.allocate(64, 8);
        this.signalSet = arena.allocate(Signals.SIGSET);
        Signals.add(signalSet, host.kickSignal());
        this.zeroTimeout = arena.allocate(Signals.TIMESPEC);
        run.validRegs(KvmConstants.SYNC_ALL);
    }

    public VcpuFd fd() {
        return fd;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public VirtualMachine vm() {
        return host.vm();
    }

    /** The kernel id of the thread in run() now, or 0. */
    public int runningThreadId() {
        return running.get() ? runTid : 0;
    }

    public boolean isRunning() {
        return running.get();
    }

    // ---------------------------------------------------------------- run

    @Override
    public VcpuExit run() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where() + ": run() must be called on a "
                    + "platform thread, not the virtual thread " + t + " (a blocking KVM_RUN would pin its carrier); give each "
                    + "vCPU its own Thread.ofPlatform() thread");
        }
        if (!running.compareAndSet(false, true)) {
            Thread other = runThread;
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where() + " is already running on thread '"
                    + (other == null ? "?" : other.getName()) + "': run() is called by one thread at a time");
        }
        long start = System.nanoTime();
        try {
            host.checkOpen();
            runThread = t;
            bind(t);
            runs++;
            VcpuExit exit = runLoop(System.nanoTime());   // the budget counts from here: binding a new thread takes time
            exits++;
            return exit;
        } finally {
            runNanos += System.nanoTime() - start;
            running.set(false);
        }
    }

    private VcpuExit runLoop(long start) {
        if (kickPending.getAndSet(false)) {
            run.immediateExit(false);
            Signals.takePending(signalSet, zeroTimeout);
            return KICKED;
        }
        long budgetNanos = budget.nanos();
        long deadline = budgetNanos == 0 ? 0 : start + budgetNanos;
        if (halted) {
            VcpuExit e = haltWait(deadline);
            if (e != null) {
                return e;
            }
        }
        while (true) {
            if (queuedInterrupt >= 0) {
                offerQueuedInterrupt();
            }
            if (deadline != 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return BUDGET;
                }
                timer.arm(left);
            }
            invalidateKnownState();
            resumeAfterRewoundOut();
            pendingRead = false;
            int r = fd.run(errno);
            if (deadline != 0) {
                timer.disarm();
            }
            if (closed) {
                // the VM closed under us: its userfaultfd is gone, so what the guest did since is not to be trusted
                host.checkOpen();
            }
            syncValid = r == 0 || r == -Errno.EINTR;
            if (r == -Errno.EINTR) {
                run.immediateExit(false);
                int signal = Signals.takePending(signalSet, zeroTimeout);
                VcpuExit e = interrupted(deadline, signal);
                if (e != null) {
                    return e;
                }
                continue;
            }
            if (r < 0) {
                return failedRun(-r);
            }
            VcpuExit e = exit(deadline);
            if (e != null) {
                return e;
            }
        }
    }

    /** Why KVM_RUN returned EINTR; null when nothing the caller asked for happened (a stale timer signal). */
    private VcpuExit interrupted(long deadline, int signal) {
        mayBeHalted = true;
        MemoryErrorNote note = memoryError.getAndSet(null);
        if (note != null && !host.memory().isPresent(note.guestAddress())) {
            return new VcpuExit.MemoryError(note.guestAddress(), note.cause());
        }
        if (host.irqchip() && (run.syncRegs().get(JAVA_LONG, StateCodec.RFLAGS) & GeneralRegisters.RFLAGS_IF) == 0
                && mpState() == KvmConstants.MP_STATE_HALTED) {
            kickPending.set(false);
            return new VcpuExit.Halted(run.syncRegs().get(JAVA_LONG, StateCodec.RIP));
        }
        if (kickPending.getAndSet(false)) {
            return KICKED;
        }
        if (deadline != 0 && System.nanoTime() - deadline >= 0) {
            // A vCPU cannot take its tick while the host fetches the page it touched (no async PF for this fault):
            // the run ends when the page is in, as a tick queued during the fault is taken after it.
            while (host.awaitsPage(this) && !kickPending.get() && !closed) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
            return kickPending.getAndSet(false) ? KICKED : BUDGET;
        }
        return signal == 0 ? SIGNAL : null;
    }

    /** The exit KVM reported, or null to re-enter (an interrupt window opened, a halt ended by an interrupt). */
    private VcpuExit exit(long deadline) {
        int reason = run.exitReason();
        return switch (reason) {
            case KvmConstants.EXIT_IO -> {
                if (run.ioIn()) {
                    notePendingRead();
                } else if (run.ioCount() == 1) {
                    rewindCompletedOut(run.ioPort(), run.ioSize());
                }
                yield new VcpuExit.PortIo(run.ioPort(), run.ioSize(), run.ioCount(), run.ioIn(), run.ioData());
            }
            case KvmConstants.EXIT_MMIO -> {
                if (!run.mmioWrite()) {
                    notePendingRead();
                }
                yield new VcpuExit.Mmio(run.mmioAddress(), run.mmioLength(), run.mmioWrite(), run.mmioData());
            }
            case KvmConstants.EXIT_HLT -> {
                long rip = run.syncRegs().get(JAVA_LONG, StateCodec.RIP);
                if ((run.syncRegs().get(JAVA_LONG, StateCodec.RFLAGS) & GeneralRegisters.RFLAGS_IF) == 0 && queuedInterrupt < 0) {
                    yield new VcpuExit.Halted(rip);
                }
                halted = true;
                yield haltWait(deadline);
            }
            case KvmConstants.EXIT_DEBUG -> new VcpuExit.Debug(run.debugPc(), (run.debugDr6() & (1 << 14)) != 0);
            case KvmConstants.EXIT_SHUTDOWN -> new VcpuExit.Shutdown("KVM_EXIT_SHUTDOWN: triple fault or an exception the CPU "
                    + "could not deliver; " + syncSummary());
            case KvmConstants.EXIT_FAIL_ENTRY -> new VcpuExit.Failed("KVM_EXIT_FAIL_ENTRY", run.failEntryReason(),
                    where() + ": the hardware refused to enter the guest (entry failure reason 0x"
                            + Long.toHexString(run.failEntryReason()) + ", host CPU " + run.failEntryCpu() + "); " + syncSummary());
            case KvmConstants.EXIT_INTERNAL_ERROR -> new VcpuExit.Failed("KVM_EXIT_INTERNAL_ERROR", run.internalSuberror(),
                    where() + ": KVM internal error " + KvmConstants.internalErrorName(run.internalSuberror()) + ", data "
                            + hex(run.internalData()) + "; " + syncSummary());
            case KvmConstants.EXIT_SYSTEM_EVENT -> systemEvent();
            case KvmConstants.EXIT_IRQ_WINDOW_OPEN -> null;
            case KvmConstants.EXIT_INTR -> interrupted(deadline, Signals.takePending(signalSet, zeroTimeout));
            default -> new VcpuExit.Failed(KvmConstants.exitName(reason), reason, where() + ": unexpected exit "
                    + KvmConstants.exitName(reason) + " (" + reason + ") that this backend does not handle (hardware exit reason 0x"
                    + Long.toHexString(run.hardwareExitReason()) + "); " + syncSummary());
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
            default -> new VcpuExit.Failed("KVM_EXIT_SYSTEM_EVENT", type, where() + ": unsupported system event; " + detail);
        };
    }

    private VcpuExit failedRun(int e) {
        MemoryErrorNote note = memoryError.getAndSet(null);
        if (note != null) {
            return new VcpuExit.MemoryError(note.guestAddress(), note.cause());
        }
        String state = registersForDetail();
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
            throw new BackendException(BackendException.Reason.GUEST_FAILURE, where() + ": KVM could not access guest memory "
                    + "(KVM_RUN: " + Errno.name(e) + "); a memory region's host mapping is gone or poisoned",
                    "KVM_RUN returned " + Errno.name(e) + "; " + state, null);
        }
        if (e == Errno.EBADF) {
            host.checkOpen();
        }
        BackendException.Reason reason = e == 8 /* ENOEXEC */ || e == Errno.EINVAL
                ? BackendException.Reason.GUEST_FAILURE : BackendException.Reason.INTERNAL;
        throw new BackendException(reason, where() + ": KVM_RUN failed with " + Errno.name(e) + " (" + Errno.describe(e) + ")"
                + (e == 8 ? ": KVM found the vCPU state not runnable" : ""), state, null);
    }

    private void notePendingRead() {
        pendingRead = true;
        readExitRip = run.syncRegs().get(JAVA_LONG, StateCodec.RIP);
    }

    /**
     * Where KVM completed an {@code out} before exiting (RIP after it), reports RIP at the {@code out}: the API's rule
     * for I/O exits, and what a trap-stub guest uses to tell the vector. Only the sync area changes; KVM's own RIP
     * stays after the instruction, and {@link #resumeAfterRewoundOut} restores it if the caller wrote the registers
     * without moving RIP.
     */
    private void rewindCompletedOut(int port, int size) {
        MemorySegment regs = run.syncRegs();
        MemorySegment sregs = run.syncSregs();
        long rip = regs.get(JAVA_LONG, StateCodec.RIP);
        long cr3 = StateCodec.cr3(sregs);
        boolean paging = (StateCodec.decodeControl(sregs).cr0() & ControlRegisters.CR0_PG) != 0;
        long start = GuestCode.outStartingBefore(host.memory(), cr3, paging, rip, port, size);
        if (start < 0 || (!host.outAdvancesRip() && GuestCode.outStartsAt(host.memory(), cr3, paging, rip, port, size))) {
            return;   // RIP is at the out already (VMX/SVM fast path: KVM skips it at the next entry)
        }
        regs.set(JAVA_LONG, StateCodec.RIP, start);
        rewoundFrom = start;
        rewoundTo = rip;
    }

    private void resumeAfterRewoundOut() {
        if (rewoundFrom < 0) {
            return;
        }
        MemorySegment regs = run.syncRegs();
        if ((run.dirtyRegs() & KvmConstants.SYNC_REGS) != 0 && regs.get(JAVA_LONG, StateCodec.RIP) == rewoundFrom) {
            regs.set(JAVA_LONG, StateCodec.RIP, rewoundTo);   // registers written, RIP kept: the out is done, go on after it
        }
        rewoundFrom = -1;   // not written: KVM's RIP is after the out already; moved: the caller abandoned it
    }

    /**
     * The caller moves RIP away from an {@code in} or MMIO load whose data KVM still has to deliver: let KVM finish
     * that first (a KVM_RUN with immediate_exit completes it and returns at once), so it cannot overwrite the
     * registers the caller is about to set. The abandoned load writes nothing the caller keeps.
     */
    private void abandonPendingRead(long newRip) {
        if (!pendingRead || newRip == readExitRip) {
            return;
        }
        pendingRead = false;
        long dirty = run.dirtyRegs();
        run.immediateExit(true);
        int r = fd.run(errno);
        run.immediateExit(false);
        if (r < 0 && r != -Errno.EINTR) {
            throw new BackendException(BackendException.Reason.INTERNAL, where() + ": completing the abandoned I/O read failed: "
                    + Errno.name(-r), registersForDetail(), null);
        }
        syncValid = true;
        if (dirty != 0) {
            invalidateKnownState();
        }
    }

    /** Emulated HLT without an in-kernel irqchip: sleep until a kick, the budget, or a queued interrupt. */
    private VcpuExit haltWait(long deadline) {
        long t0 = System.nanoTime();
        try {
            while (true) {
                if (kickPending.getAndSet(false)) {
                    run.immediateExit(false);
                    Signals.takePending(signalSet, zeroTimeout);
                    return KICKED;
                }
                if (queuedInterrupt >= 0) {
                    halted = false;
                    return null;
                }
                long now = System.nanoTime();
                if (deadline != 0 && now - deadline >= 0) {
                    return BUDGET;
                }
                if (closed) {
                    host.checkOpen();
                }
                LockSupport.parkNanos(this, deadline != 0 ? deadline - now : 100_000_000L);
            }
        } finally {
            haltedNanos += System.nanoTime() - t0;
        }
    }

    /** Injects a queued interrupt when the guest can take it, or asks KVM to exit when it can. */
    private void offerQueuedInterrupt() {
        if (run.readyForInterruptInjection() && syncValid
                && (run.syncRegs().get(JAVA_LONG, StateCodec.RFLAGS) & GeneralRegisters.RFLAGS_IF) != 0) {
            fd.interrupt(scratch, queuedInterrupt);
            queuedInterrupt = -1;
            run.requestInterruptWindow(false);
        } else {
            run.requestInterruptWindow(true);
        }
    }

    /** The first run on a thread: block the kick signal there, let KVM unblock it inside KVM_RUN, note the thread ids. */
    private void bind(Thread t) {
        if (t == boundThread) {
            if (budget.nanos() != 0 && timer == null) {
                timer = Timers.signalingThread(runTid, host.kickSignal());
            }
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(Signals.SIGSET);
            Signals.threadMask(Signals.SIG_BLOCK, signalSet, old);
            Signals.remove(old, host.kickSignal());
            // struct kvm_signal_mask { u32 len; u8 sigset[]; }: the kernel's 64-bit sigset follows len at offset 4
            MemorySegment mask = arena.allocate(KvmLayouts.KVM_SIGNAL_MASK.byteSize() + 8, 8);
            mask.set(JAVA_INT, 0, 8);
            mask.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, KvmLayouts.KVM_SIGNAL_MASK.byteSize(), old.get(JAVA_LONG, 0));
            fd.setSignalMask(mask);
        }
        runPthread = Signals.pthreadSelf();
        runTid = Syscalls.gettid();
        if (timer != null) {
            timer.close();
            timer = null;
        }
        if (budget.nanos() != 0) {
            timer = Timers.signalingThread(runTid, host.kickSignal());
        }
        boundThread = t;
    }

    @Override
    public void kick() {
        kickPending.set(true);
        signalRunThread();
    }

    private void signalRunThread() {
        if (closed) {
            return;
        }
        run.immediateExit(true);
        if (running.get()) {
            long pthread = runPthread;
            if (pthread != 0) {
                Signals.kill(pthread, host.kickSignal());
            }
            Thread t = runThread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public void pageWaited(long nanos) {
        pageWaitNanos.addAndGet(nanos);
    }

    @Override
    public boolean memoryError(long guestAddress, String cause) {
        if (!memoryError.compareAndSet(null, new MemoryErrorNote(guestAddress, cause))) {
            return false;
        }
        signalRunThread();
        return true;
    }

    @Override
    public void setBudget(RunBudget budget) {
        this.budget = budget == null ? RunBudget.UNLIMITED : budget;
    }

    @Override
    public void setSingleStep(boolean on) {
        requireStopped("setSingleStep");
        debugBuf.fill((byte) 0);
        debugBuf.set(JAVA_INT, 0, on ? KvmConstants.GUESTDBG_ENABLE | KvmConstants.GUESTDBG_SINGLESTEP : 0);
        try {
            fd.setGuestDebug(debugBuf);
        } catch (NativeException e) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, where() + ": KVM refused single-stepping ("
                    + Errno.name(e.errno()) + ")", e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- state

    private void requireStopped(String what) {
        host.checkOpen();
        if (running.get() && Thread.currentThread() != runThread) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where() + ": " + what
                    + " while the vCPU is running; kick it and wait for run() to return first");
        }
    }

    /** Makes the sync-regs area hold the vCPU's registers (after creation, or a failed run, it does not). */
    private void ensureSync() {
        if (syncValid) {
            return;
        }
        long dirty = run.dirtyRegs();
        if ((dirty & KvmConstants.SYNC_REGS) == 0) {
            fd.getRegs(regsBuf);
            run.syncRegs().copyFrom(regsBuf);
        }
        if ((dirty & KvmConstants.SYNC_SREGS) == 0) {
            fd.getSregs(sregsBuf);
            run.syncSregs().copyFrom(sregsBuf);
        }
        if ((dirty & KvmConstants.SYNC_EVENTS) == 0) {
            fd.getEvents(eventsBuf);
            run.syncEvents().copyFrom(eventsBuf);
        }
        syncValid = true;
    }

    @Override
    public GeneralRegisters registers() {
        requireStopped("registers()");
        ensureSync();
        return StateCodec.decodeRegs(run.syncRegs());
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        requireStopped("setRegisters()");
        leaveHalt();
        ensureSync();
        abandonPendingRead(registers.rip());
        StateCodec.encodeRegs(registers, run.syncRegs());
        run.markDirty(KvmConstants.SYNC_REGS);
    }

    /** The caller redirects the vCPU: a halt it was in (a kick ended the run, not the halt) is over. */
    private void leaveHalt() {
        halted = false;
        if (mayBeHalted) {
            mayBeHalted = false;
            if (host.irqchip() && mpState() == KvmConstants.MP_STATE_HALTED) {
                setMpState(KvmConstants.MP_STATE_RUNNABLE);
            }
        }
    }

    /** From the sync-regs area: no system call. */
    @Override
    public SpecialRegisters specialRegisters() {
        requireStopped("specialRegisters()");
        ensureSync();
        MemorySegment sregs = run.syncSregs();
        return new SpecialRegisters(StateCodec.decodeSegments(sregs), StateCodec.decodeControl(sregs),
                StateCodec.decodeGdt(sregs), StateCodec.decodeIdt(sregs));
    }

    /**
     * Into the sync-regs area, applied by the next KVM_RUN: no system call. MSRs, FPU and events are left alone; a page
     * fault still pending keeps its address (KVM delivers it with the CR2 of the moment, so that CR2 stays).
     */
    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        requireStopped("setSpecialRegisters()");
        ensureSync();
        ControlRegisters control = registers.control();
        if (StateCodec.pageFaultWithoutPayload(run.syncEvents())) {
            control = control.withCr2(pendingPageFaultAddress());
        }
        StateCodec.encodeSregs(registers.segments(), control, registers.gdt(), registers.idt(), run.syncSregs());
        run.markDirty(KvmConstants.SYNC_SREGS);
    }

    /**
     * The CR2 a pending page fault will be delivered with. KVM fills the sync area with registers, sregs, then events,
     * and reading the events delivers the pending fault's payload into CR2 after the sregs were stored: the CR2 there
     * is stale, so ask KVM again. Not when the area holds sregs or events written here that KVM has not taken yet:
     * those are newer than KVM's own copy (and carry the address already).
     */
    private long pendingPageFaultAddress() {
        MemorySegment sregs = run.syncSregs();
        if ((run.dirtyRegs() & (KvmConstants.SYNC_SREGS | KvmConstants.SYNC_EVENTS)) == 0) {
            fd.getSregs(sregs);
        }
        return StateCodec.cr2(sregs);
    }

    @Override
    public VcpuState state() {
        requireStopped("state()");
        ensureSync();
        MemorySegment sregs = run.syncSregs();
        boolean isHalted = host.irqchip() ? mpState() == KvmConstants.MP_STATE_HALTED : halted;
        long cr2 = StateCodec.pageFaultWithoutPayload(run.syncEvents()) ? pendingPageFaultAddress() : StateCodec.cr2(sregs);
        PendingEvents events = StateCodec.decodeEvents(run.syncEvents(), cr2, isHalted);
        int pending = events.interruptVector() >= 0 ? -1 : host.irqchip() ? highestRequestedInterrupt() : queuedInterrupt;
        if (pending >= 0) {
            // a page-ready interrupt the LAPIC holds but has not injected yet must travel with the state, or the guest
            // never acknowledges it and the host sends no page-ready again
            events = new PendingEvents(events.exception(), pending, events.nmiPending(), events.interruptShadow(),
                    events.halted());
        }
        return new VcpuState(StateCodec.decodeRegs(run.syncRegs()), StateCodec.decodeSegments(sregs),
                StateCodec.decodeControl(sregs), StateCodec.decodeGdt(sregs), StateCodec.decodeIdt(sregs), readMsrs(),
                events, readFxsave());
    }

    @Override
    public void setState(VcpuState state) {
        requireStopped("setState()");
        validateMsrs(state.msrs());
        ensureSync();
        abandonPendingRead(state.registers().rip());
        GeneralRegisters regs = state.registers();
        ControlRegisters control = state.control();
        PendingEvents events = state.events();
        if (events.exception() != null && events.exception().vector() == AsyncPfAbi.PAGE_FAULT_VECTOR) {
            control = control.withCr2(events.exception().payload());   // KVM delivers an injected #PF with the current CR2
        }
        StateCodec.encodeRegs(regs, run.syncRegs());
        StateCodec.encodeSregs(state.segments(), control, state.gdt(), state.idt(), run.syncSregs());
        boolean interruptible = (regs.rflags() & GeneralRegisters.RFLAGS_IF) != 0 && !events.interruptShadow();
        int vector = events.interruptVector();
        boolean injectNow = vector >= 0 && interruptible && !host.irqchip();
        StateCodec.encodeEvents(events, injectNow, run.syncEvents());
        run.markDirty(KvmConstants.SYNC_ALL);
        queuedInterrupt = -1;
        run.requestInterruptWindow(false);
        if (vector >= 0 && !injectNow) {
            if (host.irqchip()) {
                raiseLapicInterrupt(vector);
            } else {
                queuedInterrupt = vector;
            }
        }
        writeMsrs(state.msrs());
        writeFxsave(state.fxsave() == null ? StateCodec.resetFxsave() : state.fxsave());
        if (host.irqchip()) {
            setMpState(events.halted() ? KvmConstants.MP_STATE_HALTED : KvmConstants.MP_STATE_RUNNABLE);
            mayBeHalted = events.halted();   // so that redirecting it (setRegisters) ends the halt
        } else {
            halted = events.halted() && vector < 0;   // an interrupt ends a halt
        }
    }

    private void invalidateKnownState() {
        knownMsrs = null;
        knownFxsave = null;
        knownMpState = -1;
    }

    int mpState() {
        if (knownMpState >= 0) {
            return knownMpState;
        }
        fd.getMpState(mpBuf);
        knownMpState = mpBuf.get(JAVA_INT, 0);
        return knownMpState;
    }

    /** KVM_SET_MP_STATE (in-kernel irqchip only: application processors start waiting for INIT/SIPI otherwise). */
    public void setMpState(int state) {
        if (knownMpState == state) {
            return;
        }
        mpBuf.set(JAVA_INT, 0, state);
        fd.setMpState(mpBuf);
        knownMpState = state;
    }

    /** The highest vector requested in the in-kernel LAPIC's IRR, or -1. */
    private int highestRequestedInterrupt() {
        fd.getLapic(lapicBuf);
        for (int word = 7; word >= 1; word--) {   // vectors 0-31 are exceptions, never requested
            int bits = lapicBuf.get(JAVA_INT, 0x200 + word * 0x10L);
            if (bits != 0) {
                return word * 32 + 31 - Integer.numberOfLeadingZeros(bits);
            }
        }
        return -1;
    }

    private void raiseLapicInterrupt(int vector) {
        fd.getLapic(lapicBuf);
        long irr = 0x200 + (vector / 32) * 0x10L;   // IRR: eight 32-bit registers, 16 bytes apart
        lapicBuf.set(JAVA_INT, irr, lapicBuf.get(JAVA_INT, irr) | (1 << (vector % 32)));
        fd.setLapic(lapicBuf);
    }

    /** A 32-bit register of the in-kernel LAPIC at {@code offset} (0x100: first ISR word, 0x200: first IRR word, ...). */
    public int lapicRegister(int offset) {
        requireStopped("lapicRegister()");
        fd.getLapic(lapicBuf);
        return lapicBuf.get(JAVA_INT, offset);
    }

    /** Sets a 32-bit register of the in-kernel LAPIC (KVM_SET_LAPIC of the whole state). */
    public void setLapicRegister(int offset, int value) {
        requireStopped("setLapicRegister()");
        fd.getLapic(lapicBuf);
        lapicBuf.set(JAVA_INT, offset, value);
        fd.setLapic(lapicBuf);
    }

    /** Software-enables the in-kernel LAPIC (SVR bit 8, spurious vector 0xFF): KVM only delivers to an enabled one. */
    public void enableLapic() {
        fd.getLapic(lapicBuf);
        lapicBuf.set(JAVA_INT, 0xF0, lapicBuf.get(JAVA_INT, 0xF0) | 0x1FF);
        fd.setLapic(lapicBuf);
    }

    /**
     * Ends the in-service "page ready" interrupt where the host does not EOI it at delivery (VMX/SVM; PVM auto-EOIs) by
     * clearing its ISR bit in the LAPIC state (KVM recomputes the processor priority on KVM_SET_LAPIC; the same in xAPIC
     * and x2APIC mode, where KVM refuses host writes of the EOI MSR). Returns whether the interrupt was still in service.
     */
    public boolean endAsyncPfInterrupt(int vector) {
        fd.getLapic(lapicBuf);
        long isr = 0x100 + (vector / 32) * 0x10L;
        int bits = lapicBuf.get(JAVA_INT, isr);
        if ((bits & (1 << (vector % 32))) == 0) {
            return false;
        }
        lapicBuf.set(JAVA_INT, isr, bits & ~(1 << (vector % 32)));
        fd.setLapic(lapicBuf);
        return true;
    }

    private void validateMsrs(ModelSpecificRegisters msrs) {
        for (Map.Entry<Msr, Long> e : msrs.values().entrySet()) {
            if (e.getValue() != 0 && !host.msrSupported(e.getKey().index())) {
                throw new BackendException(BackendException.Reason.INVALID_REQUEST, where() + ": KVM on this host cannot hold "
                        + e.getKey() + " (MSR 0x" + Integer.toHexString(e.getKey().index()) + ") = 0x" + Long.toHexString(e.getValue()));
            }
        }
        boolean apf = msrs.get(Msr.KVM_ASYNC_PF_EN) != 0 || msrs.get(Msr.KVM_ASYNC_PF_INT) != 0;
        if (apf && !host.irqchip() && !host.asyncPfMsrsOnly()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where() + ": the state enables async page faults "
                    + "(MSR_KVM_ASYNC_PF_EN 0x" + Long.toHexString(msrs.get(Msr.KVM_ASYNC_PF_EN)) + "), which needs the in-kernel "
                    + "irqchip; this VM has none (asyncPageFaults=OFF or the host lacks it)");
        }
    }

    /** The MSRs of the API that KVM holds here, in write order (the async-PF vector before the enable). */
    private List<Msr> carriedMsrs() {
        List<Msr> out = new ArrayList<>();
        for (Msr m : Msr.values()) {
            if (m != Msr.KVM_ASYNC_PF_EN && host.msrSupported(m.index())) {
                out.add(m);
            }
        }
        if (host.msrSupported(Msr.KVM_ASYNC_PF_EN.index())) {
            out.add(Msr.KVM_ASYNC_PF_EN);
        }
        return out;
    }

    private ModelSpecificRegisters readMsrs() {
        if (knownMsrs != null) {
            return knownMsrs;
        }
        List<Msr> list = carriedMsrs();
        fillMsrs(list.stream().map(m -> new long[] {m.index(), 0}).toList());
        int n = fd.getMsrs(msrsBuf);
        EnumMap<Msr, Long> values = new EnumMap<>(Msr.class);
        for (int i = 0; i < n; i++) {
            long v = msrsBuf.get(JAVA_LONG, entry(i) + 8);
            if (v != 0) {
                values.put(list.get(i), v);   // zero means "not set" in ModelSpecificRegisters: keep the map canonical
            }
        }
        if (host.asyncPfMsrsOnly()) {
            values.remove(Msr.KVM_ASYNC_PF_EN);
            values.remove(Msr.KVM_ASYNC_PF_INT);
            if (keptAsyncPfEn != 0) {
                values.put(Msr.KVM_ASYNC_PF_EN, keptAsyncPfEn);
            }
            if (keptAsyncPfInt != 0) {
                values.put(Msr.KVM_ASYNC_PF_INT, keptAsyncPfInt);
            }
        }
        knownMsrs = new ModelSpecificRegisters(values);
        return knownMsrs;
    }

    private void writeMsrs(ModelSpecificRegisters msrs) {
        if (msrs.equals(knownMsrs)) {
            return;
        }
        List<long[]> entries = new ArrayList<>();
        for (Msr m : carriedMsrs()) {
            long v = msrs.get(m);
            if (knownMsrs != null && knownMsrs.get(m) == v) {
                continue;
            }
            if (m == Msr.KVM_ASYNC_PF_INT || m == Msr.KVM_ASYNC_PF_EN) {
                if (host.asyncPfMsrsOnly()) {
                    keepAsyncPfMsr(m.index(), v);
                    continue;
                }
                if (!host.irqchip()) {
                    continue;   // reads as 0 there; validateMsrs refused non-zero values
                }
                if (m == Msr.KVM_ASYNC_PF_INT) {
                    asyncPfVector = (int) (v & 0xFF);
                }
            }
            entries.add(new long[] {m.index(), v});
        }
        if (!entries.isEmpty()) {
            setMsrsChecked(entries);
        }
        knownMsrs = msrs;
    }

    private void setMsrsChecked(List<long[]> entries) {
        fillMsrs(entries);
        int n = fd.setMsrs(msrsBuf);
        if (n < entries.size()) {
            long[] bad = entries.get(n);
            knownMsrs = null;
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where() + ": KVM refused MSR 0x"
                    + Long.toHexString(bad[0]) + " = 0x" + Long.toHexString(bad[1]) + " (WRMSR would raise #GP)");
        }
    }

    private static long entry(int i) {
        return KvmLayouts.KVM_MSRS.byteSize() + i * KvmLayouts.KVM_MSR_ENTRY.byteSize();
    }

    private void fillMsrs(List<long[]> entries) {
        if (entries.size() > MAX_MSRS) {
            throw new IllegalArgumentException("at most " + MAX_MSRS + " MSRs per call");
        }
        msrsBuf.set(JAVA_INT, 0, entries.size());
        msrsBuf.set(JAVA_INT, 4, 0);
        for (int i = 0; i < entries.size(); i++) {
            msrsBuf.set(JAVA_INT, entry(i), (int) entries.get(i)[0]);
            msrsBuf.set(JAVA_INT, entry(i) + 4, 0);
            msrsBuf.set(JAVA_LONG, entry(i) + 8, entries.get(i)[1]);
        }
    }

    private byte[] readFxsave() {
        if (knownFxsave != null) {
            return knownFxsave.clone();
        }
        byte[] image;
        if (host.xsave()) {
            int r = fd.getXsave(xsaveBuf);
            if (r < 0) {
                throw new NativeException("KVM_GET_XSAVE", -r);
            }
            image = xsaveBuf.asSlice(0, 512).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        } else {
            fd.getFpu(fpuBuf);
            image = StateCodec.fxsaveFromFpu(fpuBuf);
        }
        knownFxsave = image;
        return image.clone();
    }

    private void writeFxsave(byte[] image) {
        if (knownFxsave != null && Arrays.equals(knownFxsave, image)) {
            return;
        }
        if (host.xsave()) {
            int r = fd.getXsave(xsaveBuf);
            if (r < 0) {
                throw new NativeException("KVM_GET_XSAVE", -r);
            }
            xsaveBuf.asSlice(0, 512).copyFrom(MemorySegment.ofArray(image));
            xsaveBuf.set(JAVA_LONG, StateCodec.XSTATE_BV, xsaveBuf.get(JAVA_LONG, StateCodec.XSTATE_BV) | StateCodec.XSTATE_LEGACY);
            try {
                fd.setXsave(xsaveBuf);
            } catch (NativeException e) {
                throw new BackendException(BackendException.Reason.INVALID_REQUEST, where() + ": KVM refused the FXSAVE image "
                        + "(MXCSR 0x" + Integer.toHexString(MemorySegment.ofArray(image).get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 24)) + ", reserved bits?)",
                        e.getMessage(), e);
            }
        } else {
            StateCodec.fpuFromFxsave(image, fpuBuf);
            fd.setFpu(fpuBuf);
        }
        knownFxsave = image.clone();
    }

    private static boolean isAsyncPfMsr(int index) {
        return index == AsyncPfAbi.MSR_ASYNC_PF_EN || index == AsyncPfAbi.MSR_ASYNC_PF_INT || index == AsyncPfAbi.MSR_ASYNC_PF_ACK;
    }

    /** WRMSR of an async-PF MSR the backend keeps: KVM's checks, no events (nothing is ever absent in this VM). */
    private void keepAsyncPfMsr(int index, long value) {
        switch (index) {
            case AsyncPfAbi.MSR_ASYNC_PF_EN -> {
                if ((value & AsyncPfAbi.EN_RESERVED) != 0) {
                    throw new IllegalArgumentException(where() + ": WRMSR MSR_KVM_ASYNC_PF_EN <- 0x" + Long.toHexString(value)
                            + " sets reserved bits 5:4 and raises #GP");
                }
                keptAsyncPfEn = value;
            }
            case AsyncPfAbi.MSR_ASYNC_PF_INT -> {
                if ((value & ~0xFFL) != 0) {
                    throw new IllegalArgumentException(where() + ": WRMSR MSR_KVM_ASYNC_PF_INT <- 0x" + Long.toHexString(value)
                            + " sets reserved bits 63:8 and raises #GP");
                }
                keptAsyncPfInt = value;
                asyncPfVector = (int) value;
            }
            default -> {
                // MSR_KVM_ASYNC_PF_ACK: no "page ready" is ever in flight here
            }
        }
    }

    @Override
    public long readMsr(int index) {
        requireStopped("readMsr()");
        if (host.asyncPfMsrsOnly() && isAsyncPfMsr(index)) {
            return index == AsyncPfAbi.MSR_ASYNC_PF_EN ? keptAsyncPfEn : index == AsyncPfAbi.MSR_ASYNC_PF_INT ? keptAsyncPfInt : 0;
        }
        fillMsrs(List.of(new long[] {index, 0}));
        if (fd.getMsrs(msrsBuf) != 1) {
            throw new IllegalArgumentException(where() + ": MSR 0x" + Integer.toHexString(index) + " is not implemented by KVM "
                    + "here (RDMSR would raise #GP)");
        }
        return msrsBuf.get(JAVA_LONG, entry(0) + 8);
    }

    @Override
    public void writeMsr(int index, long value) {
        requireStopped("writeMsr()");
        if (host.asyncPfMsrsOnly() && isAsyncPfMsr(index)) {
            keepAsyncPfMsr(index, value);
            knownMsrs = null;
            return;
        }
        if (index == AsyncPfAbi.MSR_ASYNC_PF_ACK && value != 0) {
            host.asyncPfAcknowledged(this);   // EOI before the ACK lets the next "page ready" in
        }
        fillMsrs(List.of(new long[] {index, value}));
        knownMsrs = null;
        if (fd.setMsrs(msrsBuf) != 1) {
            throw new IllegalArgumentException(where() + ": WRMSR 0x" + Integer.toHexString(index) + " <- 0x"
                    + Long.toHexString(value) + " raises #GP here" + (index == AsyncPfAbi.MSR_ASYNC_PF_EN && !host.irqchip()
                    ? " (async page faults need the in-kernel irqchip, which this VM does not have)" : ""));
        }
        if (index == AsyncPfAbi.MSR_ASYNC_PF_INT) {
            asyncPfVector = (int) (value & 0xFF);
        }
    }

    /** The vector the guest programmed into MSR_KVM_ASYNC_PF_INT, or -1. */
    public int asyncPfVector() {
        return asyncPfVector;
    }

    @Override
    public VcpuStats stats() {
        return new VcpuStats(runs, exits, -1, haltedNanos, runNanos, pageWaitNanos.get());
    }

    // ---------------------------------------------------------------- messages

    private String where() {
        return "vCPU " + id + " of VM '" + host.name() + "'";
    }

    /** Registers and the mode-defining state from the sync area, for error details. */
    private String syncSummary() {
        MemorySegment s = run.syncSregs();
        ControlRegisters c = StateCodec.decodeControl(s);
        return "vCPU " + id + " state: " + StateCodec.decodeRegs(run.syncRegs()) + " cs=" + Integer.toHexString(
                StateCodec.decodeSegment(s, 0).selector()) + " cpl=" + StateCodec.decodeSegment(s, 0).dpl()
                + " cr0=" + Long.toHexString(c.cr0()) + " cr2=" + Long.toHexString(c.cr2()) + " cr3=" + Long.toHexString(c.cr3())
                + " cr4=" + Long.toHexString(c.cr4()) + " efer=" + Long.toHexString(c.efer());
    }

    private String registersForDetail() {
        try {
            if (!syncValid) {
                fd.getRegs(regsBuf);
                fd.getSregs(sregsBuf);
                run.syncRegs().copyFrom(regsBuf);
                run.syncSregs().copyFrom(sregsBuf);
            }
            return syncSummary();
        } catch (RuntimeException e) {
            return "vCPU " + id + " state unavailable: " + e.getMessage();
        }
    }

    private static String hex(long[] values) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : " ").append(Long.toHexString(values[i]));
        }
        return b.append(']').toString();
    }

    // ---------------------------------------------------------------- close

    /** Releases the timer and the vCPU fd; the kvm_run mapping goes with the VM's arena. The vCPU must not be running. */
    public void close() {
        closed = true;
        if (timer != null) {
            try {
                timer.close();
            } catch (RuntimeException e) {
                // timer_delete only fails for an invalid id; nothing to release then
            }
            timer = null;
        }
        fd.close();
    }

    /** Marks the vCPU closed and wakes a run() waiting in an emulated halt, so it returns CLOSED. */
    public void markClosing() {
        closed = true;
        Thread t = runThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

}
