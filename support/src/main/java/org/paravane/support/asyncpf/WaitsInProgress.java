package org.paravane.support.asyncpf;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.paravane.api.asyncpf.SleeperTable;

/**
 * The waits an {@code AsyncPfWaiter} has blocked in, so that a provider going away (its bundle stopped or updated)
 * can end them with {@link org.paravane.api.asyncpf.WaitOutcome#RELEASED} instead of leaving threads inside its code.
 * The entries stay linked in their tables ({@link SleeperTable#release}), so each token's eventual wake is absorbed.
 *
 * <p>A wait that begins after {@link #releaseAll()} is released at once: the caller then returns RELEASED, which is the
 * "fall back to synchronous" outcome (the guest retries the access and the host serves it).
 */
public final class WaitsInProgress {

    private final Map<SleeperTable.Entry, SleeperTable> waits = new ConcurrentHashMap<>();
    private volatile boolean open = true;

    /** Records a wait the caller is about to block in; releases it at once when this provider is already going away. */
    public void begin(SleeperTable table, SleeperTable.Entry entry) {
        waits.put(entry, table);
        // Published before the check: either releaseAll() sees the entry or this sees open == false (both is harmless).
        if (!open) {
            table.release(entry);
        }
    }

    /** The wait returned (woken, released or suspended). */
    public void end(SleeperTable.Entry entry) {
        waits.remove(entry);
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
