package org.paravane.vmm.kernel;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/** A source whose reads block until the test opens the gate: faults stay outstanding for as long as the test needs. */
final class GatedPageSource implements PageSource {
    private final PageSource delegate;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger waiting = new AtomicInteger();

    GatedPageSource(PageSource delegate) {
        this.delegate = delegate;
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
        waiting.incrementAndGet();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PageSourceException(guestAddress, "interrupted at the gate");
        } finally {
            waiting.decrementAndGet();
        }
        delegate.read(guestAddress, destination);
    }

    /** Reads blocked at the gate now. */
    int waiting() {
        return waiting.get();
    }

    void open() {
        gate.countDown();
    }
}
