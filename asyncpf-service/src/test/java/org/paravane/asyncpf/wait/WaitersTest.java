package org.paravane.asyncpf.wait;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.asyncpf.testing.Await.await;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.asyncpf.table.BucketedSleeperTable;

/** Both waits on one table with real threads: blocking, wake-up, kicks, release, uninterruptibility. */
class WaitersTest {

    private final BucketedSleeperTable table = new BucketedSleeperTable("guest");
    private final ScheduleWaiter schedule = new ScheduleWaiter();
    private final HaltWaiter halt = new HaltWaiter();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        table.close();
        threads.shutdownNow();
    }

    private Future<WaitOutcome> scheduleWait(int token, int vcpu) {
        return threads.submit(() -> schedule.wait(table, token, new ThreadSleeper(vcpu)));
    }

    private Future<WaitOutcome> haltWait(int token, int vcpu) {
        return threads.submit(() -> halt.wait(table, token, new ThreadSleeper(vcpu)));
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.get(10, SECONDS);
    }

    @Test
    void scheduleWaitBlocksUntilItsWake() throws Exception {
        Future<WaitOutcome> w = scheduleWait(0x1000, 0);
        await(() -> table.size() == 1 && schedule.waitsInProgress() == 1, "the waiter enqueued");
        assertThat(w.isDone()).isFalse();
        table.wake(0x1000, 0);
        assertThat(get(w)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(schedule.waitsInProgress()).isZero();
    }

    @Test
    void wakeBeforeWaitReturnsAlreadyWoken() throws Exception {
        table.wake(0x1000, 1);
        assertThat(get(scheduleWait(0x1000, 0))).isEqualTo(WaitOutcome.ALREADY_WOKEN);
        table.wake(0x2000, 1);
        assertThat(get(haltWait(0x2000, 0))).isEqualTo(WaitOutcome.ALREADY_WOKEN);
        assertThat(table.size()).isZero();
    }

    @Test
    void wakeBetweenEnqueueAndSleepIsKeptAsAPermit() {
        // The wake lands after the entry is published and before the thread parks: the permit ends the park at once.
        ThreadSleeper inner = new ThreadSleeper(0);
        AtomicInteger sleeps = new AtomicInteger();
        Sleeper wakesFirst = new Sleeper() {
            @Override
            public int vcpu() {
                return 0;
            }

            @Override
            public boolean sleep() {
                if (sleeps.incrementAndGet() == 1) {
                    table.wake(0x1000, 0);
                }
                return inner.sleep();
            }

            @Override
            public void wakeUp() {
                inner.wakeUp();
            }

            @Override
            public void safeHalt() {
                inner.safeHalt();
            }

            @Override
            public void kick() {
                inner.kick();
            }
        };
        assertThat(schedule.wait(table, 0x1000, wakesFirst)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(sleeps).hasValue(1);
    }

    @Test
    void scheduleWaitIsUninterruptibleAndDoesNotSpinOnAnInterrupt() throws Exception {
        AtomicInteger sleeps = new AtomicInteger();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Future<WaitOutcome> w = threads.submit(() -> {
            waiter.set(Thread.currentThread());
            ThreadSleeper inner = new ThreadSleeper(0);
            Sleeper counting = new CountingSleeper(inner, sleeps);
            WaitOutcome o = schedule.wait(table, 0x1000, counting);
            boolean duringWait = Thread.currentThread().isInterrupted();
            inner.restoreInterrupt();
            interruptedAfter.set(!duringWait && Thread.currentThread().isInterrupted());
            return o;
        });
        await(() -> table.size() == 1 && sleeps.get() == 1, "the waiter asleep");
        waiter.get().interrupt();
        Thread.sleep(100);
        assertThat(w.isDone()).as("an interrupt does not end the wait").isFalse();
        assertThat(sleeps.get()).as("one spurious return per interrupt, never a spin").isLessThanOrEqualTo(3);
        table.wake(0x1000, 0);
        assertThat(get(w)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(interruptedAfter).as("the interrupt is kept for the caller, not left set during the wait").isTrue();
    }

    @Test
    void suspendedTaskReturnsAtOnceAndIsWokenUpByItsWake() {
        AtomicInteger wakeUps = new AtomicInteger();
        Sleeper guestTask = new Sleeper() {
            @Override
            public int vcpu() {
                return 2;
            }

            @Override
            public boolean sleep() {
                return false;   // the guest kernel took the task off its vCPU
            }

            @Override
            public void wakeUp() {
                wakeUps.incrementAndGet();
            }

            @Override
            public void safeHalt() {
            }

            @Override
            public void kick() {
            }
        };
        assertThat(schedule.wait(table, 0x1002, guestTask)).isEqualTo(WaitOutcome.SUSPENDED);
        assertThat(table.size()).isEqualTo(1);
        assertThat(schedule.waitsInProgress()).as("no thread is inside the waiter").isZero();
        table.wake(0x1002, 2);
        assertThat(wakeUps).hasValue(1);
        assertThat(table.size()).isZero();
    }

    @Test
    void haltWaitIsEndedByTheKickOfItsWake() throws Exception {
        Future<WaitOutcome> w = haltWait(0x2000, 1);
        await(() -> halt.waitsInProgress() == 1, "the vCPU halted");
        table.wake(0x2000, 0);
        assertThat(get(w)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(table.stats().haltWaits()).isEqualTo(1);
    }

    @Test
    void haltedVcpuStillTakesPageReadyForOtherTokens() throws Exception {
        // vCPU 0 halts on A. Its safeHalt handles the events that reach the vCPU (here: "page ready" interrupts) and
        // returns; a task waiting on B elsewhere is woken by the vCPU's handling of B while A still waits.
        BlockingQueue<Integer> interrupts = new LinkedBlockingQueue<>();
        AtomicInteger halts = new AtomicInteger();
        AtomicReference<Thread> vcpuThread = new AtomicReference<>();
        Sleeper vcpu = new Sleeper() {
            @Override
            public int vcpu() {
                return 0;
            }

            @Override
            public boolean sleep() {
                throw new AssertionError("a halt waiter never schedules");
            }

            @Override
            public void wakeUp() {
                throw new AssertionError("a halted waiter is kicked, not woken up");
            }

            @Override
            public void safeHalt() {
                halts.incrementAndGet();
                Integer token = interrupts.poll();
                if (token == null) {
                    LockSupport.park(this);   // sti; hlt
                    token = interrupts.poll();
                }
                if (token != null) {
                    table.wake(token, 0);   // the page-ready handler running on this vCPU
                }
            }

            @Override
            public void kick() {
                LockSupport.unpark(vcpuThread.get());
            }
        };
        Future<WaitOutcome> task = scheduleWait(0xB000, 1);
        Future<WaitOutcome> halted = threads.submit(() -> {
            vcpuThread.set(Thread.currentThread());
            return halt.wait(table, 0xA000, vcpu);
        });
        await(() -> table.size() == 2 && halts.get() >= 1, "both waiting");
        interrupts.add(0xB000);
        LockSupport.unpark(vcpuThread.get());   // the interrupt wakes the halted CPU
        assertThat(get(task)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(halted.isDone()).as("B's ready does not end A's halt").isFalse();
        interrupts.add(0xA000);
        LockSupport.unpark(vcpuThread.get());
        assertThat(get(halted)).isEqualTo(WaitOutcome.WOKEN);
    }

    @Test
    void bothWaitsShareOneEnqueuePath() throws Exception {
        table.wake(0x3000, 0);
        table.wake(0x4000, 0);
        assertThat(get(haltWait(0x3000, 0))).isEqualTo(WaitOutcome.ALREADY_WOKEN);
        assertThat(get(scheduleWait(0x4000, 0))).isEqualTo(WaitOutcome.ALREADY_WOKEN);
        Future<WaitOutcome> s = scheduleWait(0x5000, 0);
        Future<WaitOutcome> h = haltWait(0x6000, 0);
        await(() -> table.size() == 2, "two waiters");
        table.wakeAll(0);
        assertThat(get(s)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(get(h)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(table.stats().dummiesConsumed()).isEqualTo(2);
        assertThat(table.stats().scheduleWaits()).isEqualTo(1);
        assertThat(table.stats().haltWaits()).isEqualTo(1);
    }

    @Test
    void haltWaiterGoingAwayReleasesItsHaltedWaitsAndTheWakesAreAbsorbed() throws Exception {
        Future<WaitOutcome> a = haltWait(0x1000, 0);
        Future<WaitOutcome> b = haltWait(0x2000, 1);
        Future<WaitOutcome> s = scheduleWait(0x3000, 0);
        await(() -> halt.waitsInProgress() == 2 && table.size() == 3, "two halted, one sleeping");
        halt.deactivate();
        assertThat(get(a)).isEqualTo(WaitOutcome.RELEASED);
        assertThat(get(b)).isEqualTo(WaitOutcome.RELEASED);
        assertThat(s.isDone()).as("the schedule waiter is not affected").isFalse();
        assertThat(get(haltWait(0x4000, 0))).as("later halts fall back at once").isEqualTo(WaitOutcome.RELEASED);
        table.wake(0x1000, 0);
        table.wake(0x2000, 0);
        table.wake(0x4000, 0);
        table.wake(0x3000, 0);
        assertThat(get(s)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(table.size()).as("every wake absorbed, no dummy left").isZero();
        assertThat(table.stats().dummiesCreated()).isZero();
    }

    @Test
    void scheduleWaiterGoingAwayReleasesItsSleepers() throws Exception {
        Future<WaitOutcome> w = scheduleWait(0x1000, 0);
        await(() -> schedule.waitsInProgress() == 1, "asleep");
        schedule.deactivate();
        assertThat(get(w)).isEqualTo(WaitOutcome.RELEASED);
    }

    @Test
    void closingTheTableLeavesNoThreadParked() throws Exception {   // VM shutdown
        Future<WaitOutcome> s = scheduleWait(0x1000, 0);
        Future<WaitOutcome> h = haltWait(0x2000, 1);
        await(() -> table.size() == 2, "two waiters");
        table.close();
        assertThat(get(s)).isEqualTo(WaitOutcome.RELEASED);
        assertThat(get(h)).isEqualTo(WaitOutcome.RELEASED);
        assertThat(get(scheduleWait(0x3000, 0))).isEqualTo(WaitOutcome.RELEASED);
    }

    @Test
    void aSleeperOnAnotherThreadIsRefused() {
        ThreadSleeper other = new ThreadSleeper(0, new Thread(() -> { }));
        assertThatThrownBy(other::sleep).isInstanceOf(IllegalStateException.class);
    }

    /** Counts sleep() calls of a delegate. */
    private record CountingSleeper(Sleeper inner, AtomicInteger sleeps) implements Sleeper {
        @Override
        public int vcpu() {
            return inner.vcpu();
        }

        @Override
        public boolean sleep() {
            sleeps.incrementAndGet();
            return inner.sleep();
        }

        @Override
        public void wakeUp() {
            inner.wakeUp();
        }

        @Override
        public void safeHalt() {
            inner.safeHalt();
        }

        @Override
        public void kick() {
            inner.kick();
        }
    }
}
