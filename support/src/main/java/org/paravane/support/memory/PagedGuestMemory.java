package org.paravane.support.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.MemoryStats;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * {@link GuestMemory} over one host mapping per region with two page bitmaps: <em>claimed</em> (a thread is filling
 * the page or has filled it) and <em>present</em>. A page is filled exactly once, by the thread that claims it, so a
 * late duplicate fetch never overwrites bytes the guest has written since. Backends supply the mapping and the fill
 * ({@link HostPages}) and use {@link #hostRegion} for their own fast paths.
 */
public final class PagedGuestMemory implements GuestMemory {

    /** A region with its host memory and page state. */
    public static final class HostRegion {
        private final MemoryRegion region;
        private final MemorySegment host;
        private final PageBitmap claimed;
        private final PageBitmap present;

        HostRegion(MemoryRegion region, MemorySegment host, boolean startsPresent) {
            this.region = region;
            this.host = host;
            long pages = region.size() >>> PAGE_SHIFT;
            this.claimed = new PageBitmap(pages);
            this.present = new PageBitmap(pages);
            if (startsPresent) {
                claimed.setAll();
                present.setAll();
            }
        }

        public MemoryRegion region() {
            return region;
        }

        /** The host bytes of the whole region; touch only pages that are {@link #isPresent present}. */
        public MemorySegment host() {
            return host;
        }

        public boolean isPresent(long guestAddress) {
            return present.get((guestAddress - region.guestAddress()) >>> PAGE_SHIFT);
        }

        /** Whether a thread is filling the page of {@code guestAddress} or has filled it. */
        public boolean isClaimed(long guestAddress) {
            return claimed.get((guestAddress - region.guestAddress()) >>> PAGE_SHIFT);
        }
    }

    /** Guest-physical bytes {@code [guestAddress, guestAddress + size)} one fill made present. */
    public record Range(long guestAddress, long size) {
        public long end() {
            return guestAddress + size;
        }

        public boolean contains(long gpa) {
            return gpa >= guestAddress && gpa < end();
        }
    }

    /** Pages one {@link #ensurePresent} fill covers at most (bounds the read buffer). */
    static final int MAX_RUN_PAGES = 512;

    private final VmSpec spec;
    private final HostPages pages;
    private final HostRegion[] regions;
    private final LongAdder faults = new LongAdder();
    private final LongAdder fetched = new LongAdder();
    private final LongAdder zeroed = new LongAdder();
    private final LongAdder fetchErrors = new LongAdder();
    /** Pages whose source failed for good (by guest-physical page address): every access to them fails. */
    private final java.util.concurrent.ConcurrentHashMap<Long, String> lost = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long lastLost = -1;
    /** Fills write host memory under the read lock; close unmaps it under the write lock (a slow fetch may outlive the VM). */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lifecycle = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile boolean closed;

    public PagedGuestMemory(VmSpec spec, HostPages pages) {
        this.spec = spec;
        this.pages = pages;
        List<HostRegion> mapped = new ArrayList<>();
        try {
            for (MemoryRegion r : spec.regions()) {
                mapped.add(new HostRegion(r, pages.map(r), pages.startsPresent(r)));
            }
        } catch (RuntimeException e) {
            mapped.forEach(h -> pages.unmap(h.region, h.host));
            throw e;
        }
        this.regions = mapped.toArray(HostRegion[]::new);
    }

    /** The region holding {@code guestAddress}, or null when no region does (an MMIO access). */
    public HostRegion hostRegion(long guestAddress) {
        for (HostRegion h : regions) {
            if (h.region.contains(guestAddress)) {
                return h;
            }
        }
        return null;
    }

    public List<HostRegion> hostRegions() {
        return List.of(regions);
    }

    /** Counts a guest access that found its page absent (the backend's fault path calls this once per fault). */
    public void countFault() {
        faults.increment();
    }

    /** Counts a fetch the backend's own fault handling could not complete. */
    public void countFetchError() {
        fetchErrors.increment();
    }

    @Override
    public List<MemoryRegion> regions() {
        return spec.regions();
    }

    @Override
    public PageSource source() {
        return spec.pageSource();
    }

    @Override
    public boolean contains(long guestAddress) {
        return hostRegion(guestAddress) != null;
    }

    @Override
    public boolean isPresent(long guestAddress) {
        HostRegion h = hostRegion(guestAddress);
        return h != null && h.isPresent(guestAddress);
    }

    /**
     * Gives up on the absent page at {@code guestAddress}: its source failed for good. From now on every host access to
     * it fails with {@code cause}, and nothing fetches it again. The backend makes guest accesses fail as well.
     *
     * @return false when the page was present or claimed by a fill meanwhile (nothing is lost then)
     */
    public boolean markLost(long guestAddress, String cause) {
        long page = guestAddress & -PAGE_SIZE;
        HostRegion h = require(page);
        if (!h.claimed.set((page - h.region.guestAddress()) >>> PAGE_SHIFT)) {
            return false;
        }
        lost.put(page, cause);
        lastLost = page;
        return true;
    }

    /** Why the page at {@code guestAddress} was lost, or null when it was not. */
    public String lostCause(long guestAddress) {
        return lost.isEmpty() ? null : lost.get(guestAddress & -PAGE_SIZE);
    }

    /** The page lost most recently, or -1. */
    public long lastLost() {
        return lastLost;
    }

    private void checkLost(long gpa) throws PageSourceException {
        String cause = lostCause(gpa);
        if (cause != null) {
            throw new PageSourceException(gpa & -PAGE_SIZE, "lost: its page source failed (" + cause + ")");
        }
    }

    @Override
    public void ensurePresent(long guestAddress, long length) throws PageSourceException {
        long first = guestAddress & -PAGE_SIZE;
        long end = guestAddress + length;
        for (long gpa = first; gpa < end; gpa += PAGE_SIZE) {
            HostRegion h = require(gpa);
            if (h.isPresent(gpa)) {
                continue;
            }
            checkLost(gpa);
            long page = (gpa - h.region.guestAddress()) >>> PAGE_SHIFT;
            if (h.claimed.set(page)) {
                // Fill this page together with the absent pages after it in the requested range: one read, one fill.
                long limit = Math.min(pageCount(h), ((Math.min(end, h.region.end()) - h.region.guestAddress() + PAGE_SIZE - 1) >>> PAGE_SHIFT));
                long last = extendForward(h, page, Math.min(limit, page + MAX_RUN_PAGES));
                fillRun(h, page, last);
                gpa = h.region.guestAddress() + ((last - 1) << PAGE_SHIFT);
                continue;
            }
            awaitPresent(h, page);
        }
    }

    /**
     * Fetches the page holding {@code guestAddress} for a guest access, together with the absent pages around it in the
     * same {@code chunkBytes}-aligned chunk (and region): claims the page, extends the claim over the consecutive
     * unclaimed pages before and after it, reads them from the source in one call (runs the source reports as zero are
     * filled with zeros without reading), fills them and marks them present.
     *
     * @param chunkBytes a power of two, at least one page
     * @return the range made present, or null when the page was claimed already (another thread fills or filled it)
     * @throws PageSourceException when the source fails: the pages not filled are unclaimed again, absent and
     *                             retryable; pages filled before the failure stay present
     */
    public Range fetch(long guestAddress, long chunkBytes) throws PageSourceException {
        if (chunkBytes < PAGE_SIZE || Long.bitCount(chunkBytes) != 1) {
            throw new IllegalArgumentException("fetch chunk must be a power of two of at least one page: " + chunkBytes);
        }
        HostRegion h = require(guestAddress);
        long page = (guestAddress - h.region.guestAddress()) >>> PAGE_SHIFT;
        if (!h.claimed.set(page)) {
            return null;
        }
        long chunkStart = guestAddress & -chunkBytes;
        long lo = Math.max(0, (chunkStart - h.region.guestAddress()) >> PAGE_SHIFT);
        long hi = Math.min(pageCount(h), (chunkStart + chunkBytes - h.region.guestAddress()) >>> PAGE_SHIFT);
        long first = page;
        while (first > lo && h.claimed.set(first - 1)) {
            first--;
        }
        long last = extendForward(h, page, hi);
        fillRun(h, first, last);
        return new Range(h.region.guestAddress() + (first << PAGE_SHIFT), (last - first) << PAGE_SHIFT);
    }

    private static long pageCount(HostRegion h) {
        return h.region.size() >>> PAGE_SHIFT;
    }

    /** Claims the unclaimed pages after {@code page} (claimed by the caller) up to {@code limit}; returns the end. */
    private static long extendForward(HostRegion h, long page, long limit) {
        long last = page + 1;
        while (last < limit && h.claimed.set(last)) {
            last++;
        }
        return last;
    }

    /** Fills the claimed pages {@code [first, last)} of {@code h}: zero runs without reading, the rest read once per run. */
    private void fillRun(HostRegion h, long first, long last) throws PageSourceException {
        PageSource source = spec.pageSource();
        long p = first;
        try {
            while (p < last) {
                boolean zero = source.isZero(address(h, p));
                long runEnd = p + 1;
                while (runEnd < last && source.isZero(address(h, runEnd)) == zero) {
                    runEnd++;
                }
                long bytes = (runEnd - p) << PAGE_SHIFT;
                MemorySegment target = h.host.asSlice(p << PAGE_SHIFT, bytes);
                // Counted before the fill: a fill can wake a guest that reads the counters before this thread goes on.
                LongAdder counter = zero ? zeroed : fetched;
                counter.add(runEnd - p);
                MemorySegment buffer = null;
                try {
                    if (!zero) {
                        buffer = pages.buffer(bytes);
                        source.read(address(h, p), buffer);   // may take long: not under the lifecycle lock
                    }
                    lifecycle.readLock().lock();
                    try {
                        if (closed) {
                            throw new PageSourceException(address(h, p), "the VM's memory was closed while the page was fetched");
                        }
                        if (zero) {
                            pages.fillZero(target);
                        } else {
                            pages.fill(target, buffer);
                        }
                        for (long q = p; q < runEnd; q++) {
                            h.present.set(q);
                        }
                        pages.published(target);
                    } finally {
                        lifecycle.readLock().unlock();
                    }
                } catch (PageSourceException | RuntimeException e) {
                    counter.add(-(runEnd - p));
                    throw e;
                }
                p = runEnd;
            }
        } catch (PageSourceException | RuntimeException e) {
            fetchErrors.increment();
            for (long q = p; q < last; q++) {
                h.claimed.clear(q);
            }
            long gpa = address(h, p);
            throw e instanceof PageSourceException ps ? ps : new PageSourceException(gpa, "page source failed: " + e, e);
        }
    }

    private static long address(HostRegion h, long page) {
        return h.region.guestAddress() + (page << PAGE_SHIFT);
    }

    private void awaitPresent(HostRegion h, long page) throws PageSourceException {
        // Another thread claimed the page and is filling it: wait for its present bit (fills take microseconds).
        for (int spins = 0; !h.present.get(page); spins++) {
            checkLost(address(h, page));
            if (!h.claimed.get(page)) {
                throw new PageSourceException(h.region.guestAddress() + (page << PAGE_SHIFT), "a concurrent fetch of this page failed");
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(10_000);
            }
        }
    }

    @Override
    public void install(long guestAddress, MemorySegment contents) {
        if (guestAddress % PAGE_SIZE != 0 || contents.byteSize() % PAGE_SIZE != 0 || contents.byteSize() == 0) {
            throw new IllegalArgumentException("install needs whole pages at a page-aligned address: 0x"
                    + Long.toHexString(guestAddress) + " + " + contents.byteSize());
        }
        for (long off = 0; off < contents.byteSize(); off += PAGE_SIZE) {
            long gpa = guestAddress + off;
            HostRegion h = require(gpa);
            long page = (gpa - h.region.guestAddress()) >>> PAGE_SHIFT;
            if (h.claimed.set(page)) {
                MemorySegment target = h.host.asSlice(gpa - h.region.guestAddress(), PAGE_SIZE);
                lifecycle.readLock().lock();
                try {
                    if (closed) {
                        throw new IllegalStateException("install into closed guest memory at 0x" + Long.toHexString(gpa));
                    }
                    fetched.increment();
                    pages.fill(target, contents.asSlice(off, PAGE_SIZE));
                    h.present.set(page);
                    pages.published(target);
                } finally {
                    lifecycle.readLock().unlock();
                }
            }
        }
    }

    @Override
    public MemorySegment slice(long guestAddress, long length) throws PageSourceException {
        HostRegion h = require(guestAddress);
        if (length < 0 || guestAddress + length > h.region.end()) {
            throw new IllegalArgumentException("range 0x" + Long.toHexString(guestAddress) + "+" + length
                    + " leaves region '" + h.region.name() + "'");
        }
        ensurePresent(guestAddress, length);
        return h.host.asSlice(guestAddress - h.region.guestAddress(), length);
    }

    @Override
    public void forEachPresentPage(LongConsumer action) {
        for (HostRegion h : regions) {
            long count = h.region.size() >>> PAGE_SHIFT;
            for (long p = 0; p < count; p++) {
                if (h.present.get(p)) {
                    action.accept(h.region.guestAddress() + (p << PAGE_SHIFT));
                }
            }
        }
    }

    @Override
    public MemoryStats stats() {
        long present = 0;
        long total = 0;
        for (HostRegion h : regions) {
            present += h.present.count();
            total += h.region.size() >>> PAGE_SHIFT;
        }
        return new MemoryStats(present, total - present, faults.sum(), fetched.sum(), zeroed.sum(), fetchErrors.sum());
    }

    /** Unmaps every region. The caller makes sure no vCPU runs any more. */
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (HostRegion h : regions) {
                pages.unmap(h.region, h.host);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private HostRegion require(long gpa) {
        HostRegion h = hostRegion(gpa);
        if (h == null) {
            throw new IllegalArgumentException("guest-physical address 0x" + Long.toHexString(gpa) + " is not in any memory region");
        }
        return h;
    }
}
