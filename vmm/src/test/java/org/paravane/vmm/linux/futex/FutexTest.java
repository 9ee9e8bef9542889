package org.paravane.vmm.linux.futex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.futex.Futex.CLOCK_REALTIME;
import static org.paravane.vmm.linux.futex.Futex.CMP_REQUEUE;
import static org.paravane.vmm.linux.futex.Futex.LOCK_PI;
import static org.paravane.vmm.linux.futex.Futex.PRIVATE_FLAG;
import static org.paravane.vmm.linux.futex.Futex.REQUEUE;
import static org.paravane.vmm.linux.futex.Futex.WAIT;
import static org.paravane.vmm.linux.futex.Futex.WAIT_BITSET;
import static org.paravane.vmm.linux.futex.Futex.WAKE;
import static org.paravane.vmm.linux.futex.Futex.WAKE_BITSET;
import static org.paravane.vmm.linux.futex.Futex.WAKE_OP;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

class FutexTest {
    private static final long A = FakeWords.BASE + 0x100, B = FakeWords.BASE + 0x200, TS = FakeWords.BASE + 0x300;

    private final Futex futex = new Futex();
    private final FakeWords mem = new FakeWords(4096);

    /** The call as the ABI answers it: an errno becomes -errno, a bad pointer -EFAULT. */
    private SyscallOutcome call(FakeTask t, FutexMemory m, long uaddr, int op, int val, long timeout, long uaddr2,
                                int val3) {
        try {
            return futex.call(t.view, m, uaddr, op, val, timeout, uaddr2, val3);
        } catch (ErrnoException e) {
            return new SyscallOutcome.Return(-e.errno());
        } catch (GuestAccessException e) {
            return new SyscallOutcome.Return(-Errno.EFAULT);
        }
    }

    private SyscallOutcome call(FakeTask t, long uaddr, int op, int val) {
        return call(t, mem, uaddr, op, val, 0, 0, 0);
    }

    private static long value(SyscallOutcome o) {
        assertThat(o).isInstanceOf(SyscallOutcome.Return.class);
        return ((SyscallOutcome.Return) o).value();
    }

    private static Blocked blocked(SyscallOutcome o) {
        assertThat(o).isInstanceOf(SyscallOutcome.Block.class);
        return ((SyscallOutcome.Block) o).blocked();
    }

    @Test
    void aWaitOnAWordThatChangedAnswersEagain() throws Exception {
        mem.store(A, 5);
        assertThat(value(call(new FakeTask(1), A, WAIT | PRIVATE_FLAG, 4))).isEqualTo(-Errno.EAGAIN);
    }

    @Test
    void aWaiterBlocksUntilWokenAndTellsAWakeFromASpuriousResumption() {
        FakeTask waiter = new FakeTask(1);
        Blocked b = blocked(call(waiter, A, WAIT | PRIVATE_FLAG, 0));
        assertThat(b.resume(waiter.view)).as("resumed without a wake").isInstanceOf(SyscallOutcome.Block.class);
        assertThat(value(call(new FakeTask(2), A, WAKE | PRIVATE_FLAG, 1))).isEqualTo(1);
        assertThat(waiter.wakes).hasValue(1);
        assertThat(value(b.resume(waiter.view))).isZero();
        assertThat(value(call(new FakeTask(2), A, WAKE | PRIVATE_FLAG, 1))).as("nobody left").isZero();
    }

    @Test
    void aWakeTakesAtMostItsCountOldestFirstAndZeroMeansOne() {
        FakeTask[] w = {new FakeTask(1), new FakeTask(2), new FakeTask(3)};
        for (FakeTask t : w) {
            blocked(call(t, A, WAIT, 0));
        }
        assertThat(value(call(new FakeTask(9), A, WAKE, 0))).isEqualTo(1);
        assertThat(w[0].wakes).hasValue(1);
        assertThat(w[1].wakes).hasValue(0);
        assertThat(value(call(new FakeTask(9), A, WAKE, Integer.MAX_VALUE))).isEqualTo(2);
    }

    @Test
    void aRelativeTimeoutEndsTheWaitWithEtimedout() throws Exception {
        FakeTask t = new FakeTask(1);
        t.now = 1_000;
        mem.storeLong(TS, 0);
        mem.storeLong(TS + 8, 500);
        Blocked b = blocked(call(t, mem, A, WAIT | PRIVATE_FLAG, 0, TS, 0, 0));
        SyscallOutcome again = b.resume(t.view);
        assertThat(((SyscallOutcome.Block) again).deadlineNanos()).isEqualTo(1_500);
        t.now = 1_500;
        assertThat(value(b.resume(t.view))).isEqualTo(-Errno.ETIMEDOUT);
        assertThat(futex.table().waiters(new FutexKey.Private(mem, A))).as("the timed-out waiter left").isZero();
    }

