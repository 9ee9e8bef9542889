package org.paravane.vmm.linux.futex;

import java.util.Objects;
import org.paravane.vmm.kernel.wait.Waker;

/**
 * One task waiting on a futex: what it is queued as in its key's wait queue. A futex wake sets its own {@link #woken}
 * flag before waking the task, so the resumed call tells a wake (return 0) from a spurious resumption or its timeout.
 * Its key changes when a requeue moves it; both are written under the key's bucket lock.
 */
public final class Waiter implements Waker {
    private final Waker task;
    private final int bitset;
    private volatile FutexKey key;
    private volatile boolean woken;

    Waiter(FutexKey key, int bitset, Waker task) {
        this.key = Objects.requireNonNull(key, "key");
        this.bitset = bitset;
        this.task = Objects.requireNonNull(task, "task");
    }

    /** Whether a futex wake took this waiter off its queue. */
    public boolean woken() {
        return woken;
    }

    FutexKey key() {
        return key;
    }

    void requeuedTo(FutexKey to) {
        key = to;
    }

    int bitset() {
        return bitset;
    }

    @Override
    public void wake() {
        woken = true;
        task.wake();
    }
}
