package org.paravane.asyncpf.guest;

import static org.paravane.api.asyncpf.AsyncPfAbi.FLAG_PAGE_NOT_PRESENT;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;
import static org.paravane.api.asyncpf.AsyncPfAbi.tokenString;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.GuestApfContext;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.GuestFaultResult;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;

/**
 * The guest kernel's async page fault entry (V1 {@code __kvm_handle_async_pf} with the V3 interrupt for "page ready").
 *
 * <p>A #PF: the guest kernel's entry has read and cleared the reason flags first of all (C13) and passes them in
 * {@link GuestFault#reason()}. 0 is an ordinary fault. Then, in this order: interrupts
 * disabled is a panic, never a hang (C9); flags without {@code PAGE_NOT_PRESENT} are a panic (mainline WARNs and drops
 * them; Paravane's host never sets other bits, so they mean a broken host and the guest stops with a report); a
 * "not present" carrying token 0 or 0xFFFFFFFF is a panic (C5, C6: its wake could never be told apart). Otherwise the
 * decision table picks the wait:
 * <pre>
 *   idle task                          → halt
 *   PREEMPTIBLE:     preempt count 0 and RCU depth 0 → schedule, else halt   (user mode has count 0)
 *   NON_PREEMPTIBLE: CPL 3 → schedule, kernel mode → halt
 * </pre>
 * The waiters are optional dynamic references. Without a schedule waiter the task halts its vCPU instead; without a
 * halt waiter the fault falls back to synchronous: the entry is enqueued and released at once, so the token's wake is
 * absorbed, and the access is retried ({@link WaitOutcome#RELEASED}), which the host then serves itself.
 *
 * <p>A "page ready" interrupt: the token slot is read; 0 is spurious (counted, no wake, since a wake of 0 would leave a
 * dummy nobody consumes); otherwise the token (or wake-all) is woken on this vCPU, then the slot is cleared, then the
 * host is acknowledged. A spurious interrupt is acknowledged too: the slot is free, and a host waiting for the ACK
 * must not stall.
 */
@Component(service = PageFaultHandler.class)
public final class GuestFaultHandler implements PageFaultHandler {

    private static final GuestFaultResult.NotAsync NOT_ASYNC = new GuestFaultResult.NotAsync();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + AsyncPfWaiter.MODE + "=schedule)")
    volatile AsyncPfWaiter scheduleWaiter;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + AsyncPfWaiter.MODE + "=halt)")
    volatile AsyncPfWaiter haltWaiter;

    private final GuestFaultCounters counters = new GuestFaultCounters();

    public GuestFaultHandler() {
    }

    /** A handler wired by hand (tests, embedding without DS). */
    public GuestFaultHandler(AsyncPfWaiter scheduleWaiter, AsyncPfWaiter haltWaiter) {
        this.scheduleWaiter = scheduleWaiter;
        this.haltWaiter = haltWaiter;
    }

    @Override
    public GuestFaultResult handle(GuestFault f) {
        return switch (f.trigger()) {
            case PAGE_FAULT -> pageFault(f);
            case PAGE_READY_INTERRUPT -> pageReady(f);
        };
    }

    /** Counters since activation. */
    public GuestFaultCounters.Snapshot counters() {
        return counters.snapshot();
    }

    /** Which waiters are bound now. */
    public String waiters() {
        AsyncPfWaiter s = scheduleWaiter;
        AsyncPfWaiter h = haltWaiter;
        return "schedule: " + (s == null ? "missing (tasks halt instead)" : s)
                + ", halt: " + (h == null ? "missing (halts fall back to synchronous)" : h);
    }

    private GuestFaultResult pageFault(GuestFault f) {
        int flags = f.reason();   // read and cleared by the kernel's entry before anything could fault again (C13)
        if (flags == 0) {
            counters.ordinary.increment();
            return NOT_ASYNC;
        }
        int token = f.token();
        if (!f.interruptsEnabled()) {
            return panic(f, "the host injected an async #PF into an interrupt-disabled region; the guest cannot wait"
                    + " there, and the host must not deliver one with IF=0 (C9)");
        }
        if ((flags & FLAG_PAGE_NOT_PRESENT) == 0) {
            return panic(f, "unexpected async PF flags 0x" + Integer.toHexString(flags)
                    + " (only PAGE_NOT_PRESENT=1 is defined)");
        }
        if (token == 0 || token == WAKE_ALL_TOKEN) {
            return panic(f, "the host injected \"page not present\" with the reserved token " + tokenString(token)
                    + (token == 0 ? ", which means \"slot free\" to the page-ready protocol (C5)"
                                  : ", which is the wake-all token (C6)")
                    + "; its wake could never be delivered");
        }
        WaitMode forced = f.context().forcedMode();   // an experiment may force one wait everywhere
        return waitFor(f, token, forced != null ? forced : canSchedule(f) ? WaitMode.SCHEDULE : WaitMode.HALT);
    }

    /** The V1 decision table (§4/§6). */
    static boolean canSchedule(GuestFault f) {
        if (f.idleTask()) {
            return false;
        }
        return f.preemption() == PreemptionModel.PREEMPTIBLE
                ? f.preemptCount() == 0 && f.rcuDepth() == 0
                : f.cpl() == 3;
    }

    private GuestFaultResult waitFor(GuestFault f, int token, WaitMode mode) {
        GuestApfContext context = f.context();
        SleeperTable table = context.sleepers();
        if (mode == WaitMode.SCHEDULE) {
            AsyncPfWaiter schedule = scheduleWaiter;
            if (schedule != null) {
                counters.scheduleWaits.increment();
                return new GuestFaultResult.Waited(token, WaitMode.SCHEDULE, schedule.wait(table, token, context.taskSleeper()));
            }
            counters.scheduleFallbacks.increment();
        }
        AsyncPfWaiter halt = haltWaiter;
        if (halt != null) {
            counters.haltWaits.increment();
            return new GuestFaultResult.Waited(token, WaitMode.HALT, halt.wait(table, token, context.vcpuSleeper()));
        }
        // No waiter for this context: synchronous. The released entry absorbs the token's wake when it comes.
        counters.synchronousFallbacks.increment();
        SleeperTable.Entry entry = table.enqueue(token, context.vcpuSleeper(), WaitMode.HALT);
        if (entry == null) {
            return new GuestFaultResult.Waited(token, WaitMode.HALT, WaitOutcome.ALREADY_WOKEN);
        }
        table.release(entry);
        return new GuestFaultResult.Waited(token, WaitMode.HALT, WaitOutcome.RELEASED);
    }

    private GuestFaultResult pageReady(GuestFault f) {
        GuestApfContext context = f.context();
        int token = context.readToken();
        if (token == 0) {
            counters.spurious.increment();
            context.acknowledge();
            return NOT_ASYNC;
        }
        context.sleepers().wake(token, f.vcpu());
        context.clearToken();
        context.acknowledge();
        (token == WAKE_ALL_TOKEN ? counters.wakeAlls : counters.pagesReady).increment();
        return new GuestFaultResult.Woke(token);
    }

    private GuestFaultResult panic(GuestFault f, String what) {
        counters.panics.increment();
        return new GuestFaultResult.Panic("vCPU " + f.vcpu() + ": " + what + "; token " + tokenString(f.token())
                + ", RIP 0x" + Long.toHexString(f.rip()) + ", CPL " + f.cpl());
    }

    @Override
    public String toString() {
        return "guest-side async PF handler (" + waiters() + ")";
    }
}
