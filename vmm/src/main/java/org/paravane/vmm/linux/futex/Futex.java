package org.paravane.vmm.linux.futex;

import static org.paravane.vmm.linux.Errno.EAGAIN;
import static org.paravane.vmm.linux.Errno.EFAULT;
import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.ENOSYS;

import java.time.Instant;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.mm.Layout;

/**
 * The futex system call (202) of one VM's Linux processes, and what a thread's end does to futexes (its robust list,
 * CLONE_CHILD_CLEARTID). Errors are Linux's: EINVAL for a misaligned word, a zero bitset or negative counts, EAGAIN
 * when the word is not the expected value, ETIMEDOUT, EFAULT for a word the process cannot access, ENOSYS for the
 * priority-inheritance operations (not provided) and for FUTEX_CLOCK_REALTIME on an operation that has no absolute
 * time. A wait blocks the task off its vCPU ({@link SyscallOutcome.Block}).
 */
public final class Futex {
    static final int WAIT = 0, WAKE = 1, FD = 2, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, LOCK_PI = 6,
            UNLOCK_PI = 7, TRYLOCK_PI = 8, WAIT_BITSET = 9, WAKE_BITSET = 10, WAIT_REQUEUE_PI = 11,
            CMP_REQUEUE_PI = 12, LOCK_PI2 = 13;
    static final int PRIVATE_FLAG = 128, CLOCK_REALTIME = 256, CMD_MASK = ~(PRIVATE_FLAG | CLOCK_REALTIME);
    static final int BITSET_MATCH_ANY = WaitQueue.ANY;
    private static final long NANOS = 1_000_000_000L;

    private final FutexTable table = new FutexTable();

    public FutexTable table() {
        return table;
    }

    /**
     * futex(uaddr, op, val, timeout-or-val2, uaddr2, val3) for {@code task} in {@code memory}.
     */
    public SyscallOutcome call(SyscallTask task, FutexMemory memory, long uaddr, int op, int val, long timeout,
                               long uaddr2, int val3) throws ErrnoException, GuestAccessException {
        int cmd = op & CMD_MASK;
        boolean priv = (op & PRIVATE_FLAG) != 0;
        if ((op & CLOCK_REALTIME) != 0 && cmd != WAIT_BITSET && cmd != WAIT_REQUEUE_PI && cmd != LOCK_PI2) {
            throw new ErrnoException(ENOSYS, "FUTEX_CLOCK_REALTIME with futex operation " + cmd);
        }
        return switch (cmd) {
            case WAIT -> waitFor(task, memory, uaddr, priv, val, BITSET_MATCH_ANY,
                    relativeDeadline(task, memory, timeout));
            case WAIT_BITSET -> waitFor(task, memory, uaddr, priv, val, val3,
                    absoluteDeadline(task, memory, timeout, (op & CLOCK_REALTIME) != 0));
            case WAKE -> ok(wake(memory, uaddr, priv, val, BITSET_MATCH_ANY));
            case WAKE_BITSET -> ok(wake(memory, uaddr, priv, val, val3));
            case REQUEUE -> ok(requeue(memory, uaddr, uaddr2, priv, val, (int) timeout, null));
            case CMP_REQUEUE -> ok(requeue(memory, uaddr, uaddr2, priv, val, (int) timeout, val3));
            case WAKE_OP -> ok(wakeOp(memory, uaddr, uaddr2, priv, val, (int) timeout, val3));
            case LOCK_PI, UNLOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2 ->
                    throw new ErrnoException(ENOSYS, "priority-inheritance futexes are not provided");
            default -> throw new ErrnoException(ENOSYS, "futex operation " + cmd);   // FUTEX_FD went in 2.6.26
        };
    }

    private static SyscallOutcome ok(long value) {
        return new SyscallOutcome.Return(value);
    }

    /** The key of the word at {@code uaddr}: EINVAL when misaligned, EFAULT when outside what the process maps. */
    FutexKey key(FutexMemory memory, long uaddr, boolean priv) throws ErrnoException, GuestAccessException {
        if ((uaddr & 3) != 0) {
            throw new ErrnoException(EINVAL, "futex word 0x" + Long.toHexString(uaddr) + " is not 4-byte aligned");
        }
        if (uaddr < 0 || uaddr > Layout.TASK_SIZE - 4) {
            throw new ErrnoException(EFAULT, "futex word 0x" + Long.toHexString(uaddr) + " is outside user space");
        }
        if (priv) {
            return new FutexKey.Private(memory.space(), uaddr);
        }
        long physical = memory.sharedPhysical(uaddr);
        return physical < 0 ? new FutexKey.Private(memory.space(), uaddr) : new FutexKey.Shared(physical);
    }

    private SyscallOutcome waitFor(SyscallTask task, FutexMemory memory, long uaddr, boolean priv, int expected,
                                   int bitset, long deadline) throws ErrnoException, GuestAccessException {
        if (bitset == 0) {
            throw new ErrnoException(EINVAL, "futex wait with an empty bitset");
        }
        FutexKey key = key(memory, uaddr, priv);
        memory.load(uaddr);   // provide the page outside the bucket lock: a fetch from a page source may be slow
        Waiter w = table.waitIfEqual(key, memory, uaddr, expected, bitset, task.waker());
        if (w == null) {
            throw new ErrnoException(EAGAIN, "futex word is not " + expected);
        }
        return new FutexWait(table, w, deadline).resume(task);
    }

