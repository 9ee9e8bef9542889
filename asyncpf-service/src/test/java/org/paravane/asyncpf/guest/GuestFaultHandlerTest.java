package org.paravane.asyncpf.guest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.api.asyncpf.AsyncPfAbi.FLAG_PAGE_NOT_PRESENT;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;
import static org.paravane.api.asyncpf.PreemptionModel.NON_PREEMPTIBLE;
import static org.paravane.api.asyncpf.PreemptionModel.PREEMPTIBLE;
import static org.paravane.asyncpf.testing.Await.await;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.paravane.api.asyncpf.GuestFaultResult;
import org.paravane.api.asyncpf.GuestFaultResult.NotAsync;
import org.paravane.api.asyncpf.GuestFaultResult.Panic;
import org.paravane.api.asyncpf.GuestFaultResult.Waited;
import org.paravane.api.asyncpf.GuestFaultResult.Woke;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.GuestFault.Trigger;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.asyncpf.table.BucketedSleeperTable;
import org.paravane.asyncpf.testing.FakeContext;
import org.paravane.asyncpf.wait.ScheduleWaiter;

/**
 * The guest kernel's #PF and page-ready entry: §6 dispatch, the §4 decision table, C5/C6/C9/C13 of
 * docs/async-page-faults.md, the fallbacks.
 */
class GuestFaultHandlerTest {

