package org.paravane.kvm.uffd;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The failed fetches of each page, in a row, for the backoff: the next fetch of a page that failed {@code n} times
 * waits {@code retryMin * 2^(n-1)}, at most {@code retryMax}. A successful fetch clears the page's record.
 */
final class FetchFailures {
    /** Failed fetches after which a page only KVM's async-PF workers wait for is given up. */
    static final int LOSE_AFTER_ATTEMPTS = 5;

    /** The last failure of a page: how many in a row, when, and why. */
    record Failure(int attempts, long at, String cause) {
    }

    private final ConcurrentHashMap<Long, Failure> failures = new ConcurrentHashMap<>();
    private final long retryMinNanos, retryMaxNanos;

    FetchFailures(long retryMinNanos, long retryMaxNanos) {
        this.retryMinNanos = retryMinNanos;
        this.retryMaxNanos = retryMaxNanos;
    }

    /** The page's last failure, or null when its last fetch succeeded (or none failed). */
    Failure last(long page) {
        return failures.get(page);
    }

    /** Records one more failure of {@code page}, now. */
    Failure record(long page, String cause) {
        Failure previous = failures.get(page);
        Failure now = new Failure(previous == null ? 1 : previous.attempts() + 1, System.nanoTime(), cause);
        failures.put(page, now);
        return now;
    }

    void clear(long page) {
        failures.remove(page);
    }

    /** When the next fetch after {@code failure} may start. */
    long retryAt(Failure failure) {
        return failure.at() + backoff(failure.attempts());
    }

    private long backoff(int attempts) {
        long delay = retryMinNanos << Math.min(20, attempts - 1);
        return Math.min(retryMaxNanos, delay);
    }
}
