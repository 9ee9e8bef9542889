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

        HostRegion(MemoryRegion region, MemorySegment host) {
            this.region = region;
            this.host = host;
            long pages = region.size() >>> PAGE_SHIFT;
            this.claimed = new PageBitmap(pages);
            this.present = new PageBitmap(pages);
            if (!region.lazy()) {
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
    }

    private final VmSpec spec;
    private final HostPages pages;
    private final HostRegion[] regions;
    private final LongAdder faults = new LongAdder();
    private final LongAdder fetched = new LongAdder();
    private final LongAdder zeroed = new LongAdder();
    private final LongAdder fetchErrors = new LongAdder();

    public PagedGuestMemory(VmSpec spec, HostPages pages) {
        this.spec = spec;
        this.pages = pages;
        List<HostRegion> mapped = new ArrayList<>();
        try {
            for (MemoryRegion r : spec.regions()) {
                mapped.add(new HostRegion(r, pages.map(r)));
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

    @Override
    public void ensurePresent(long guestAddress, long length) throws PageSourceException {
        long first = guestAddress & -PAGE_SIZE;
        long end = guestAddress + length;
        for (long gpa = first; gpa < end; gpa += PAGE_SIZE) {
            HostRegion h = require(gpa);
            if (h.isPresent(gpa)) {
                continue;
            }
            long page = (gpa - h.region.guestAddress()) >>> PAGE_SHIFT;
            if (h.claimed.set(page)) {
                fillFromSource(h, gpa);
            }
            awaitPresent(h, page);
        }
    }

    private void fillFromSource(HostRegion h, long gpa) throws PageSourceException {
        long page = (gpa - h.region.guestAddress()) >>> PAGE_SHIFT;
        MemorySegment target = h.host.asSlice(gpa - h.region.guestAddress(), PAGE_SIZE);
        PageSource source = spec.pageSource();
        try {
            if (source.isZero(gpa)) {
                pages.fillZero(target);
                zeroed.increment();
            } else {
                MemorySegment buffer = MemorySegment.ofArray(new long[PAGE_SIZE / Long.BYTES]);   // 8-aligned for sources
                source.read(gpa, buffer);
                pages.fill(target, buffer);
                fetched.increment();
            }
        } catch (PageSourceException | RuntimeException e) {
            fetchErrors.increment();
            h.claimed.clear(page);
            throw e instanceof PageSourceException p ? p : new PageSourceException(gpa, "page source failed: " + e, e);
        }
        h.present.set(page);
    }

    private static void awaitPresent(HostRegion h, long page) throws PageSourceException {
        // Another thread claimed the page and is filling it: wait for its present bit (fills take microseconds).
        for (int spins = 0; !h.present.get(page); spins++) {
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
                pages.fill(h.host.asSlice(gpa - h.region.guestAddress(), PAGE_SIZE), contents.asSlice(off, PAGE_SIZE));
                h.present.set(page);
                fetched.increment();
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
        for (HostRegion h : regions) {
            pages.unmap(h.region, h.host);
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