    private final BucketedSleeperTable table = new BucketedSleeperTable("guest");
    private final ScheduleWaiter schedule = new ScheduleWaiter();
    private final HaltWaiter halt = new HaltWaiter();
    private final GuestFaultHandler handler = new GuestFaultHandler(schedule, halt);
    private final ExecutorService vcpus = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        table.close();
        vcpus.shutdownNow();
    }

    private FakeContext context(int vcpu) {
        return new FakeContext(vcpu, table);
    }

    /** An async "not present" for {@code token} as the guest's #PF entry sees it. */
    private static GuestFault notPresent(FakeContext ctx, int vcpu, int token, int cpl, boolean interrupts, int preemptCount,
                                         int rcuDepth, boolean idle, PreemptionModel model) {
        return new GuestFault(vcpu, Trigger.PAGE_FAULT, Integer.toUnsignedLong(token), 0, FLAG_PAGE_NOT_PRESENT, 0x401234, cpl, interrupts,
                preemptCount, rcuDepth, idle, model, ctx);
    }

    private GuestFault userFault(FakeContext ctx, int token) {
        return notPresent(ctx, 0, token, 3, true, 0, 0, false, PREEMPTIBLE);
    }

    private static GuestFault pageReady(FakeContext ctx, int vcpu, int token) {
        ctx.token.set(token);
        return new GuestFault(vcpu, Trigger.PAGE_READY_INTERRUPT, 0, 0, 0, 0x401000, 3, true, 0, 0, false, PREEMPTIBLE, ctx);
    }

    private static GuestFaultResult get(Future<GuestFaultResult> f) throws Exception {
        return f.get(10, SECONDS);
    }

    // ---- dispatch ----

    @Test
    void ordinaryFaultHasNoReason() {
        FakeContext ctx = context(0);
        GuestFault f = new GuestFault(0, Trigger.PAGE_FAULT, 0xdead000, 2, 0, 0x401000, 3, true, 0, 0, false, PREEMPTIBLE, ctx);
        assertThat(handler.handle(f)).isInstanceOf(NotAsync.class);
        assertThat(handler.counters().ordinaryFaults()).isEqualTo(1);
    }

    @Test
    void theReasonComesWithTheFaultAndTheAreaIsNotTouchedBeforeTheWait() throws Exception {   // C13: the kernel read it
        FakeContext ctx = context(0);
        Future<GuestFaultResult> f = vcpus.submit(() -> handler.handle(userFault(ctx, 0x1000)));
        await(() -> table.size() == 1, "the task asleep");
        assertThat(ctx.calls).doesNotContain("readToken", "clearToken", "acknowledge");
        table.wake(0x1000, 0);
        assertThat(get(f)).isEqualTo(new Waited(0x1000, WaitMode.SCHEDULE, WaitOutcome.WOKEN));
    }

    @ParameterizedTest(name = "{0} cpl={1} preempt={2} rcu={3} idle={4} -> {5}")
    @CsvSource({
            // user mode schedules under both models (#2a)
            "PREEMPTIBLE,     3, 0, 0, false, SCHEDULE",
            "NON_PREEMPTIBLE, 3, 0, 0, false, SCHEDULE",
            // preemptible kernel code outside RCU schedules (#2b)
            "PREEMPTIBLE,     0, 0, 0, false, SCHEDULE",
            // non-preemptible or RCU-protected kernel code halts (#2c)
            "PREEMPTIBLE,     0, 1, 0, false, HALT",
            "PREEMPTIBLE,     0, 0, 1, false, HALT",
            "PREEMPTIBLE,     0, 2, 1, false, HALT",
            // a non-preemptible kernel cannot tell: any kernel context halts
            "NON_PREEMPTIBLE, 0, 0, 0, false, HALT",
            "NON_PREEMPTIBLE, 0, 1, 0, false, HALT",
            // the idle task never schedules
            "PREEMPTIBLE,     0, 0, 0, true,  HALT",
            "NON_PREEMPTIBLE, 0, 0, 0, true,  HALT",
    })
    void decisionTable(PreemptionModel model, int cpl, int preemptCount, int rcuDepth, boolean idle, WaitMode expected)
            throws Exception {
        FakeContext ctx = context(1);
        Future<GuestFaultResult> f = vcpus.submit(() -> handler.handle(
                notPresent(ctx, 1, 0x2001, cpl, true, preemptCount, rcuDepth, idle, model)));
        await(() -> table.size() == 1, "the wait");
        assertThat(table.snapshot().getFirst().mode()).isEqualTo(expected);
        assertThat(ctx.calls).contains(expected == WaitMode.SCHEDULE ? "taskSleeper" : "vcpuSleeper");
        table.wake(0x2001, 1);
        assertThat(get(f)).isEqualTo(new Waited(0x2001, expected, WaitOutcome.WOKEN));
    }

    @Test
    void aForcedModeOverridesTheDecisionTable() throws Exception {
        FakeContext ctx = context(1).forcing(WaitMode.HALT);
        Future<GuestFaultResult> f = vcpus.submit(() -> handler.handle(
                notPresent(ctx, 1, 0x3001, 3, true, 0, 0, false, PreemptionModel.PREEMPTIBLE)));
        await(() -> table.size() == 1, "the wait");
        assertThat(table.snapshot().getFirst().mode()).as("user mode would schedule; the experiment halts").isEqualTo(WaitMode.HALT);
        table.wake(0x3001, 1);
        assertThat(get(f)).isEqualTo(new Waited(0x3001, WaitMode.HALT, WaitOutcome.WOKEN));
    }

    @Test
    void interruptsDisabledIsAPanicNamingVcpuTokenAndRip() {   // C9: never a hang
        FakeContext ctx = context(3);
        GuestFaultResult d = handler.handle(notPresent(ctx, 3, 0x4003, 0, false, 1, 0, false, PREEMPTIBLE));
        assertThat(d).isInstanceOf(Panic.class);
        assertThat(((Panic) d).report()).contains("vCPU 3", "0x4003", "RIP 0x401234", "interrupt-disabled");
        assertThat(table.size()).isZero();
        assertThat(handler.counters().panics()).isEqualTo(1);
    }

    @Test
    void token0FromBuggyHostIsAPanicNotAHang() {   // C5
        GuestFaultResult d = handler.handle(userFault(context(0), 0));
        assertThat(((Panic) d).report()).contains("token 0x0", "C5");
        assertThat(table.size()).isZero();
    }

    @Test
    void tokenWakeAllFromBuggyHostIsAPanicNotAHang() {   // C6
        GuestFaultResult d = handler.handle(userFault(context(0), WAKE_ALL_TOKEN));
        assertThat(((Panic) d).report()).contains("0xffffffff", "C6");
        assertThat(table.size()).isZero();
    }

    @Test
    void unexpectedFlagsAreAPanic() {
        FakeContext ctx = context(0);
        // 2: the legacy PAGE_READY reason, which no interrupt-delivery host sends
        GuestFaultResult d = handler.handle(new GuestFault(0, Trigger.PAGE_FAULT, 0x1000, 0, 2, 0x401000, 3, true, 0, 0, false, PREEMPTIBLE, ctx));
        assertThat(((Panic) d).report()).contains("unexpected async PF flags 0x2");
    }


    // ---- page ready ----

    @Test
    void pageReadyWakesThenClearsTheSlotThenAcknowledges() throws Exception {
        FakeContext task = context(0);
        Future<GuestFaultResult> f = vcpus.submit(() -> handler.handle(userFault(task, 0x1000)));
        await(() -> table.size() == 1, "asleep");
        FakeContext irq = context(0);
        assertThat(handler.handle(pageReady(irq, 0, 0x1000))).isEqualTo(new Woke(0x1000));
        assertThat(irq.calls).containsExactly("readToken", "sleepers", "clearToken", "acknowledge");
        assertThat(irq.token).hasValue(0);
        assertThat(get(f)).isEqualTo(new Waited(0x1000, WaitMode.SCHEDULE, WaitOutcome.WOKEN));
        assertThat(handler.counters().pagesReady()).isEqualTo(1);
    }

    @Test
    void pageReadyBeforeTheNotPresentWasHandledLeavesADummy() {   // C1 through the handler
        FakeContext ctx = context(1);
        handler.handle(pageReady(ctx, 1, 0x1000));
        assertThat(handler.handle(userFault(context(0), 0x1000)))
                .isEqualTo(new Waited(0x1000, WaitMode.SCHEDULE, WaitOutcome.ALREADY_WOKEN));
    }

    @Test
    void pageReadyWithTheWakeAllTokenWakesOnlyThisVcpu() throws Exception {   // migration/re-enable (C22), I3
        FakeContext c0 = context(0);
        FakeContext c1 = context(1);
        Future<GuestFaultResult> on0 = vcpus.submit(() -> handler.handle(notPresent(c0, 0, 0x1000, 3, true, 0, 0, false, PREEMPTIBLE)));
        Future<GuestFaultResult> on1 = vcpus.submit(() -> handler.handle(notPresent(c1, 1, 0x1001, 3, true, 0, 0, false, PREEMPTIBLE)));
        await(() -> table.size() == 2, "two tasks asleep");
        assertThat(handler.handle(pageReady(context(0), 0, WAKE_ALL_TOKEN))).isEqualTo(new Woke(WAKE_ALL_TOKEN));
        assertThat(((Waited) get(on0)).outcome()).isEqualTo(WaitOutcome.WOKEN);
        assertThat(on1.isDone()).isFalse();
        assertThat(handler.counters().wakeAlls()).isEqualTo(1);
        table.wake(0x1001, 1);
        get(on1);
    }

    @Test
    void spuriousPageReadyIsCountedAndAcknowledgedWithoutAWake() {
        FakeContext irq = context(0);
        assertThat(handler.handle(pageReady(irq, 0, 0))).isInstanceOf(NotAsync.class);
        assertThat(irq.calls).containsExactly("readToken", "acknowledge");
        assertThat(table.size()).as("no dummy for token 0").isZero();
        assertThat(handler.counters().spurious()).isEqualTo(1);
    }

    // ---- waiters going away ----

    @Test
    void withoutScheduleWaiterTheTaskHaltsItsVcpu() throws Exception {
        handler.scheduleWaiter = null;
        FakeContext ctx = context(0);
        Future<GuestFaultResult> f = vcpus.submit(() -> handler.handle(userFault(ctx, 0x1000)));
        await(() -> table.size() == 1, "halted");
        assertThat(table.snapshot().getFirst().mode()).isEqualTo(WaitMode.HALT);
        table.wake(0x1000, 0);
        assertThat(get(f)).isEqualTo(new Waited(0x1000, WaitMode.HALT, WaitOutcome.WOKEN));
        assertThat(handler.counters().scheduleFallbacks()).isEqualTo(1);
    }

    @Test
    void withoutHaltWaiterHaltsFallBackToSynchronousAndTheWakeIsAbsorbed() {
        handler.haltWaiter = null;
        GuestFaultResult d = handler.handle(notPresent(context(0), 0, 0x1000, 0, true, 1, 0, false, PREEMPTIBLE));
        assertThat(d).isEqualTo(new Waited(0x1000, WaitMode.HALT, WaitOutcome.RELEASED));
        assertThat(table.size()).as("kept to absorb the wake").isEqualTo(1);
        handler.handle(pageReady(context(0), 0, 0x1000));
        assertThat(table.size()).isZero();
        assertThat(table.stats().dummiesCreated()).isZero();
        assertThat(handler.counters().synchronousFallbacks()).isEqualTo(1);
    }

    @Test
    void withoutAnyWaiterSchedulesAlsoFallBackToSynchronous() {
        handler.scheduleWaiter = null;
        handler.haltWaiter = null;
        assertThat(handler.handle(userFault(context(0), 0x1000))).isEqualTo(new Waited(0x1000, WaitMode.HALT, WaitOutcome.RELEASED));
        assertThat(handler.counters().scheduleFallbacks()).isEqualTo(1);
        assertThat(handler.counters().synchronousFallbacks()).isEqualTo(1);
        assertThat(handler.waiters()).contains("schedule: missing", "halt: missing");
    }

    @Test
    void synchronousFallbackConsumesAnEarlyWake() {
        handler.haltWaiter = null;
        table.wake(0x1000, 0);
        assertThat(handler.handle(notPresent(context(0), 0, 0x1000, 0, true, 1, 0, false, PREEMPTIBLE)))
                .isEqualTo(new Waited(0x1000, WaitMode.HALT, WaitOutcome.ALREADY_WOKEN));
        assertThat(table.size()).isZero();
    }

    @Test
    void countersAddUp() {
        handler.handle(pageReady(context(0), 0, 0));
        handler.handle(userFault(context(0), 0));
        GuestFaultCounters.Snapshot c = handler.counters();
        assertThat(List.of(c.spurious(), c.panics(), c.scheduleWaits())).containsExactly(1L, 1L, 0L);
    }
}
