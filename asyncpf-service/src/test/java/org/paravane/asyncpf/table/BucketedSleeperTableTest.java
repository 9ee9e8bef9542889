package org.paravane.asyncpf.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.SleeperTable.Entry;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.asyncpf.table.BucketedSleeperTable.Kind;
import org.paravane.asyncpf.table.BucketedSleeperTable.Linked;

/**
 * The table on its own, single-threaded: the enqueue path, wake, wake-all, release and close, against §2, §3, §5 of
 * docs/async-page-faults.md and C1–C3. Concurrency is in the stress test and the model check.
 */
class BucketedSleeperTableTest {

    /** A sleeper that only counts how it was notified. */
    static final class CountingSleeper implements Sleeper {
        final int vcpu;
        final AtomicInteger wakeUps = new AtomicInteger();
        final AtomicInteger kicks = new AtomicInteger();

        CountingSleeper(int vcpu) {
            this.vcpu = vcpu;
        }

        @Override
        public int vcpu() {
            return vcpu;
        }

        @Override
        public boolean sleep() {
            return true;
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
            kicks.incrementAndGet();
        }
    }

    private final BucketedSleeperTable table = new BucketedSleeperTable("guest");

    @Test
    void bucketIsHash32OfTheTokenWithEightBits() {
        assertThat(BucketedSleeperTable.bucketOf(0)).isZero();
        assertThat(BucketedSleeperTable.bucketOf(1)).isEqualTo(0x61);
        assertThat(BucketedSleeperTable.bucketOf(0x1001)).isEqualTo((int) ((0x1001L * 0x61C88647L & 0xFFFFFFFFL) >>> 24));
        assertThat(BucketedSleeperTable.bucketOf(WAKE_ALL_TOKEN)).isBetween(0, 255);
    }

    @Test
    void waitThenWake() {
        CountingSleeper s = new CountingSleeper(0);
        Entry e = table.enqueue(0x1000, s, WaitMode.SCHEDULE);
        assertThat(e.isQueued()).isTrue();
        assertThat(e.vcpu()).isZero();
        assertThat(table.size()).isEqualTo(1);
        table.wake(0x1000, 0);
        assertThat(e.isQueued()).isFalse();
        assertThat(e.isReleased()).isFalse();
        assertThat(s.wakeUps).hasValue(1);
        assertThat(table.size()).isZero();
        assertThat(table.stats()).isEqualTo(new SleeperTable.Stats(1, 0, 1, 0, 0, 0, 0, 0));
    }

    @Test
    void wakeBeforeWaitLeavesDummy() {   // C1
        table.wake(0x2000, 1);
        assertThat(table.snapshot()).containsExactly(new Linked(BucketedSleeperTable.bucketOf(0x2000), 0x2000, 1, Kind.DUMMY, null));
        CountingSleeper s = new CountingSleeper(0);
        assertThat(table.enqueue(0x2000, s, WaitMode.SCHEDULE)).as("the wait consumes the dummy and does not wait").isNull();
        assertThat(table.size()).isZero();
        assertThat(s.wakeUps).hasValue(0);
        SleeperTable.Stats st = table.stats();
        assertThat(st.dummiesCreated()).isEqualTo(1);
        assertThat(st.dummiesConsumed()).isEqualTo(1);
        assertThat(st.scheduleWaits()).isZero();
    }

    @Test
    void wakeWithAllocationFailureThenWaiterArrives() {   // C2: the wake retries until the waiter is there
        CountingSleeper s = new CountingSleeper(0);
        Entry[] waiter = new Entry[1];
        AtomicInteger attempts = new AtomicInteger();
        BucketedSleeperTable t = new BucketedSleeperTable("guest", (tbl, token, vcpu) -> {
            if (attempts.incrementAndGet() == 3) {
                waiter[0] = tbl.enqueue(token, s, WaitMode.SCHEDULE);   // the #PF is handled meanwhile
            }
            return null;   // GFP_ATOMIC failed
        });
        t.wake(0x3000, 0);
        assertThat(attempts).hasValue(3);
        assertThat(waiter[0].isQueued()).isFalse();
        assertThat(s.wakeUps).hasValue(1);
        assertThat(t.size()).isZero();
        assertThat(t.stats().dummiesCreated()).isZero();
    }