    @Test
    void waitBitsetTakesAnAbsoluteMonotonicDeadlineAndAPassedOneTimesOutAtOnce() throws Exception {
        FakeTask t = new FakeTask(1);
        t.now = 5_000;
        mem.storeLong(TS, 0);
        mem.storeLong(TS + 8, 4_000);
        assertThat(value(call(t, mem, A, WAIT_BITSET | PRIVATE_FLAG, 0, TS, 0, -1))).isEqualTo(-Errno.ETIMEDOUT);
        mem.storeLong(TS + 8, 9_000);
        SyscallOutcome o = call(t, mem, A, WAIT_BITSET | PRIVATE_FLAG, 0, TS, 0, -1);
        assertThat(((SyscallOutcome.Block) o).deadlineNanos()).isEqualTo(9_000);
    }

    @Test
    void aRealtimeDeadlineIsTakenFromTheWallClock() throws Exception {
        FakeTask t = new FakeTask(1);
        t.now = 1_000_000;
        long wall = System.currentTimeMillis() / 1000 + 10;   // ten seconds from now, give or take one
        mem.storeLong(TS, wall);
        mem.storeLong(TS + 8, 0);
        long deadline = ((SyscallOutcome.Block) call(t, mem, A, WAIT_BITSET | CLOCK_REALTIME, 0, TS, 0, -1))
                .deadlineNanos();
        assertThat(deadline - t.now).isBetween(8_000_000_000L, 11_000_000_000L);
        assertThat(value(call(t, mem, A, WAIT | CLOCK_REALTIME, 0, TS, 0, 0))).as("FUTEX_WAIT has no absolute time")
                .isEqualTo(-Errno.ENOSYS);
    }

    @Test
    void aWakeAfterTheDeadlineButBeforeTheWaiterLeftStillCounts() {
        FakeTask t = new FakeTask(1);
        mem.storeLongUnchecked(TS, 0, 10);
        Blocked b = blocked(call(t, mem, A, WAIT, 0, TS, 0, 0));
        assertThat(value(call(new FakeTask(2), A, WAKE, 1))).isEqualTo(1);
        t.now = 100;
        assertThat(value(b.resume(t.view))).isZero();
    }