    private int wake(FutexMemory memory, long uaddr, boolean priv, int count, int bitset)
            throws ErrnoException, GuestAccessException {
        if (bitset == 0) {
            throw new ErrnoException(EINVAL, "futex wake with an empty bitset");
        }
        // Linux wakes one waiter for a count of 0 or less: it checks the count after the first wake
        return table.wake(key(memory, uaddr, priv), Math.max(1, count), bitset);
    }

    private int requeue(FutexMemory memory, long uaddr, long uaddr2, boolean priv, int wake, int requeue,
                        Integer expected) throws ErrnoException, GuestAccessException {
        if (wake < 0 || requeue < 0) {
            throw new ErrnoException(EINVAL, "futex requeue counts " + wake + ", " + requeue);
        }
        FutexKey from = key(memory, uaddr, priv), to = key(memory, uaddr2, priv);
        if (expected != null) {
            memory.load(uaddr);
        }
        return table.requeue(from, to, wake, requeue, memory, uaddr, expected);
    }

    private int wakeOp(FutexMemory memory, long uaddr, long uaddr2, boolean priv, int wake1, int wake2, int encoded)
            throws ErrnoException, GuestAccessException {
        FutexKey key1 = key(memory, uaddr, priv), key2 = key(memory, uaddr2, priv);
        memory.compareAndExchange(uaddr2, 0, 0);   // provide the page writable before taking the locks
        return table.wakeOp(key1, key2, Math.max(1, wake1), Math.max(1, wake2), memory, uaddr2,
                WakeOp.decode(encoded));
    }

    /** FUTEX_WAIT's timeout: relative, on CLOCK_MONOTONIC; none when {@code timeout} is 0. */
    private static long relativeDeadline(SyscallTask task, FutexMemory memory, long timeout)
            throws ErrnoException, GuestAccessException {
        if (timeout == 0) {
            return SyscallOutcome.Block.NO_DEADLINE;
        }
        long nanos = timespec(memory, timeout);
        long now = task.nanosSinceStart();
        return nanos > SyscallOutcome.Block.NO_DEADLINE - now ? SyscallOutcome.Block.NO_DEADLINE : now + nanos;
    }

    /** FUTEX_WAIT_BITSET's timeout: absolute, on CLOCK_MONOTONIC or CLOCK_REALTIME; none when {@code timeout} is 0. */
    private static long absoluteDeadline(SyscallTask task, FutexMemory memory, long timeout, boolean realtime)
            throws ErrnoException, GuestAccessException {
        if (timeout == 0) {
            return SyscallOutcome.Block.NO_DEADLINE;
        }
        long at = timespec(memory, timeout);
        if (!realtime) {
            return at;   // the kernel clock is CLOCK_MONOTONIC
        }
        Instant now = Instant.now();
        long wall = now.getEpochSecond() * NANOS + now.getNano();
        long kernelNow = task.nanosSinceStart();
        long left = at - wall;
        return left > SyscallOutcome.Block.NO_DEADLINE - kernelNow ? SyscallOutcome.Block.NO_DEADLINE
                : kernelNow + left;
    }

    private static long timespec(FutexMemory memory, long address) throws ErrnoException, GuestAccessException {
        long sec = memory.loadLong(address), nsec = memory.loadLong(address + 8);
        if (sec < 0 || nsec < 0 || nsec >= NANOS) {
            throw new ErrnoException(EINVAL, "futex timeout {" + sec + ", " + nsec + "}");
        }
        return sec > Long.MAX_VALUE / NANOS - 1 ? SyscallOutcome.Block.NO_DEADLINE : sec * NANOS + nsec;
    }

    /**
     * A thread ends (exit, exit_group, a kill): the robust mutexes it still holds are marked FUTEX_OWNER_DIED and one
     * waiter of each is woken (the list at {@code robustList}, from set_robust_list, 0 for none); then, with
     * CLONE_CHILD_CLEARTID or set_tid_address, the word at {@code clearChildTid} is set to 0 and one waiter woken —
     * how pthread_join learns the thread is gone. Faults on the way are ignored, as Linux does; call it while the
     * thread's memory is still mapped.
     */
    public void threadExited(FutexMemory memory, int tid, long robustList, long clearChildTid) {
        if (robustList != 0) {
            new RobustList(this, memory, tid).release(robustList);
        }
        if (clearChildTid != 0 && (clearChildTid & 3) == 0) {
            try {
                memory.store(clearChildTid, 0);
                table.wake(key(memory, clearChildTid, false), 1, BITSET_MATCH_ANY);
            } catch (GuestAccessException | ErrnoException e) {
                // the thread unmapped its tid word: nothing to clear, as in Linux
            }
        }
    }

    /** Wakes one waiter of the word at {@code uaddr} as a shared futex (how Linux's exit paths wake). */
    void wakeOne(FutexMemory memory, long uaddr) throws ErrnoException, GuestAccessException {
        table.wake(key(memory, uaddr, false), 1, BITSET_MATCH_ANY);
    }
}