    @Test
    void dummyAllocationRaceDropsTheUnusedDummy() {   // ddd7ed842627: allocate unlocked, look again, free if unneeded
        CountingSleeper s = new CountingSleeper(0);
        Entry[] waiter = new Entry[1];
        BucketedSleeperTable t = new BucketedSleeperTable("guest", (tbl, token, vcpu) -> {
            waiter[0] = tbl.enqueue(token, s, WaitMode.HALT);   // the waiter enqueues while the dummy is allocated
            return BucketedSleeperTable.Node.dummy(tbl, token, vcpu);
        });
        t.wake(0x4000, 0);
        assertThat(waiter[0].isQueued()).isFalse();
        assertThat(s.kicks).as("a halted waiter gets the reschedule IPI").hasValue(1);
        assertThat(t.snapshot()).as("no duplicate dummy was linked").isEmpty();
        assertThat(t.dummiesDropped()).isEqualTo(1);
        assertThat(t.stats().dummiesCreated()).isZero();
    }

    @Test
    void duplicateTokenWakesNewestFirst() {
        CountingSleeper older = new CountingSleeper(0);
        CountingSleeper newer = new CountingSleeper(1);
        Entry e1 = table.enqueue(0x5000, older, WaitMode.SCHEDULE);
        Entry e2 = table.enqueue(0x5000, newer, WaitMode.SCHEDULE);
        table.wake(0x5000, 0);
        assertThat(e2.isQueued()).isFalse();
        assertThat(e1.isQueued()).isTrue();
        table.wake(0x5000, 0);
        assertThat(e1.isQueued()).isFalse();
        assertThat(older.wakeUps).hasValue(1);
        assertThat(newer.wakeUps).hasValue(1);
    }

    @Test
    void secondReadyForOneTokenLeavesASecondDummy() {   // I2 even for a buggy host: one wake, one dummy
        table.wake(0x6000, 0);
        table.wake(0x6000, 0);
        assertThat(table.snapshot()).extracting(Linked::kind).containsExactly(Kind.DUMMY, Kind.DUMMY);
        assertThat(table.enqueue(0x6000, new CountingSleeper(0), WaitMode.SCHEDULE)).isNull();
        assertThat(table.enqueue(0x6000, new CountingSleeper(0), WaitMode.SCHEDULE)).isNull();
        assertThat(table.size()).isZero();
    }

    @Test
    void aWakeNeverConsumesADummyAndAnEnqueueNeverConsumesAWaiter() {
        table.wake(0x7000, 0);   // dummy
        CountingSleeper s = new CountingSleeper(0);
        assertThat(table.enqueue(0x7000, s, WaitMode.SCHEDULE)).isNull();
        Entry e = table.enqueue(0x7000, s, WaitMode.SCHEDULE);
        assertThat(e).isNotNull();
        table.wake(0x7000, 0);
        assertThat(e.isQueued()).isFalse();
        assertThat(table.size()).isZero();
    }