    @Test
    void bitsetsChooseWhichWaitersAWakeReaches() {
        FakeTask one = new FakeTask(1), two = new FakeTask(2);
        Blocked b1 = blocked(call(one, mem, A, WAIT_BITSET, 0, 0, 0, 1));
        blocked(call(two, mem, A, WAIT_BITSET, 0, 0, 0, 2));
        assertThat(value(call(new FakeTask(3), mem, A, WAKE_BITSET, 10, 0, 0, 4))).isZero();
        assertThat(value(call(new FakeTask(3), mem, A, WAKE_BITSET, 10, 0, 0, 1))).isEqualTo(1);
        assertThat(value(b1.resume(one.view))).isZero();
        assertThat(two.wakes).hasValue(0);
        assertThat(value(call(new FakeTask(3), mem, A, WAKE_BITSET, 10, 0, 0, 0))).isEqualTo(-Errno.EINVAL);
        assertThat(value(call(new FakeTask(3), mem, A, WAIT_BITSET, 0, 0, 0, 0))).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void cmpRequeueWakesSomeMovesOthersAndChecksTheWord() throws Exception {
        FakeTask[] w = {new FakeTask(1), new FakeTask(2), new FakeTask(3)};
        Blocked[] b = new Blocked[3];
        for (int i = 0; i < 3; i++) {
            b[i] = blocked(call(w[i], A, WAIT | PRIVATE_FLAG, 0));
        }
        mem.store(A, 7);
        assertThat(value(call(new FakeTask(9), mem, A, CMP_REQUEUE | PRIVATE_FLAG, 1, 1, B, 6)))
                .isEqualTo(-Errno.EAGAIN);
        assertThat(value(call(new FakeTask(9), mem, A, CMP_REQUEUE | PRIVATE_FLAG, 1, 1, B, 7))).isEqualTo(2);
        assertThat(value(b[0].resume(w[0].view))).isZero();
        assertThat(futex.table().waiters(new FutexKey.Private(mem, A))).isEqualTo(1);
        assertThat(futex.table().waiters(new FutexKey.Private(mem, B))).isEqualTo(1);
        assertThat(value(call(new FakeTask(9), B, WAKE | PRIVATE_FLAG, 5))).isEqualTo(1);
        assertThat(value(b[1].resume(w[1].view))).as("moved to B, woken there").isZero();
        assertThat(b[2].resume(w[2].view)).isInstanceOf(SyscallOutcome.Block.class);
        assertThat(value(call(new FakeTask(9), mem, A, REQUEUE | PRIVATE_FLAG, 0, 5, B, 0))).isEqualTo(1);
        assertThat(value(call(new FakeTask(9), mem, A, REQUEUE | PRIVATE_FLAG, -1, 5, B, 0))).isEqualTo(-Errno.EINVAL);
        b[2].cancel();
        assertThat(futex.table().waiters(new FutexKey.Private(mem, B))).as("cancel left the requeued queue").isZero();
    }

    @Test
    void wakeOpChangesTheSecondWordAndWakesItsWaitersWhenTheComparisonHolds() throws Exception {
        FakeTask one = new FakeTask(1), two = new FakeTask(2);
        blocked(call(one, A, WAIT | PRIVATE_FLAG, 0));
        blocked(call(two, B, WAIT | PRIVATE_FLAG, 0));
        mem.store(B, 0);
        // glibc's old condvar op: *B = 1; wake B's waiters if the old value was > 1... here: old == 0
        int op = (WakeOp.SET << 28) | (WakeOp.CMP_EQ << 24) | (1 << 12) | 0;
        assertThat(value(call(new FakeTask(9), mem, A, WAKE_OP | PRIVATE_FLAG, 1, 1, B, op))).isEqualTo(2);
        assertThat(mem.load(B)).isEqualTo(1);
        assertThat(two.wakes).hasValue(1);
        blocked(call(two, B, WAIT | PRIVATE_FLAG, 1));
        int add = (WakeOp.ADD << 28) | (WakeOp.CMP_GT << 24) | (2 << 12) | 5;   // old 1 > 5 fails
        assertThat(value(call(new FakeTask(9), mem, A, WAKE_OP | PRIVATE_FLAG, 1, 1, B, add))).isZero();
        assertThat(mem.load(B)).isEqualTo(3);
        int shifted = ((8 | WakeOp.OR) << 28) | (WakeOp.CMP_NE << 24) | (4 << 12);   // *B |= 1 << 4
        assertThat(value(call(new FakeTask(9), mem, A, WAKE_OP | PRIVATE_FLAG, 1, 1, B, shifted))).isEqualTo(1);
        assertThat(mem.load(B)).isEqualTo(19);
        assertThat(value(call(new FakeTask(9), mem, A, WAKE_OP | PRIVATE_FLAG, 1, 1, B, 7 << 28)))
                .isEqualTo(-Errno.ENOSYS);
    }

    @Test
    void wakeOpDecodesSignedArguments() {
        WakeOp op = WakeOp.decode((WakeOp.ADD << 28) | (WakeOp.CMP_LT << 24) | (0xFFF << 12) | 0x800);
        assertThat(op.oparg()).isEqualTo(-1);
        assertThat(op.cmparg()).isEqualTo(-2048);
    }

    @Test
    void badWordsAndUnprovidedOperationsAnswerLinuxsErrors() {
        FakeTask t = new FakeTask(1);
        assertThat(value(call(t, A + 2, WAKE | PRIVATE_FLAG, 1))).isEqualTo(-Errno.EINVAL);
        assertThat(value(call(t, 0x800000000000L, WAKE | PRIVATE_FLAG, 1))).isEqualTo(-Errno.EFAULT);
        assertThat(value(call(t, 0x100, WAKE, 1))).as("a shared wake needs the mapping").isEqualTo(-Errno.EFAULT);
        assertThat(value(call(t, 0x100, WAKE | PRIVATE_FLAG, 1))).as("a private one does not").isZero();
        assertThat(value(call(t, 0x100, WAIT | PRIVATE_FLAG, 0))).isEqualTo(-Errno.EFAULT);
        assertThat(value(call(t, A, LOCK_PI | PRIVATE_FLAG, 0))).isEqualTo(-Errno.ENOSYS);
        assertThat(value(call(t, A, 99, 0))).isEqualTo(-Errno.ENOSYS);
        mem.storeLongUnchecked(TS, -1, 0);
        assertThat(value(call(t, mem, A, WAIT, 0, TS, 0, 0))).isEqualTo(-Errno.EINVAL);
        mem.storeLongUnchecked(TS, 0, 1_000_000_000);
        assertThat(value(call(t, mem, A, WAIT, 0, TS, 0, 0))).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void sharedMappingsMeetByPhysicalPagePrivateOnesByAddressSpace() {
        var page = FakeWords.sharedPage();
        FakeWords parent = new FakeWords(4096, page, 0x7000_0000L, 0x4_0000L);
        FakeWords child = new FakeWords(4096, page, 0x5000_0000L, 0x4_0000L);
        FakeTask waiter = new FakeTask(1);
        blocked(call(waiter, parent, 0x7000_0010L, WAIT, 0, 0, 0, 0));
        assertThat(value(call(new FakeTask(2), child, 0x5000_0010L, WAKE | PRIVATE_FLAG, 1, 0, 0, 0)))
                .as("a private wake stays in its own address space").isZero();
        assertThat(value(call(new FakeTask(2), child, 0x5000_0010L, WAKE, 1, 0, 0, 0))).isEqualTo(1);
        // the same virtual address of a private mapping in two address spaces (a fork's copies) does not meet
        blocked(call(waiter, parent, A, WAIT, 0, 0, 0, 0));
        assertThat(value(call(new FakeTask(2), child, A, WAKE, 1, 0, 0, 0))).isZero();
        assertThat(value(call(new FakeTask(2), parent, A, WAKE | PRIVATE_FLAG, 1, 0, 0, 0)))
                .as("private and shared operations on a private mapping meet, as in Linux").isEqualTo(1);
    }
}
