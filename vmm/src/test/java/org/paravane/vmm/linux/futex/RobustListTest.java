package org.paravane.vmm.linux.futex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.futex.RobustList.OWNER_DIED;
import static org.paravane.vmm.linux.futex.RobustList.WAITERS;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.abi.SyscallOutcome;

class RobustListTest {
    private static final long HEAD = FakeWords.BASE, M1 = FakeWords.BASE + 0x100, M2 = FakeWords.BASE + 0x200,
            M3 = FakeWords.BASE + 0x300, TID_WORD = FakeWords.BASE + 0x400;
    /** glibc's robust mutexes: the list entry sits 16 bytes after... here the word is 8 bytes past the entry. */
    private static final long OFFSET = 8;
    private static final int TID = 42;

    private final Futex futex = new Futex();
    private final FakeWords mem = new FakeWords(4096);

    private void list(long... entries) throws Exception {
        mem.storeLong(HEAD + 8, OFFSET);
        long prev = HEAD;
        for (long e : entries) {
            mem.storeLong(prev, e);
            prev = e;
        }
        mem.storeLong(prev, HEAD);
    }

    private FakeTask waitOn(long word, int value) throws Exception {
        FakeTask t = new FakeTask(7);
        assertThat(futex.call(t.view, mem, word, Futex.WAIT | Futex.PRIVATE_FLAG, value, 0, 0, 0))
                .isInstanceOf(SyscallOutcome.Block.class);
        return t;
    }

    @Test
    void mutexesTheDeadThreadHeldAreMarkedAndOneWaiterWoken() throws Exception {
        list(M1, M2, M3);
        mem.store(M1 + OFFSET, TID | WAITERS);
        mem.store(M2 + OFFSET, TID);
        mem.store(M3 + OFFSET, 99 | WAITERS);   // another thread's: untouched
        FakeTask w1 = waitOn(M1 + OFFSET, TID | WAITERS), w1b = waitOn(M1 + OFFSET, TID | WAITERS);
        FakeTask w3 = waitOn(M3 + OFFSET, 99 | WAITERS);
        futex.threadExited(mem, TID, HEAD, 0);
        assertThat(mem.load(M1 + OFFSET)).isEqualTo(WAITERS | OWNER_DIED);
        assertThat(mem.load(M2 + OFFSET)).isEqualTo(OWNER_DIED);
        assertThat(mem.load(M3 + OFFSET)).isEqualTo(99 | WAITERS);
        assertThat(w1.wakes.get() + w1b.wakes.get()).as("one waiter of the dead owner's mutex").isEqualTo(1);
        assertThat(w3.wakes).hasValue(0);
    }

    @Test
    void thePendingEntryIsHandledOnceAndAnUntakenPendingLockWakesAWaiter() throws Exception {
        list(M1);
        mem.storeLong(HEAD + 16, M2);
        mem.store(M1 + OFFSET, TID);
        mem.store(M2 + OFFSET, 0);
        FakeTask w = waitOn(M2 + OFFSET, 0);
        futex.threadExited(mem, TID, HEAD, 0);
        assertThat(mem.load(M1 + OFFSET)).isEqualTo(OWNER_DIED);
        assertThat(w.wakes).hasValue(1);
    }

    @Test
    void aCyclicListEndsAfterTheLimit() throws Exception {
        mem.storeLong(HEAD + 8, OFFSET);
        mem.storeLong(HEAD, M1);
        mem.storeLong(M1, M2);
        mem.storeLong(M2, M1);   // never back to the head
        mem.store(M1 + OFFSET, TID);
        futex.threadExited(mem, TID, HEAD, 0);
        assertThat(mem.load(M1 + OFFSET)).isEqualTo(OWNER_DIED);
    }

    @Test
    void aBrokenListIsIgnored() throws Exception {
        mem.storeLong(HEAD, 0x123456789000L);
        futex.threadExited(mem, TID, HEAD, 0);
        futex.threadExited(mem, TID, 0x10, 0);
    }

    @Test
    void theClearTidWordIsZeroedAndItsJoinerWoken() throws Exception {
        mem.store(TID_WORD, TID);
        FakeTask joiner = new FakeTask(1);
        var blocked = ((SyscallOutcome.Block) futex.call(joiner.view, mem, TID_WORD, Futex.WAIT, TID, 0, 0, 0)).blocked();
        futex.threadExited(mem, TID, 0, TID_WORD);
        assertThat(mem.load(TID_WORD)).isZero();
        assertThat(joiner.wakes).hasValue(1);
        assertThat(((SyscallOutcome.Return) blocked.resume(joiner.view)).value()).isZero();
        futex.threadExited(mem, TID, 0, 0x10);   // unmapped: ignored
    }
}
