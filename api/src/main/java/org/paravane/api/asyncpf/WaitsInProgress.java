package org.paravane.api.asyncpf;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The wait discipline every {@link AsyncPfWaiter} implementation shares: enqueue through the table's one enqueue path
 * ({@link SleeperTable#enqueue}), then block until the entry is no longer queued; and the record of the waits blocked
 * now, so that a provider going away (its bundle stopped or updated) ends them with {@link WaitOutcome#RELEASED}
 * instead of leaving threads inside its code. The entries stay linked in their tables ({@link SleeperTable#release}),
 * so each token's eventual wake is absorbed.
 *
 * <p>The schedule and the halt waiter differ only in how they block once ({@link Block}): the schedule waiter gives up
 * the CPU ({@link Sleeper#sleep()}), the halt waiter halts taking events ({@link Sleeper#safeHalt()}). A wait that
 * begins after {@link #releaseAll()} is released at once: the caller then returns RELEASED, which is the "fall back to
 * synchronous" outcome (the guest retries the access and the host serves it). Thread safe.
 */
public final class WaitsInProgress {

    private final Map<SleeperTable.Entry, SleeperTable> waits = new ConcurrentHashMap<>();
    private volatile boolean open = true;

    /** How a waiter blocks once: returns when something may have changed, or false when the waiter left its vCPU. */
    @FunctionalInterface
    public interface Block {
        boolean block();
    }

    /**
     * Enqueues {@code sleeper} for {@code token} and blocks with {@code block} until the entry is woken or released.
     * SUSPENDED when {@code block} gives up the vCPU: the sleeper's wakeUp() resumes it later.
     */
    public WaitOutcome await(SleeperTable table, int token, Sleeper sleeper, WaitMode mode, Block block) {
        SleeperTable.Entry entry = table.enqueue(token, sleeper, mode);
        if (entry == null) {
            return WaitOutcome.ALREADY_WOKEN;
        }
        begin(table, entry);
        try {
            while (entry.isQueued()) {
                if (!block.block()) {
                    return WaitOutcome.SUSPENDED;
                }
            }
        } finally {
            waits.remove(entry);
        }
        return entry.isReleased() ? WaitOutcome.RELEASED : WaitOutcome.WOKEN;
    }

    /** Records a wait the caller is about to block in; releases it at once when this provider is already going away. */
    private void begin(SleeperTable table, SleeperTable.Entry entry) {
        waits.put(entry, table);
        // Published before the check: either releaseAll() sees the entry or this sees open == false (both is harmless).
        if (!open) {
            table.release(entry);
        }
    }

    /** Waits now blocked. */
    public int size() {
        return waits.size();
    }

    public boolean isOpen() {
        return open;
    }

    /** Ends every wait in progress with RELEASED, and every later one at once. Returns how many were in progress. */
    public int releaseAll() {
        open = false;
        int released = 0;
        for (Map.Entry<SleeperTable.Entry, SleeperTable> w : waits.entrySet()) {
            w.getValue().release(w.getKey());
            released++;
        }
        return released;
    }
}
