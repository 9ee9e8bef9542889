package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.GuestApfContext;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.GuestFaultResult;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.x86.TrapStubs;

/**
 * One vCPU of the guest kernel, on its own platform thread: picks the next task of its run queue, runs it until an
 * exit, and handles the exit — hypercalls, exceptions, async page faults ("not present" and "page ready") with the
 * schedule or the halt wait, preemption ticks. With nothing runnable it halts in the halt stub, taking interrupts.
 */
public final class VcpuLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(VcpuLoop.class.getName());

    /** Counters of one vCPU loop. */
    public record Stats(int vcpu, long taskRuns, long exits, long hypercalls, long traps, long pageReady,
                        long busyNanos, long idleNanos, long haltWaitNanos) {
    }

    private enum Step { CONTINUE, PREEMPT, LEAVE }

    private record Frame(long errorCode, long rip, long cs, long rflags, long rsp) {
    }

    private final GuestKernel kernel;
    private final int index;
    private final SpecialRegisters haltRegisters;
    private final ApfContext apf = new ApfContext();
    private final Sleeper halter = new HaltSleeper();
    private volatile Task current;
    private boolean asyncPfOn;
    private int vcpuCpl = -1;
    private long vcpuCr3 = -1;

    private volatile long taskRuns, exits, hypercalls, traps, pageReady, busyNanos, idleNanos, haltWaitNanos;

    VcpuLoop(GuestKernel kernel, int index) {
        this.kernel = kernel;
        this.index = index;
        this.haltRegisters = kernel.specialRegisters(index, 0, kernel.kernelSpace().root());
    }

    @Override
    public void run() {
        try {
            configureVcpu();
            while (!kernel.stopping()) {
                kernel.pausePoint(this);
                syncAsyncPf();
                Task t = kernel.queue(index).poll();
                if (t == null) {
                    idle();
                } else if (t.state() != Task.State.EXITED) {
                    runTask(t);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "vCPU " + index + " of VM " + kernel.vm().spec().name() + " failed", e);
            kernel.panic("vCPU " + index + " failed: " + e);
        } finally {
            current = null;
        }
    }

    private Vcpu vcpu() {
        return kernel.vcpu(index);
    }

    void kick() {
        try {
            vcpu().kick();
        } catch (RuntimeException e) {
            // the VM is being replaced or closed; the loop notices through the kernel's flags
        }
    }

    /** After a move to another VM: nothing is known about the new vCPU's registers; its budget must be set again. */
    void vcpuReplaced() {
        vcpuCpl = -1;
        vcpuCr3 = -1;
        configureVcpu();
    }

    private void configureVcpu() {
        setBudget(kernel.config().timeSliceMicros() * 1000);
    }

    private long budgetNanos = -1;

    /** The tick of the next run: what is left of the task's slice (a field write on both backends). */
    private void setBudget(long nanos) {
        long n = Math.max(10_000, nanos);
        if (n != budgetNanos) {
            vcpu().setBudget(new RunBudget(0, n));
            budgetNanos = n;
        }
    }

    /** Enables async PF while the guest has what it needs for it, disables it (waking its own sleepers) when not. */
    private void syncAsyncPf() {
        boolean want = kernel.asyncPfWanted() && kernel.guestHandler() != null;
        if (want == asyncPfOn) {
            return;
        }
        Vcpu v = vcpu();
        try {
            if (want) {
                v.writeMsr(AsyncPfAbi.MSR_ASYNC_PF_INT, AsyncPfAbi.DEFAULT_READY_VECTOR);
                long en = PlatformLayout.apfArea(index) | AsyncPfAbi.EN_ENABLED | AsyncPfAbi.EN_DELIVERY_AS_INT
                        | (kernel.config().preemption() == PreemptionModel.PREEMPTIBLE ? AsyncPfAbi.EN_SEND_ALWAYS : 0);
                v.writeMsr(AsyncPfAbi.MSR_ASYNC_PF_EN, en);
            } else {
                v.writeMsr(AsyncPfAbi.MSR_ASYNC_PF_EN, 0);
                apf.clearReason();   // a reason left by a #PF nobody took must not make the next genuine fault async
                // As kvm_guest_cpu_offline: the host forgets outstanding work, so wake our sleepers ourselves.
                SleeperTable table = kernel.sleepers();
                if (table != null) {
                    table.wakeAll(index);
                }
            }
            asyncPfOn = want;
        } catch (IllegalArgumentException e) {
            LOG.warning("VM " + kernel.vm().spec().name() + " vCPU " + index + ": async page faults unavailable on backend "
                    + kernel.vm().backendName() + " (" + e.getMessage() + "); faults are served synchronously");
            asyncPfOn = want;   // don't retry every iteration; the host simply never injects
        }
    }

    /**
     * Runs {@code t} until it leaves the vCPU. Its slice is guest time: the tick may fire while a run is blocked in a
     * page fault, and then preempts when the fault completes, as a timer interrupt queued meanwhile would.
     */
    private void runTask(Task t) {
        t.setState(Task.State.RUNNING);
        current = t;
        taskRuns++;
        t.counters.runs++;
        load(t);
        long slice = kernel.config().timeSliceMicros() * 1000;
        long sliceEnd = System.nanoTime() + slice;
        try {
            while (true) {
                setBudget(sliceEnd - System.nanoTime());
                VcpuExit exit = timedRun();
                Step step = onTaskExit(t, exit);
                if (step == Step.CONTINUE && System.nanoTime() - sliceEnd >= 0) {
                    if (t.preemptible(kernel.config().preemption()) && !kernel.queue(index).isEmpty()
                            && PlatformLayout.vectorAt(vcpu().registers().rip()) < 0 && !exceptionPending()) {
                        t.registers = vcpu().registers();
                        t.counters.preemptions++;
                        step = Step.PREEMPT;
                    } else {
                        sliceEnd = System.nanoTime() + slice;   // nothing else to run, or it may not be preempted now
                    }
                }
                if (step == Step.LEAVE) {
                    return;
                }
                if (step == Step.PREEMPT) {
                    t.setState(Task.State.RUNNABLE);
                    kernel.queue(index).add(t);
                    return;
                }
                if (kernel.stopping() || kernel.pauseRequested()) {
                    t.registers = vcpu().registers();   // the task's own context: no stub exit is pending here
                    t.setState(Task.State.RUNNABLE);
                    kernel.queue(index).addFirst(t);
                    return;
                }
            }
        } finally {
            current = null;
        }
    }

    /**
     * An exception raised by the running task but not yet delivered (a kick can land between the two): it belongs to
     * this task, so the task keeps the vCPU until the exception's stub exits.
     */
    private boolean exceptionPending() {
        return vcpu().state().events().exception() != null;
    }

    private VcpuExit timedRun() {
        long t0 = System.nanoTime();
        VcpuExit exit = vcpu().run();
        busyNanos += System.nanoTime() - t0;
        exits++;
        return exit;
    }

    private Step onTaskExit(Task t, VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.PortIo io -> {
                GeneralRegisters regs = vcpu().registers();
                int vector = PlatformLayout.vectorAt(regs.rip());
                if (vector < 0 || io.in()) {
                    yield kill(t, "port I/O (" + (io.in() ? "in" : "out") + " port 0x" + Integer.toHexString(io.port())
                            + ") at rip 0x" + Long.toHexString(regs.rip()));
                }
                vcpuCpl = 0;
                yield vector == 256 ? hypercall(t, regs) : trap(t, vector, regs);
            }
            case VcpuExit.Interrupted i -> {
                GeneralRegisters regs = vcpu().registers();
                if (PlatformLayout.vectorAt(regs.rip()) >= 0) {
                    yield Step.CONTINUE;   // an event was just delivered: let its stub exit first
                }
                t.registers = regs;
                yield Step.CONTINUE;   // the slice decides (runTask)
            }
            case VcpuExit.Mmio m -> kill(t, (m.write() ? "store to" : "load from") + " guest-physical 0x"
                    + Long.toHexString(m.address()) + ", which no memory backs");
            case VcpuExit.MemoryError e -> kill(t, "page 0x" + Long.toHexString(e.guestAddress())
                    + " could not be provided: " + e.cause());
            case VcpuExit.Halted h -> kill(t, "hlt with interrupts disabled at rip 0x" + Long.toHexString(h.rip()));
            case VcpuExit.Debug d -> Step.CONTINUE;
            case VcpuExit.Shutdown s -> {
                kernel.panic("vCPU " + index + " shut down in " + t + ": " + s.reason());
                yield Step.LEAVE;
            }
            case VcpuExit.SystemEvent e -> {
                kernel.panic("system event " + e.type() + " from " + t + ": " + e.detail());
                yield Step.LEAVE;
            }
            case VcpuExit.Failed f -> {
                kernel.panic("vCPU " + index + " failed in " + t + ": " + f.kind() + " (" + f.code() + ") " + f.detail());
                yield Step.LEAVE;
            }
        };
    }

    private Step kill(Task t, String why) {
        kernel.exitTask(t, -1, why);
        return Step.LEAVE;
    }

    /** SYSCALL from the task: RCX holds its RIP, R11 its RFLAGS. */
    private Step hypercall(Task t, GeneralRegisters regs) {
        hypercalls++;
        t.counters.hypercalls++;
        GeneralRegisters ctx = regs.withRip(regs.rcx()).withRflags(regs.r11());
        long nr = regs.rax();
        long result;
        switch ((int) nr) {
            case GuestAbi.HC_EXIT -> {
                kernel.exitTask(t, (int) regs.rdi(), null);
                return Step.LEAVE;
            }
            case GuestAbi.HC_YIELD -> {
                t.registers = ctx.with(GeneralRegisters.RAX, 0);
                return Step.PREEMPT;
            }
            case GuestAbi.HC_WRITE -> result = write(t, regs.rdi(), regs.rsi(), regs.rdx());
            case GuestAbi.HC_TIME -> result = kernel.nanosSinceStart();
            case GuestAbi.HC_PREEMPT_DISABLE, GuestAbi.HC_PREEMPT_ENABLE, GuestAbi.HC_RCU_READ_LOCK,
                 GuestAbi.HC_RCU_READ_UNLOCK -> result = kernelSection(t, (int) nr);
            case GuestAbi.HC_REPORT -> result = report(t, regs.rdi(), regs.rsi());
            default -> {
                warn(t, "unknown hypercall " + nr + " at rip 0x" + Long.toHexString(ctx.rip()) + " (returned -ENOSYS)");
                result = -GuestAbi.ENOSYS;
            }
        }
        t.registers = ctx.with(GeneralRegisters.RAX, result);
        load(t);
        return Step.CONTINUE;
    }

    /** preempt_disable/enable and rcu_read_lock/unlock: nesting counts of kernel tasks, read by the decision table. */
    private static long kernelSection(Task t, int nr) {
        if (t.cpl() == 3) {
            return -GuestAbi.EPERM;
        }
        switch (nr) {
            case GuestAbi.HC_PREEMPT_DISABLE -> t.preemptCount++;
            case GuestAbi.HC_RCU_READ_LOCK -> t.rcuDepth++;
            case GuestAbi.HC_PREEMPT_ENABLE -> {
                if (t.preemptCount == 0) {
                    return -GuestAbi.EINVAL;
                }
                t.preemptCount--;
            }
            case GuestAbi.HC_RCU_READ_UNLOCK -> {
                if (t.rcuDepth == 0) {
                    return -GuestAbi.EINVAL;
                }
                t.rcuDepth--;
            }
            default -> throw new IllegalArgumentException("not a kernel-section hypercall: " + nr);
        }
        return 0;
    }

    private long write(Task t, long fd, long buf, long len) {
        if (fd != 1 && fd != 2) {
            return -GuestAbi.EINVAL;
        }
        if (len < 0 || len > (1 << 20)) {
            return -GuestAbi.EINVAL;
        }
        try {
            String text = new String(t.space.read(buf, (int) len), StandardCharsets.UTF_8);
            t.appendOutput(text);
            kernel.config().console().write(t, text);
            return len;
        } catch (AddressSpace.GuestAccessException e) {
            warn(t, "write: " + e.getMessage());
            return -GuestAbi.EFAULT;
        }
    }

    private long report(Task t, long namePtr, long value) {
        try {
            t.report(t.space.readString(namePtr, 64), value);
            return 0;
        } catch (AddressSpace.GuestAccessException e) {
            warn(t, "report: " + e.getMessage());
            return -GuestAbi.EFAULT;
        }
    }

    private void warn(Task t, String message) {
        String line = "[kernel] " + t + ": " + message + "\n";
        t.appendOutput(line);
        kernel.config().console().write(t, line);
    }

    /** An exception or interrupt taken while {@code t} ran: its frame is on this vCPU's IST stack. */
    private Step trap(Task t, int vector, GeneralRegisters regs) {
        traps++;
        Frame f = readFrame(vector, regs.rsp());
        if (TrapStubs.syscallFromUserTrapped(PlatformLayout.STUBS, vector, f.rip(), f.cs())) {
            // PVM delivers a CPL3 SYSCALL to the entry without leaving CPL3: it traps there. It is the hypercall.
            return hypercall(t, regs.with(GeneralRegisters.RSP, f.rsp()));
        }
        GeneralRegisters interrupted = regs.withRip(f.rip()).withRflags(f.rflags()).with(GeneralRegisters.RSP, f.rsp());
        t.registers = interrupted;
        int cpl = (int) (f.cs() & 3);
        if (vector == AsyncPfAbi.PAGE_FAULT_VECTOR) {
            // kvm_read_and_reset_apf_flags first of all, on every #PF: a reason left set would make the next one async
            int reason = apf.readAndResetReason();
            return pageFault(t, vcpu().specialRegisters().control().cr2(), (int) f.errorCode(), reason, interrupted, cpl);
        }
        if (vector == AsyncPfAbi.DEFAULT_READY_VECTOR) {
            pageReady(f, cpl, false);
            load(t);
            return Step.CONTINUE;
        }
        if (vector >= 32) {
            load(t);   // a stray external interrupt: nothing to do
            return Step.CONTINUE;
        }
        return kill(t, Exceptions.describe(vector, f.errorCode()) + " at rip 0x" + Long.toHexString(f.rip()));
    }

    /**
     * A #PF with the async-PF {@code reason} its entry read and cleared. With the guest-side handler bound and async PF
     * on, the handler decides. An async "not present" that nobody can take (the handler left, or async PF is being
     * turned off) is retried: the host serves the access then, and the token's later "page ready" finds no waiter.
     */
    private Step pageFault(Task t, long cr2, int errorCode, int reason, GeneralRegisters ctx, int cpl) {
        PageFaultHandler handler = asyncPfOn ? kernel.guestHandler() : null;
        if (handler == null) {
            if (reason != 0) {
                t.counters.syncFallbacks++;
                load(t);
                return Step.CONTINUE;
            }
            return ordinaryPageFault(t, cr2, errorCode, ctx);
        }
        boolean interruptsOn = (ctx.rflags() & GeneralRegisters.RFLAGS_IF) != 0;
        GuestFaultResult d = handler.handle(new GuestFault(index, GuestFault.Trigger.PAGE_FAULT, cr2, errorCode, reason,
                ctx.rip(), cpl, interruptsOn, t.preemptCount, t.rcuDepth, false, kernel.config().preemption(), apf));
        return switch (d) {
            case GuestFaultResult.NotAsync n -> ordinaryPageFault(t, cr2, errorCode, ctx);
            case GuestFaultResult.Waited w -> {
                t.counters.asyncFaults++;
                if (w.mode() == WaitMode.HALT) {
                    t.counters.haltWaits++;
                } else {
                    t.counters.scheduleWaits++;
                }
                if (w.outcome() == WaitOutcome.SUSPENDED) {
                    yield Step.LEAVE;   // off the vCPU until its wake; the sleeper queues it again
                }
                if (w.outcome() == WaitOutcome.RELEASED) {
                    t.counters.syncFallbacks++;
                }
                load(t);
                yield Step.CONTINUE;   // retry the access
            }
            case GuestFaultResult.Panic p -> {
                kernel.panic(p.report());
                yield Step.LEAVE;
            }
            case GuestFaultResult.Woke w -> throw new IllegalStateException("the guest fault handler " + handler
                    + " answered a #PF at 0x" + Long.toHexString(cr2) + " as a \"page ready\" (" + w + ")");
        };
    }

    /** Demand-zero stack growth; anything else kills the task with where it happened. */
    private Step ordinaryPageFault(Task t, long cr2, int errorCode, GeneralRegisters ctx) {
        boolean notPresent = (errorCode & 1) == 0;
        long stackLow = GuestAbi.STACK_TOP - GuestAbi.STACK_SIZE;
        if (notPresent && cr2 >= stackLow && cr2 < GuestAbi.STACK_TOP) {
            try {
                t.space.mapFresh(cr2 & -GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE, true, false);
                load(t);
                return Step.CONTINUE;
            } catch (PhysicalPages.OutOfGuestMemoryException e) {
                return kill(t, "stack page at 0x" + Long.toHexString(cr2) + ": " + e.getMessage());
            }
        }
        return kill(t, "page fault at 0x" + Long.toHexString(cr2) + " (" + Exceptions.pageFaultCause(errorCode)
                + ") at rip 0x" + Long.toHexString(ctx.rip()));
    }

    /**
     * "Page ready": the handler wakes the token, clears the slot and acknowledges. Without a handler async PF is being
     * turned off here: every sleeper of this vCPU is woken (their retries are served by the host), as on disable, and
     * the slot is freed so the host is not stuck.
     */
    private void pageReady(Frame f, int cpl, boolean idle) {
        pageReady++;
        PageFaultHandler handler = kernel.guestHandler();
        if (handler == null) {
            SleeperTable table = kernel.sleepers();
            if (table != null) {
                table.wakeAll(index);
            }
            apf.clearToken();
            apf.acknowledge();
            return;
        }
        Task t = current;
        handler.handle(new GuestFault(index, GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 0, 0, f.rip(), cpl,
                (f.rflags() & GeneralRegisters.RFLAGS_IF) != 0, t == null ? 0 : t.preemptCount,
                t == null ? 0 : t.rcuDepth, idle, kernel.config().preemption(), apf));
    }

    private Frame readFrame(int vector, long rsp) {
        boolean errorCode = vector < 32 && TrapStubs.pushesErrorCode(vector);
        try {
            MemorySegment s = kernel.memory().slice(rsp, errorCode ? 48 : 40);
            int o = errorCode ? 8 : 0;
            return new Frame(errorCode ? s.get(JAVA_LONG_UNALIGNED, 0) : 0, s.get(JAVA_LONG_UNALIGNED, o),
                    s.get(JAVA_LONG_UNALIGNED, o + 8), s.get(JAVA_LONG_UNALIGNED, o + 16), s.get(JAVA_LONG_UNALIGNED, o + 24));
        } catch (PageSourceException | IllegalArgumentException e) {
            throw new IllegalStateException("vCPU " + index + ": trap frame at 0x" + Long.toHexString(rsp) + " unreadable", e);
        }
    }

    /** Nothing to run: halt in the halt stub, taking "page ready" interrupts, until a task is queued here. */
    private void idle() {
        long t0 = System.nanoTime();
        try {
            while (kernel.queue(index).isEmpty() && !kernel.stopping() && !kernel.pauseRequested()) {
                loadHaltStub();
                onHaltExit(vcpu().run());
            }
        } finally {
            idleNanos += System.nanoTime() - t0;
        }
    }

    private void loadHaltStub() {
        setBudget(kernel.config().timeSliceMicros() * 1000);
        Vcpu v = vcpu();
        if (vcpuCpl != 0 || vcpuCr3 < 0) {
            v.setSpecialRegisters(haltRegisters);
            vcpuCpl = 0;
            vcpuCr3 = haltRegisters.control().cr3();
        }
        v.setRegisters(GeneralRegisters.ZERO.with(GeneralRegisters.RSP, PlatformLayout.idleStackTop(index))
                .withRip(PlatformLayout.HALT_STUB));
    }

    private void onHaltExit(VcpuExit exit) {
        exits++;
        switch (exit) {
            case VcpuExit.PortIo io -> {
                GeneralRegisters regs = vcpu().registers();
                int vector = PlatformLayout.vectorAt(regs.rip());
                if (vector == AsyncPfAbi.DEFAULT_READY_VECTOR) {
                    traps++;
                    pageReady(readFrame(vector, regs.rsp()), 0, current == null);
                } else if (vector < 0 || vector < 32 || vector == 256) {
                    kernel.panic("vCPU " + index + ": unexpected exit while halted: port 0x" + Integer.toHexString(io.port())
                            + " at rip 0x" + Long.toHexString(regs.rip()) + " (vector " + vector + ")");
                }
            }
            case VcpuExit.Interrupted i -> {
                // a kick (new task, wake, pause) or the tick: the caller re-checks
            }
            default -> kernel.panic("vCPU " + index + ": unexpected exit while halted: " + exit);
        }
    }

    /** Switches the vCPU to {@code t}'s context, changing privilege level or address space only when needed. */
    private void load(Task t) {
        Vcpu v = vcpu();
        if (vcpuCpl != t.cpl() || vcpuCr3 != t.space.root()) {
            v.setSpecialRegisters(t.specialRegisters);
            vcpuCpl = t.cpl();
            vcpuCr3 = t.space.root();
        }
        v.setRegisters(t.registers);
    }

    Stats stats() {
        return new Stats(index, taskRuns, exits, hypercalls, traps, pageReady, busyNanos, idleNanos, haltWaitNanos);
    }

    /** This vCPU's side of the guest's async page faults: its shared area, the table, the two sleepers. */
    private final class ApfContext implements GuestApfContext {
        private MemorySegment area() {
            try {
                return kernel.memory().slice(PlatformLayout.apfArea(index), AsyncPfAbi.AREA_SIZE);
            } catch (PageSourceException e) {
                throw new IllegalStateException("async PF area of vCPU " + index + " is not present", e);
            }
        }

        /** The reason of the #PF being entered ({@code kvm_read_and_reset_apf_flags}): read, then cleared. */
        int readAndResetReason() {
            MemorySegment a = area();
            int flags = a.get(JAVA_INT_UNALIGNED, AsyncPfAbi.AREA_FLAGS);
            a.set(JAVA_INT_UNALIGNED, AsyncPfAbi.AREA_FLAGS, 0);
            return flags;
        }

        void clearReason() {
            area().set(JAVA_INT_UNALIGNED, AsyncPfAbi.AREA_FLAGS, 0);
        }

        @Override
        public int readToken() {
            return area().get(JAVA_INT_UNALIGNED, AsyncPfAbi.AREA_TOKEN);
        }

        @Override
        public void clearToken() {
            area().set(JAVA_INT_UNALIGNED, AsyncPfAbi.AREA_TOKEN, 0);
        }

        @Override
        public void acknowledge() {
            vcpu().writeMsr(AsyncPfAbi.MSR_ASYNC_PF_ACK, 1);
        }

        @Override
        public SleeperTable sleepers() {
            return kernel.sleepers();
        }

        @Override
        public Sleeper taskSleeper() {
            Task t = current;
            if (t == null) {
                throw new IllegalStateException("vCPU " + index + " has no current task to deschedule");
            }
            return t.sleeper;
        }

        @Override
        public Sleeper vcpuSleeper() {
            return halter;
        }

        @Override
        public WaitMode forcedMode() {
            return kernel.config().waitPolicy() == WaitPolicy.HALT_EVERYWHERE ? WaitMode.HALT : null;
        }
    }

    /** The vCPU as the halt wait sees it: halting means running the halt stub, which takes interrupts. */
    private final class HaltSleeper implements Sleeper {
        @Override
        public int vcpu() {
            return index;
        }

        @Override
        public boolean sleep() {
            safeHalt();
            return true;
        }

        @Override
        public void wakeUp() {
            kick();
        }

        @Override
        public void safeHalt() {
            kernel.pausePoint(VcpuLoop.this);
            if (kernel.stopping()) {
                return;   // closing the table releases the wait
            }
            long t0 = System.nanoTime();
            loadHaltStub();
            onHaltExit(VcpuLoop.this.vcpu().run());
            haltWaitNanos += System.nanoTime() - t0;
        }

        @Override
        public void kick() {
            VcpuLoop.this.kick();
        }
    }
}