    @Test
    void wakeAllOnAnotherVcpuHasNoEffect() {   // I3
        CountingSleeper onZero = new CountingSleeper(0);
        Entry e = table.enqueue(0x1000, onZero, WaitMode.SCHEDULE);
        table.wake(0x2001, 0);   // a dummy recorded on vCPU 0
        table.wakeAll(1);
        assertThat(e.isQueued()).isTrue();
        assertThat(onZero.wakeUps).hasValue(0);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.stats().wakeAllWoken()).isZero();
    }

    @Test
    void wakeAllWakesItsVcpuAndFreesItsDummies() {   // C3: the kernel leaks the dummies; we discard them
        CountingSleeper a = new CountingSleeper(2);
        CountingSleeper b = new CountingSleeper(2);
        CountingSleeper other = new CountingSleeper(3);
        Entry ea = table.enqueue(0x1002, a, WaitMode.SCHEDULE);
        Entry eb = table.enqueue(0x2002, b, WaitMode.HALT);
        Entry eo = table.enqueue(0x1003, other, WaitMode.SCHEDULE);
        table.wake(0x3002, 2);
        table.wake(0x4002, 2);
        table.wake(WAKE_ALL_TOKEN, 2);   // "page ready" with ~0 is a wake-all on the waking vCPU
        assertThat(ea.isQueued()).isFalse();
        assertThat(eb.isQueued()).isFalse();
        assertThat(a.wakeUps).hasValue(1);
        assertThat(b.kicks).hasValue(1);
        assertThat(eo.isQueued()).isTrue();
        assertThat(table.snapshot()).extracting(Linked::token).containsExactly(0x1003);
        SleeperTable.Stats st = table.stats();
        assertThat(st.wakeAllWoken()).isEqualTo(2);
        assertThat(st.dummiesDiscarded()).isEqualTo(2);
    }

    @Test
    void cpuOfflineWakeAllReleasesTheSleepersWhoseReadyWillNeverCome() {   // C21: the guest wakes its own vCPU
        CountingSleeper s = new CountingSleeper(1);
        Entry e1 = table.enqueue(0x1001, s, WaitMode.SCHEDULE);
        Entry e2 = table.enqueue(0x2001, s, WaitMode.SCHEDULE);
        table.wakeAll(1);   // kvm_guest_cpu_offline after disabling async PF
        assertThat(List.of(e1, e2)).noneMatch(Entry::isQueued);
        assertThat(s.wakeUps).hasValue(2);
        // a late "ready" for one of them (a host that did deliver after all) leaves a dummy on the waking vCPU
        table.wake(0x1001, 0);
        assertThat(table.snapshot()).extracting(Linked::kind).containsExactly(Kind.DUMMY);
    }

    @Test
    void releaseEndsTheWaitAndAbsorbsTheLaterWake() {
        CountingSleeper s = new CountingSleeper(0);
        Entry e = table.enqueue(0x8000, s, WaitMode.HALT);
        table.release(e);
        assertThat(e.isQueued()).isFalse();
        assertThat(e.isReleased()).isTrue();
        assertThat(s.kicks).hasValue(1);
        assertThat(table.snapshot()).extracting(Linked::kind).containsExactly(Kind.RELEASED_WAITER);
        table.release(e);   // idempotent
        assertThat(s.kicks).hasValue(1);
        table.wake(0x8000, 0);
        assertThat(table.size()).as("absorbed, no dummy").isZero();
        assertThat(table.stats().dummiesCreated()).isZero();
        assertThat(s.kicks).as("a released waiter is not notified again").hasValue(1);
        assertThat(table.stats().released()).isEqualTo(1);
    }

    @Test
    void wakeAllCountsOnlyTheWaitersItWokeNotTheReleasedEntriesItUnlinks() {   // issue 11, defect 4
        CountingSleeper s = new CountingSleeper(1);
        Entry released = table.enqueue(0x1001, s, WaitMode.HALT);
        table.release(released);   // a waiter's provider left: the entry stays linked to absorb its wake
        Entry waiting = table.enqueue(0x2001, s, WaitMode.SCHEDULE);
        table.wakeAll(1);
        assertThat(waiting.isQueued()).isFalse();
        assertThat(table.size()).isZero();
        assertThat(table.stats().wakeAllWoken()).as("one waiter woken; the released entry was only unlinked").isEqualTo(1);
        assertThat(table.stats().released()).isEqualTo(1);
    }

    @Test
    void releaseAfterTheWakeChangesNothing() {
        CountingSleeper s = new CountingSleeper(0);
        Entry e = table.enqueue(0x8000, s, WaitMode.SCHEDULE);
        table.wake(0x8000, 0);
        table.release(e);
        assertThat(e.isReleased()).isFalse();
        assertThat(s.wakeUps).hasValue(1);
        assertThat(table.stats().released()).isZero();
    }

    @Test
    void releaseOfAnotherTablesEntryIsRefused() {
        Entry e = new BucketedSleeperTable("other").enqueue(1, new CountingSleeper(0), WaitMode.SCHEDULE);
        assertThatThrownBy(() -> table.release(e)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guest");
    }

    @Test
    void closeReleasesEveryWaiterAndLaterEnqueuesComeBackReleased() {
        CountingSleeper s = new CountingSleeper(0);
        CountingSleeper h = new CountingSleeper(1);
        Entry e1 = table.enqueue(0x1000, s, WaitMode.SCHEDULE);
        Entry e2 = table.enqueue(0x2001, h, WaitMode.HALT);
        table.wake(0x3000, 0);
        table.close();
        assertThat(e1.isReleased()).isTrue();
        assertThat(e2.isReleased()).isTrue();
        assertThat(s.wakeUps).hasValue(1);
        assertThat(h.kicks).hasValue(1);
        assertThat(table.size()).isZero();
        Entry late = table.enqueue(0x3000, s, WaitMode.SCHEDULE);
        assertThat(late).isNotNull();
        assertThat(late.isQueued()).isFalse();
        assertThat(late.isReleased()).isTrue();
        table.wake(0x4000, 0);
        table.wakeAll(0);
        assertThat(table.size()).isZero();
        table.close();   // idempotent
        assertThat(table.stats().released()).isEqualTo(3);
    }

    @Test
    void nullSleeperOrModeIsRefused() {
        assertThatThrownBy(() -> table.enqueue(1, null, WaitMode.HALT)).isInstanceOf(NullPointerException.class).hasMessageContaining("sleeper");
        assertThatThrownBy(() -> table.enqueue(1, new CountingSleeper(0), null)).hasMessageContaining("mode");
    }
}
