package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import java.lang.foreign.MemorySegment;
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
import org.paravane.api.backend.Vcpu;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;

/**
 * One vCPU's guest side of async page faults: enabling and disabling them on the vCPU as the guest-side
 * {@link PageFaultHandler} comes and goes, handing "page not present" and "page ready" to it with this vCPU's
 * {@link GuestApfContext}, and acting on its decision. The vCPU itself sleeps for the halt wait ({@link HaltSleeper});
 * a task sleeps for the schedule wait with its {@link TaskSleeper}.
 */
final class GuestAsyncPf {
    private static final Logger LOG = Logger.getLogger(GuestAsyncPf.class.getName());

    private final GuestKernel kernel;
    private final CpuScheduler cpu;
    private final int index;
    private final ApfContext apf = new ApfContext();
    private final Sleeper halter = new HaltSleeper();
    private boolean asyncPfOn;

    GuestAsyncPf(GuestKernel kernel, CpuScheduler cpu) {
        this.kernel = kernel;
        this.cpu = cpu;
        this.index = cpu.index();
    }

    private Vcpu vcpu() {
        return cpu.vcpu();
    }

    /** Enables async PF while the guest has what it needs for it, disables it (waking its own sleepers) when not. */
    void sync() {
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
     * The async-PF reason of the #PF being entered, read and cleared first of all on every #PF
     * ({@code kvm_read_and_reset_apf_flags}): a reason left set would make the next genuine fault async.
     */
    int readAndResetReason() {
        return apf.readAndResetReason();
    }

    /**
     * A #PF of {@code t} with the async-PF {@code reason} its entry read and cleared. With the guest-side handler bound
     * and async PF on, the handler decides. An async "not present" that nobody can take (the handler left, or async PF
     * is being turned off) is retried: the host serves the access then, and the token's later "page ready" finds no
     * waiter.
     */
    Step pageFault(Task t, long cr2, int errorCode, int reason, GeneralRegisters ctx, int cpl) {
        PageFaultHandler handler = asyncPfOn ? kernel.guestHandler() : null;
        if (handler == null) {
            if (reason != 0) {
                t.counters.syncFallbacks++;
                cpu.load(t);
                return Step.CONTINUE;
            }
            return cpu.traps().ordinaryPageFault(t, cr2, errorCode, ctx);
        }
        boolean interruptsOn = (ctx.rflags() & GeneralRegisters.RFLAGS_IF) != 0;
        GuestFaultResult d = handler.handle(new GuestFault(index, GuestFault.Trigger.PAGE_FAULT, cr2, errorCode, reason,
                ctx.rip(), cpl, interruptsOn, t.preemptCount, t.rcuDepth, false, kernel.config().preemption(), apf));
        return switch (d) {
            case GuestFaultResult.NotAsync n -> cpu.traps().ordinaryPageFault(t, cr2, errorCode, ctx);
            case GuestFaultResult.Waited w -> {
                t.counters.waited(w);
                if (w.outcome() == WaitOutcome.SUSPENDED) {
                    yield Step.LEAVE;   // off the vCPU until its wake; the sleeper queues it again
                }
                cpu.load(t);
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

    /**
     * A page fault in kernel context: {@code t}'s system call needs guest-physical page {@code gpa} for a copy, and it
     * is absent (lazily served memory). It is decided as a #PF at CPL0 in a preemptible system call with interrupts
     * on: the kernel issues a token and starts the fetch ({@link KernelPageFetches}), and the guest-side handler's
     * decision table picks the wait. The schedule wait answers a {@link SyscallOutcome.Block} whose {@code retry}
     * runs once the page is ready (the task leaves its vCPU, others run); the halt wait halts the vCPU here until it
     * is; without async page faults (policy off, no handler) the vCPU thread reads the page itself. Null: the page is
     * present now and the call goes on.
     *
     * @throws PageSourceException when the page cannot be had (the call fails with EIO)
     */
    SyscallOutcome kernelFault(Task t, long gpa, Blocked retry) throws PageSourceException {
        GuestMemory memory = kernel.memory();
        KernelPageFetches fetches = kernel.pageFetches();
        if (memory.isPresent(gpa)) {
            return null;
        }
        String failed = fetches.takeFailure(gpa);
        if (failed != null) {
            throw new PageSourceException(gpa, "page 0x" + Long.toHexString(gpa) + " could not be fetched: " + failed);
        }
        PageFaultHandler handler = asyncPfOn ? kernel.guestHandler() : null;
        SleeperTable table = kernel.sleepers();
        if (handler == null || table == null) {
            t.counters.syncFallbacks++;
            memory.ensurePresent(gpa & -GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
            return null;
        }
        int token = fetches.token();
        fetches.fetch(gpa, token, index, table);
        GuestFaultResult d = handler.handle(new GuestFault(index, GuestFault.Trigger.PAGE_FAULT,
                Integer.toUnsignedLong(token), 0, AsyncPfAbi.FLAG_PAGE_NOT_PRESENT, t.registers.rip(), 0, true,
                t.preemptCount, t.rcuDepth, false, kernel.config().preemption(), new KernelFaultContext(t)));
        return switch (d) {
            case GuestFaultResult.Waited w -> {
                t.counters.waited(w);
                if (w.outcome() == WaitOutcome.SUSPENDED) {
                    yield new SyscallOutcome.Block(retry);   // off the vCPU; the token's wake queues it again
                }
                if (w.outcome() == WaitOutcome.RELEASED) {
                    memory.ensurePresent(gpa & -GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
                }
                yield null;   // woken: the page is in (or its failure is recorded for the retry)
            }
            case GuestFaultResult.Panic p -> {
                kernel.panic(p.report());
                yield new SyscallOutcome.Kill(p.report());
            }
            case GuestFaultResult.NotAsync n -> throw new IllegalStateException("the guest fault handler " + handler
                    + " did not take a kernel page fault flagged \"page not present\"");
            case GuestFaultResult.Woke w -> throw new IllegalStateException("the guest fault handler " + handler
                    + " answered a kernel page fault as a \"page ready\" (" + w + ")");
        };
    }

    /**
     * This vCPU's context for a kernel-context fault: the schedule wait does not suspend the task itself, since the
     * system call does when it answers {@link SyscallOutcome.Block} (a wake in between is kept by the task's state).
     */
    private final class KernelFaultContext implements GuestApfContext {
        private final Task task;

        KernelFaultContext(Task task) {
            this.task = task;
        }

        @Override
        public int readToken() {
            return apf.readToken();
        }

        @Override
        public void clearToken() {
            apf.clearToken();
        }

        @Override
        public void acknowledge() {
            apf.acknowledge();
        }

        @Override
        public SleeperTable sleepers() {
            return kernel.sleepers();
        }

        @Override
        public Sleeper taskSleeper() {
            return new Sleeper() {
                @Override
                public int vcpu() {
                    return task.sleeper.vcpu();
                }

                @Override
                public boolean sleep() {
                    return false;   // the call's Block takes the task off its vCPU
                }

                @Override
                public void wakeUp() {
                    task.sleeper.wakeUp();
                }

                @Override
                public void safeHalt() {
                    task.sleeper.safeHalt();
                }

                @Override
                public void kick() {
                    task.sleeper.kick();
                }
            };
        }

        @Override
        public Sleeper vcpuSleeper() {
            return halter;
        }

        @Override
        public WaitMode forcedMode() {
            return apf.forcedMode();
        }
    }

    /**
     * "Page ready": the handler wakes the token, clears the slot and acknowledges. Without a handler async PF is being
     * turned off here: every sleeper of this vCPU is woken (their retries are served by the host), as on disable, and
     * the slot is freed so the host is not stuck.
     */
    void pageReady(TrapHandler.Frame f, int cpl, boolean idle) {
        cpu.counters().pageReady++;
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
        Task t = cpu.current();
        handler.handle(new GuestFault(index, GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 0, 0, f.rip(), cpl,
                (f.rflags() & GeneralRegisters.RFLAGS_IF) != 0, t == null ? 0 : t.preemptCount,
                t == null ? 0 : t.rcuDepth, idle, kernel.config().preemption(), apf));
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
            Task t = cpu.current();
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
            kernel.pausePoint(cpu);
            if (kernel.stopping()) {
                kernel.awaitWaitsReleased();   // the stopping kernel releases this wait: block until it has, never spin
                return;
            }
            long t0 = System.nanoTime();
            cpu.halt();
            cpu.counters().haltWaitNanos += System.nanoTime() - t0;
        }

        @Override
        public void kick() {
            cpu.kick();
        }
    }
}
