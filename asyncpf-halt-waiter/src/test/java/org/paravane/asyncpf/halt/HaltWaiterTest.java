package org.paravane.asyncpf.halt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;

/**
 * The halt loop on its own, against a scripted table: enqueue in HALT mode through the API, halt until the entry is
 * unhashed, RELEASED when released, and a provider that goes away releases its halted waits through the table. The
 * waiter against the real table and real threads is tested in asyncpf-service (WaitersTest, the model check).
 */
class HaltWaiterTest {

    /** An entry that stays queued for {@code halts} halts, then is woken (or released by the table). */
    static final class ScriptedEntry implements SleeperTable.Entry {
        int haltsLeft;
        boolean released;

        ScriptedEntry(int halts) {
            this.haltsLeft = halts;
        }

        @Override
        public int token() {
            return 0x1000;
        }

        @Override
        public int vcpu() {
            return 0;
        }

        @Override
        public WaitMode mode() {
            return WaitMode.HALT;
        }

        @Override
        public boolean isQueued() {
            return haltsLeft > 0 && !released;
        }

        @Override
        public boolean isReleased() {
            return released;
        }
    }

    static final class ScriptedTable implements SleeperTable {
        final List<WaitMode> enqueued = new ArrayList<>();
        final List<Entry> releasedEntries = new ArrayList<>();
        ScriptedEntry next;

        @Override
        public Entry enqueue(int token, Sleeper sleeper, WaitMode mode) {
            enqueued.add(mode);
            return next;
        }

        @Override
        public void wake(int token, int wakingVcpu) {
        }

        @Override
        public void wakeAll(int vcpu) {
        }

        @Override
        public void release(Entry entry) {
            releasedEntries.add(entry);
            ((ScriptedEntry) entry).released = true;
        }

        @Override
        public int size() {
            return 0;
        }

        @Override
        public Stats stats() {
            return new Stats(0, 0, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public void close() {
        }
    }

    /** Counts halts; each halt is one "event" that advances the scripted entry. */
    static final class CountingVcpu implements Sleeper {
        final AtomicInteger halts = new AtomicInteger();
        ScriptedEntry entry;
        Runnable onHalt = () -> { };

        @Override
        public int vcpu() {
            return 0;
        }

        @Override
        public boolean sleep() {
            throw new AssertionError("the halt wait never schedules");
        }

        @Override
        public void wakeUp() {
        }

        @Override
        public void safeHalt() {
            halts.incrementAndGet();
            onHalt.run();
            if (entry != null) {
                entry.haltsLeft--;
            }
        }

        @Override
        public void kick() {
        }
    }

    private final HaltWaiter waiter = new HaltWaiter();
    private final ScriptedTable table = new ScriptedTable();
    private final CountingVcpu vcpu = new CountingVcpu();

    @Test
    void haltsUntilTheEntryIsUnhashed() {
        table.next = vcpu.entry = new ScriptedEntry(3);
        assertThat(waiter.wait(table, 0x1000, vcpu)).isEqualTo(WaitOutcome.WOKEN);
        assertThat(vcpu.halts).hasValue(3);
        assertThat(table.enqueued).containsExactly(WaitMode.HALT);
        assertThat(waiter.mode()).isEqualTo(WaitMode.HALT);
    }

    @Test
    void aConsumedDummyMeansNoHaltAtAll() {
        table.next = null;
        assertThat(waiter.wait(table, 0x1000, vcpu)).isEqualTo(WaitOutcome.ALREADY_WOKEN);
        assertThat(vcpu.halts).hasValue(0);
    }

    @Test
    void goingAwayReleasesTheHaltedWaitThroughTheTable() {
        table.next = vcpu.entry = new ScriptedEntry(Integer.MAX_VALUE);
        vcpu.onHalt = () -> {
            assertThat(waiter.waitsInProgress()).isEqualTo(1);
            waiter.deactivate();
        };
        assertThat(waiter.wait(table, 0x1000, vcpu)).isEqualTo(WaitOutcome.RELEASED);
        assertThat(table.releasedEntries).hasSize(1);
        assertThat(waiter.waitsInProgress()).isZero();
    }

    @Test
    void afterGoingAwayWaitsAreReleasedAtOnce() {
        waiter.deactivate();
        table.next = vcpu.entry = new ScriptedEntry(Integer.MAX_VALUE);
        assertThat(waiter.wait(table, 0x1000, vcpu)).isEqualTo(WaitOutcome.RELEASED);
        assertThat(vcpu.halts).as("released before the first halt").hasValue(0);
        assertThat(table.releasedEntries).hasSize(1);
    }
}
