package org.paravane.vmm.source;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * Fault injection: serves the first {@code goodReads} reads from its delegate, then fails every read with an I/O
 * error, as a store that goes away mid-restore does.
 */
public final class FailingPageSource implements PageSource {
    private final PageSource delegate;
    private final long goodReads;
    private final AtomicLong reads = new AtomicLong();

    public FailingPageSource(PageSource delegate, long goodReads) {
        if (goodReads < 0) {
            throw new IllegalArgumentException("fail-after must not be negative: " + goodReads);
        }
        this.delegate = delegate;
        this.goodReads = goodReads;
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
        if (reads.incrementAndGet() > goodReads) {
            throw new PageSourceException(guestAddress, "I/O error (injected: the source fails after " + goodReads + " reads)");
        }
        delegate.read(guestAddress, destination);
    }

    @Override
    public String describe() {
        return delegate.describe() + ", failing after " + goodReads + " reads";
    }
}
