package org.paravane.testkit;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * A page source the test controls, so faults stay outstanding for as long as the test needs: pages can be held back
 * (one by one, or all) until released or until the gate opens, or made to fail. The bytes come from a delegate, or
 * else every page holds its own address (each 8-byte word: the guest-physical address of that word). Records the
 * threads that read it and how many reads are blocked at the gate.
 *
 * <p>A read blocks at most {@value #GATE_SECONDS} seconds, then fails, so a test that forgets a gate ends.
 */
public final class GatedPageSource implements PageSource {
    static final int GATE_SECONDS = 30;

    private final PageSource content;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a page is released, the gate opens, or a read starts waiting. */
    private final Condition changed = lock.newCondition();
    private final Set<Long> held = new HashSet<>();
    private final Set<Long> released = new HashSet<>();
    private boolean holdingAll;
    private boolean open;
    private int waiting;

    private final Set<Long> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> readers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reads = new AtomicInteger();

    /** Pages that hold their own address; nothing held until {@link #hold} or {@link #holdAll}. */
    public GatedPageSource() {
        this(null);
    }

    /** Pages read from {@code content} once through the gate; nothing held until {@link #hold} or {@link #holdAll}. */
    public GatedPageSource(PageSource content) {
        this.content = content;
    }

    /** Every page not released explicitly waits for {@link #release} or {@link #open}. */
    public GatedPageSource holdAll() {
        lock.lock();
        try {
            holdingAll = true;
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Reads of {@code gpa} wait until it is released (no effect once it was). */
    public void hold(long gpa) {
        lock.lock();
        try {
            held.add(gpa);
        } finally {
            lock.unlock();
        }
    }

    /** Lets reads of {@code gpa} through, now and later. */
    public void release(long gpa) {
        lock.lock();
        try {
            released.add(gpa);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Lets every read through, now and later. */
    public void open() {
        lock.lock();
        try {
            open = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Reads of {@code gpa} fail (after the gate) with a {@link PageSourceException}. */
    public void fail(long gpa) {
        failing.add(gpa);
    }

    public Set<String> readerThreads() {
        return readers;
    }

    /** Reads started so far. */
    public int reads() {
        return reads.get();
    }

    /** Reads blocked at the gate now. */
    public int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code readers} reads are blocked at the gate; false if that did not happen in time. */
    public boolean awaitWaiting(int readers, long timeout, TimeUnit unit) throws InterruptedException {
        lock.lock();
        try {
            long nanos = unit.toNanos(timeout);
            while (waiting < readers) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
        readers.add(Thread.currentThread().getName());
        reads.incrementAndGet();
        passGate(guestAddress);
        if (failing.contains(guestAddress)) {
            throw new PageSourceException(guestAddress, "disk on fire");
        }
        if (content != null) {
            content.read(guestAddress, destination);
            return;
        }
        for (long off = 0; off < destination.byteSize(); off += 8) {
            destination.set(ValueLayout.JAVA_LONG, off, guestAddress + off);
        }
    }

    private void passGate(long gpa) throws PageSourceException {
        lock.lock();
        try {
            if (!gated(gpa)) {
                return;
            }
            waiting++;
            changed.signalAll();
            try {
                long nanos = TimeUnit.SECONDS.toNanos(GATE_SECONDS);
                while (gated(gpa)) {
                    if (nanos <= 0) {
                        throw new PageSourceException(gpa, "test gate never opened");
                    }
                    nanos = changed.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PageSourceException(gpa, "interrupted at the gate", e);
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean gated(long gpa) {
        return !open && !released.contains(gpa) && (holdingAll || held.contains(gpa));
    }

    @Override
    public String describe() {
        return "gated test source";
    }
}
