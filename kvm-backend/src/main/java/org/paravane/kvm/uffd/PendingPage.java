package org.paravane.kvm.uffd;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A page some thread waits for, one entry of the fault handler's wait table. Mutated only inside the table's
 * {@code compute} for its page (one lock per key), except where a field says otherwise.
 */
final class PendingPage {
    /** vCPU threads waiting. Concurrent: {@link FaultHandler#awaits} reads it outside the table's per-key lock. */
    final Set<FaultedVcpu> vcpus = ConcurrentHashMap.newKeySet();
    /** Kernel threads waiting: KVM's async-PF workers. */
    final Set<Integer> kernelWaiters = new HashSet<>();
    /** When the first waiter faulted: what a vCPU thread waited is counted from here. */
    final long since = System.nanoTime();
    /** A fetch for the page is queued or running. */
    volatile boolean scheduled;
    /** When the next fetch may start after a failure (0: now). */
    volatile long retryAt;

    /** Whether a fetch may start at {@code now} (no backoff, or its end has passed). */
    boolean due(long now) {
        return retryAt == 0 || now - retryAt >= 0;
    }

    /** The page arrived and the entry left the table: the vCPU threads learn how long they waited, and go on. */
    void resolved() {
        if (!vcpus.isEmpty()) {
            long waited = System.nanoTime() - since;
            vcpus.forEach(v -> v.pageWaited(waited));
        }
        released();
    }

    /** The entry left the table: none of its vCPUs waits for the page any more. */
    void released() {
        vcpus.forEach(FaultedVcpu::pageWaitEnded);
    }
}
