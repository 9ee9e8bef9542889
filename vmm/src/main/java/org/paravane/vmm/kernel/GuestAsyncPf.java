package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.logging.Logger;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.FaultDecision;
import org.paravane.api.asyncpf.GuestApfContext;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.PageSourceException;

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
    private final GuestApfContext apf = new ApfContext();
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

    /** A #PF of {@code t}: an async "page not present" goes to the handler, anything else is an ordinary fault. */
    Step pageFault(Task t, long cr2, int errorCode, GeneralRegisters ctx, int cpl) {
        PageFaultHandler handler = asyncPfOn ? kernel.guestHandler() : null;
        if (handler != null) {
            boolean interruptsOn = (ctx.rflags() & GeneralRegisters.RFLAGS_IF) != 0;
            FaultDecision d = handler.handle(new GuestFault(index, GuestFault.Trigger.PAGE_FAULT, cr2, errorCode, ctx.rip(),
                    cpl, interruptsOn, t.preemptCount, t.rcuDepth, false, kernel.config().preemption(), apf));
            switch (d) {
                case FaultDecision.Waited w -> {
                    t.counters.asyncFaults++;
                    if (w.mode() == WaitMode.HALT) {
                        t.counters.haltWaits++;
                    } else {
                        t.counters.scheduleWaits++;
                    }
                    if (w.outcome() == WaitOutcome.SUSPENDED) {
                        return Step.LEAVE;   // off the vCPU until its wake; the sleeper queues it again
                    }
                    if (w.outcome() == WaitOutcome.RELEASED) {
                        t.counters.syncFallbacks++;
                    }
                    cpu.load(t);
                    return Step.CONTINUE;   // retry the access
                }
                case FaultDecision.Panic p -> {
                    kernel.panic(p.report());
                    return Step.LEAVE;
                }
                case FaultDecision.NotAsync n -> {
                    // an ordinary #PF: below
                }
                default -> {
                    return cpu.traps().kill(t, "guest fault handler answered " + d + " to a page fault at 0x"
                            + Long.toHexString(cr2));
                }
            }
        }
        return cpu.traps().ordinaryPageFault(t, cr2, errorCode, ctx);
    }

    /** "Page ready": the handler wakes the token, clears the slot and acknowledges. */
    void pageReady(TrapHandler.Frame f, int cpl, boolean idle) {
        cpu.counters().pageReady++;
        PageFaultHandler handler = kernel.guestHandler();
        if (handler == null) {
            // Without a handler async PF is being disabled; free the slot so the host is not stuck.
            apf.clearToken();
            apf.acknowledge();
            return;
        }
        Task t = cpu.current();
        handler.handle(new GuestFault(index, GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 0, f.rip(), cpl,
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

        @Override
        public int readAndResetFlags() {
            MemorySegment a = area();
            int flags = a.get(JAVA_INT_UNALIGNED, AsyncPfAbi.AREA_FLAGS);
            a.set(JAVA_INT_UNALIGNED, AsyncPfAbi.AREA_FLAGS, 0);
            return flags;
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
