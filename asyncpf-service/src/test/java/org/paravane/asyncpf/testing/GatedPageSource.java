package org.paravane.asyncpf.testing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * A page source the test controls: every page holds its own address; pages can be held back until released, or made
 * to fail. Records the threads that read it.
 */
public final class GatedPageSource implements PageSource {

    private final ConcurrentHashMap<Long, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Set<Long> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> readers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reads = new AtomicInteger();
    private volatile boolean gatedByDefault;

    /** Every page not released explicitly waits for {@link #release}. */
    public GatedPageSource holdAll() {
        gatedByDefault = true;
        return this;
    }

    public void hold(long gpa) {
        gates.putIfAbsent(gpa, new CountDownLatch(1));
    }

    public void release(long gpa) {
        gates.computeIfAbsent(gpa, g -> new CountDownLatch(1)).countDown();
    }

    public void fail(long gpa) {
        failing.add(gpa);
    }

    public Set<String> readerThreads() {
        return readers;
    }

    public int reads() {
        return reads.get();
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
        readers.add(Thread.currentThread().getName());
        reads.incrementAndGet();
        CountDownLatch gate = gatedByDefault ? gates.computeIfAbsent(guestAddress, g -> new CountDownLatch(1)) : gates.get(guestAddress);
        if (gate != null) {
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new PageSourceException(guestAddress, "test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PageSourceException(guestAddress, "interrupted", e);
            }
        }
        if (failing.contains(guestAddress)) {
            throw new PageSourceException(guestAddress, "disk on fire");
        }
        for (long off = 0; off < destination.byteSize(); off += 8) {
            destination.set(ValueLayout.JAVA_LONG, off, guestAddress + off);
        }
    }

    @Override
    public String describe() {
        return "gated test source";
    }
}
