package org.paravane.asyncpf.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.asyncpf.wait.ScheduleWaiter;
import org.paravane.asyncpf.wait.ThreadSleeper;

/**
 * Randomized stress of the guest table with real threads: waiters on two vCPUs alternate schedule and halt waits on
 * fresh tokens, wakers wake those tokens up to a few ahead of the waits (so many wakes come first and leave dummies),
 * and a third thread keeps waking all of vCPU 0. Runs {@code asyncpf.stress.seconds} (a few by default, minutes with
 * -Pstress) and then checks, beyond "every wait returned":
 * <ul>
 *   <li>I1: no token ever has two live waiters (sampled from snapshots while running);</li>
 *   <li>I2: every wake either woke one waiter or left one dummy; every dummy was consumed by one wait or discarded by a
 *       wake-all; nothing is left in the table;</li>
 *   <li>I3: a waiter of vCPU 1 (never the target of a wake-all) never returns before its token's wake was issued;</li>
 *   <li>the outcomes add up: ALREADY_WOKEN = dummies consumed, WOKEN = woken by token + woken by wake-all.</li>
 * </ul>
 */
class SleeperTableStressTest {

    private static final int SECONDS = Integer.getInteger("asyncpf.stress.seconds", 2);
    private static final int WAITERS = 4;
    /** How far a waker may run ahead of its waiter: the wakes beyond the current wait leave dummies. */
    private static final int WINDOW = 3;

    private final BucketedSleeperTable table = new BucketedSleeperTable("stress");
    private final ScheduleWaiter schedule = new ScheduleWaiter();
    private final HaltWaiter halt = new HaltWaiter();

    /** Per waiter: the sequence number of the wait now in progress (or next), and the last one whose wake was issued. */
    private final AtomicLongArray waiting = new AtomicLongArray(WAITERS);
    private final AtomicLongArray issued = new AtomicLongArray(WAITERS);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean waitersDone = new AtomicBoolean();
    private final LongAdder woken = new LongAdder();
    private final LongAdder alreadyWoken = new LongAdder();
    private final LongAdder wakeCalls = new LongAdder();
    private final AtomicLong wakeAlls = new AtomicLong();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    private static int token(int waiter, long seq) {
        return (int) ((seq + 1) << 3) | waiter;   // unique, never 0, never ~0 within an int's range of seq
    }

    private static int vcpuOf(int waiter) {
        return waiter % 2;
    }

    @Test
    void millionsOfWaitWakePairsKeepTheInvariants() throws Exception {
        for (int w = 0; w < WAITERS; w++) {
            issued.set(w, -1);
        }
        List<Thread> threads = new ArrayList<>();
        List<Thread> waiters = new ArrayList<>();
        for (int w = 0; w < WAITERS; w++) {
            int me = w;
            Thread t = Thread.ofPlatform().name("waiter-" + w).start(() -> waitLoop(me));
            waiters.add(t);
            threads.add(t);
        }
        threads.add(Thread.ofPlatform().name("waker-a").start(() -> wakeLoop(0, 1)));
        threads.add(Thread.ofPlatform().name("waker-b").start(() -> wakeLoop(2, 3)));
        threads.add(Thread.ofPlatform().name("wake-all").start(this::wakeAllLoop));
        threads.add(Thread.ofPlatform().name("sampler").start(this::sampleLoop));

        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(SECONDS));
        stop.set(true);
        for (Thread t : waiters) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as(t.getName() + " left behind in a wait").isFalse();
        }
        waitersDone.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as(t.getName() + " did not finish").isFalse();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;

        assertThat(violations).isEmpty();
        table.wakeAll(0);
        table.wakeAll(1);   // what is left: dummies of waits a wake-all ended before their token's wake came
        SleeperTable.Stats s = table.stats();
        long waits = woken.sum() + alreadyWoken.sum();
        System.out.printf("sleeper table stress: %,d wait/wake pairs in %.1f s (%,.0f/s), %,d wake-alls, %s%n",
                waits, elapsed, waits / elapsed, wakeAlls.get(), s);

        assertThat(table.size()).as("no entry left behind").isZero();
        assertThat(s.scheduleWaits() + s.haltWaits()).as("every linked waiter").isEqualTo(woken.sum());
        assertThat(s.wakes() + s.wakeAllWoken()).as("WOKEN = woken by token + by wake-all").isEqualTo(woken.sum());
        assertThat(s.dummiesConsumed()).as("ALREADY_WOKEN = dummies consumed").isEqualTo(alreadyWoken.sum());
        assertThat(s.wakes() + s.dummiesCreated()).as("I2: each wake woke one waiter or left one dummy").isEqualTo(wakeCalls.sum());
        assertThat(s.dummiesCreated()).as("I2: each dummy consumed once or discarded").isEqualTo(s.dummiesConsumed() + s.dummiesDiscarded());
        assertThat(s.released()).isZero();
        assertThat(alreadyWoken.sum()).as("the wake-before-wait path ran").isPositive();
        assertThat(s.wakeAllWoken()).as("wake-alls woke waiters").isPositive();
        assertThat(waits).as("pairs exercised").isGreaterThan(10_000L * SECONDS);
    }

    private void waitLoop(int me) {
        int vcpu = vcpuOf(me);
        ThreadSleeper self = new ThreadSleeper(vcpu);
        for (long seq = 0; !stop.get(); seq++) {
            waiting.set(me, seq);
            int token = token(me, seq);
            WaitOutcome o = (seq & 1) == 0 ? schedule.wait(table, token, self) : halt.wait(table, token, self);
            switch (o) {
                case WOKEN -> woken.increment();
                case ALREADY_WOKEN -> alreadyWoken.increment();
                default -> violations.add("waiter " + me + " got " + o);
            }
            boolean wakeIssued = issued.get(me) >= seq;
            if (o == WaitOutcome.ALREADY_WOKEN && !wakeIssued) {
                violations.add("dummy for " + Integer.toHexString(token) + " before its wake");
            }
            if (o == WaitOutcome.WOKEN && !wakeIssued && vcpu != 0) {
                violations.add("I3: waiter on vCPU " + vcpu + " woken before its wake; only vCPU 0 gets wake-alls");
            }
        }
        waiting.set(me, Long.MAX_VALUE);   // done: no further waits
    }

    private void wakeLoop(int... mine) {
        while (!waitersDone.get()) {
            boolean progressed = false;
            for (int w : mine) {
                long current = waiting.get(w);
                long next = issued.get(w) + 1;
                if (current != Long.MAX_VALUE && next <= current + WINDOW) {
                    issued.set(w, next);   // recorded before the wake, so a waiter it releases sees it
                    wakeCalls.increment();
                    // recorded on vCPU 1: its dummies survive vCPU 0's wake-alls, so no wait loses its wake
                    table.wake(token(w, next), 1);
                    progressed = true;
                }
            }
            if (!progressed) {
                Thread.onSpinWait();
            }
        }
    }

    private void wakeAllLoop() {
        while (!stop.get()) {
            LockSupport.parkNanos(200_000);
            table.wakeAll(0);
            wakeAlls.incrementAndGet();
        }
    }

    private void sampleLoop() {
        while (!stop.get()) {
            LockSupport.parkNanos(5_000_000);
            Set<Integer> live = new HashSet<>();
            for (BucketedSleeperTable.Linked e : table.snapshot()) {
                if (e.kind() == BucketedSleeperTable.Kind.WAITER && !live.add(e.token())) {
                    violations.add("I1: two live waiters for " + Integer.toHexString(e.token()));
                }
            }
        }
    }
}
