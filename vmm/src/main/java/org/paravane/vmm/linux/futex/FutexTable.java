package org.paravane.vmm.linux.futex;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.kernel.wait.Waker;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * The futex waiters of one VM: a {@link WaitQueue} per {@link FutexKey}, the keys spread over hash buckets with a lock
 * each (Linux's futex hash). A wait compares the word and queues itself under its bucket's lock and a wake takes
 * waiters off under the same lock, so no wake is lost between the compare and the queueing. Operations on two keys
 * take both buckets' locks in index order.
 */
public final class FutexTable {
    private static final int BUCKETS = 64;

    private static final class Bucket {
        final ReentrantLock lock = new ReentrantLock();
        final Map<FutexKey, WaitQueue> queues = new HashMap<>();

        WaitQueue queue(FutexKey key) {
            return queues.computeIfAbsent(key, k -> new WaitQueue());
        }

        void tidy(FutexKey key) {
            WaitQueue q = queues.get(key);
            if (q != null && q.isEmpty()) {
                queues.remove(key);
            }
        }
    }

    private final Bucket[] buckets = new Bucket[BUCKETS];

    public FutexTable() {
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] = new Bucket();
        }
    }

    private int index(FutexKey key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16) ^ (h >>> 7)) & (BUCKETS - 1);
    }

    /**
     * FUTEX_WAIT's atomic half: when the word at {@code address} still holds {@code expected}, queues {@code task} on
     * {@code key} for {@code bitset} and answers its waiter; otherwise answers null (EAGAIN).
     */
    public Waiter waitIfEqual(FutexKey key, FutexMemory memory, long address, int expected, int bitset, Waker task)
            throws GuestAccessException {
        Bucket b = buckets[index(key)];
        b.lock.lock();
        try {
            if (memory.load(address) != expected) {
                return null;
            }
            Waiter w = new Waiter(key, bitset, task);
            b.queue(key).add(w, bitset);
            return w;
        } finally {
            b.lock.unlock();
        }
    }

    /** Wakes up to {@code count} waiters of {@code key} whose bitset meets {@code bitset}, oldest first. */
    public int wake(FutexKey key, int count, int bitset) {
        Bucket b = buckets[index(key)];
        b.lock.lock();
        try {
            return wakeLocked(b, key, count, bitset);
        } finally {
            b.lock.unlock();
        }
    }

    private static int wakeLocked(Bucket b, FutexKey key, int count, int bitset) {
        WaitQueue q = b.queues.get(key);
        if (q == null || count <= 0) {
            return 0;
        }
        int n = q.wakeAndRemove(count, bitset);
        b.tidy(key);
        return n;
    }

    /**
     * FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wakes up to {@code wake} waiters of {@code from} and moves up to
     * {@code requeue} more to {@code to}; answers how many were woken or moved. With {@code expected} non-null the word
     * at {@code address} (of {@code from}) must still hold it, checked under both locks (EAGAIN otherwise).
     */
    public int requeue(FutexKey from, FutexKey to, int wake, int requeue, FutexMemory memory, long address,
                       Integer expected) throws GuestAccessException, ErrnoException {
        int i = index(from), j = index(to);
        Bucket first = buckets[Math.min(i, j)], second = buckets[Math.max(i, j)];
        first.lock.lock();
        second.lock.lock();
        try {
            if (expected != null && memory.load(address) != expected) {
                throw new ErrnoException(Errno.EAGAIN, "futex word at 0x" + Long.toHexString(address) + " changed");
            }
            Bucket src = buckets[i], dst = buckets[j];
            int woken = wakeLocked(src, from, wake, WaitQueue.ANY);
            WaitQueue q = src.queues.get(from);
            if (q == null || requeue <= 0) {
                return woken;
            }
            var moved = q.take(requeue, WaitQueue.ANY);
            src.tidy(from);
            WaitQueue target = dst.queue(to);
            for (Waker m : moved) {
                Waiter w = (Waiter) m;
                w.requeuedTo(to);
                target.add(w, w.bitset());
            }
            return woken + moved.size();
        } finally {
            second.lock.unlock();
            first.lock.unlock();
        }
    }

    /**
     * FUTEX_WAKE_OP: changes the word at {@code address2} (of {@code key2}) by {@code op}, wakes up to {@code wake1}
     * waiters of {@code key1}, and when the word's old value passes the op's comparison up to {@code wake2} of
     * {@code key2}; answers how many woke.
     */
    public int wakeOp(FutexKey key1, FutexKey key2, int wake1, int wake2, FutexMemory memory, long address2, WakeOp op)
            throws GuestAccessException, ErrnoException {
        int i = index(key1), j = index(key2);
        Bucket first = buckets[Math.min(i, j)], second = buckets[Math.max(i, j)];
        first.lock.lock();
        second.lock.lock();
        try {
            boolean passed = op.apply(memory, address2);
            int woken = wakeLocked(buckets[i], key1, wake1, WaitQueue.ANY);
            if (passed) {
                woken += wakeLocked(buckets[j], key2, wake2, WaitQueue.ANY);
            }
            return woken;
        } finally {
            second.lock.unlock();
            first.lock.unlock();
        }
    }

    /**
     * Takes {@code waiter} off its queue (its timeout passed, or its task ends or is interrupted) unless a wake took it
     * first; answers whether it was still waiting.
     */
    public boolean leave(Waiter waiter) {
        while (true) {
            FutexKey key = waiter.key();
            Bucket b = buckets[index(key)];
            b.lock.lock();
            try {
                if (waiter.key() != key) {
                    continue;   // requeued meanwhile: its new bucket decides
                }
                if (waiter.woken()) {
                    return false;
                }
                WaitQueue q = b.queues.get(key);
                if (q != null) {
                    q.remove(waiter);
                    b.tidy(key);
                }
                return true;
            } finally {
                b.lock.unlock();
            }
        }
    }

    /** How many tasks wait on {@code key} (tests, statistics). */
    public int waiters(FutexKey key) {
        Bucket b = buckets[index(key)];
        b.lock.lock();
        try {
            WaitQueue q = b.queues.get(key);
            return q == null ? 0 : q.size();
        } finally {
            b.lock.unlock();
        }
    }
}
