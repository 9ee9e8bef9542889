package org.paravane.vmm.source;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * A source behind a link with a fixed latency per request and a bandwidth shared by all requests, standing for a
 * remote store. Requests overlap their latency (as independent round trips do) but queue for the bandwidth.
 */
public final class ShapedPageSource implements PageSource {
    private final PageSource delegate;
    private final long latencyNanos;
    private final double nanosPerByte;
    private long linkFreeAt;

    /** @param bytesPerSecond 0 for unlimited */
    public ShapedPageSource(PageSource delegate, long latencyNanos, long bytesPerSecond) {
        if (latencyNanos < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("latency and bandwidth must not be negative");
        }
        this.delegate = delegate;
        this.latencyNanos = latencyNanos;
        this.nanosPerByte = bytesPerSecond == 0 ? 0 : 1e9 / bytesPerSecond;
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
        long now = System.nanoTime();
        long transfer = (long) (destination.byteSize() * nanosPerByte);
        long done;
        synchronized (this) {
            long start = Math.max(now, linkFreeAt);
            linkFreeAt = start + transfer;
            done = linkFreeAt + latencyNanos;
        }
        delegate.read(guestAddress, destination);
        for (long left = done - System.nanoTime(); left > 0; left = done - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public boolean isZero(long guestAddress) {
        return delegate.isZero(guestAddress);
    }

    @Override
    public String describe() {
        return delegate.describe() + ", latency " + TimeUnit.NANOSECONDS.toMicros(latencyNanos) + " us"
                + (nanosPerByte == 0 ? "" : String.format(", %.0f MB/s", 1e3 / nanosPerByte));
    }
}
