package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A guest's table of contexts sleeping on async-PF tokens: 256 buckets chosen by {@code hash_32(token, 8)}, one lock
 * per bucket, newest entry first. One table per guest (tokens are only unique within a guest); created by
 * {@link SleeperTableFactory}.
 *
 * <p>{@link #enqueue} is the one enqueue path both waits share. {@link #wake} unlinks the newest entry of a token and
 * then wakes it (schedule: {@link Sleeper#wakeUp()}; halt: {@link Sleeper#kick()}), or leaves a dummy when the wait has
 * not arrived yet; {@link AsyncPfAbi#WAKE_ALL_TOKEN} wakes every entry recorded on the waking vCPU, dummies included
 * (which are freed, not leaked).
 */
@ProviderType
public interface SleeperTable extends AutoCloseable {

    int BUCKETS = 256;

    /** A queued wait: what a waiter loops on. */
    @ProviderType
    interface Entry {
        int token();

        int vcpu();

        WaitMode mode();

        /**
         * The wait goes on: still linked in its bucket ({@code !hlist_unhashed}) and neither woken nor
         * {@linkplain SleeperTable#release released}. A released entry stays linked to absorb its token's wake, but is
         * no longer queued, so the waiter's loop ends.
         */
        boolean isQueued();

        /** Ended by {@link SleeperTable#release} or {@link SleeperTable#close()} rather than by a wake. */
        boolean isReleased();
    }

    /**
     * The shared enqueue path ({@code kvm_async_pf_queue_task}): consumes the dummy of {@code token} if the wake came
     * first and returns null (the caller must not wait); otherwise links a new entry for {@code sleeper} at the head of
     * the token's bucket and returns it. After {@link #close()} returns a released entry.
     */
    Entry enqueue(int token, Sleeper sleeper, WaitMode mode);

    /**
     * Wakes {@code token} as a "page ready" handled on {@code wakingVcpu}. {@link AsyncPfAbi#WAKE_ALL_TOKEN} means
     * {@link #wakeAll(int)}.
     */
    void wake(int token, int wakingVcpu);

    /** Wakes every entry, waiter or dummy, recorded on {@code vcpu}; dummies are discarded. */
    void wakeAll(int vcpu);

    /**
     * Ends {@code entry}'s wait now with {@link WaitOutcome#RELEASED} (its sleeper is woken or kicked) while keeping it
     * linked, so that the token's eventual wake is absorbed instead of leaving a dummy nobody consumes. Used when a
     * waiter's provider leaves while waits are in progress.
     */
    void release(Entry entry);

    /** Entries (waiters and dummies) currently linked. */
    int size();

    Stats stats();

    /** Releases every waiter ({@link WaitOutcome#RELEASED}) and empties the table: the guest is going away. Idempotent. */
    @Override
    void close();

    /**
     * Counters since creation.
     *
     * @param scheduleWaits   entries enqueued in schedule mode
     * @param haltWaits       entries enqueued in halt mode
     * @param wakes           entries woken by a token
     * @param wakeAllWoken    waiters woken by a wake-all (released entries it unlinks are not counted again)
     * @param dummiesCreated  wakes that came before their wait
     * @param dummiesConsumed waits that found their dummy and did not wait
     * @param dummiesDiscarded dummies freed by a wake-all, or dropped when the table closed
     * @param released        entries ended by release or close
     */
    record Stats(long scheduleWaits, long haltWaits, long wakes, long wakeAllWoken, long dummiesCreated,
                 long dummiesConsumed, long dummiesDiscarded, long released) {
    }
}
