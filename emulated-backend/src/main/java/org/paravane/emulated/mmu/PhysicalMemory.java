package org.paravane.emulated.mmu;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.paravane.support.memory.PagedGuestMemory;

/**
 * Guest-physical memory as the software CPU sees it: the regions of a {@link PagedGuestMemory} with the raw host
 * address of each, page presence, and which pages hold decoded code.
 *
 * <p>Decoded instructions are cached per physical page. A page with decoded code records the bytes its instructions
 * cover; a guest store that overlaps them bumps the page's code generation, which every vCPU checks before running a
 * cached block of that page, so self-modifying and cross-modifying code is seen. Stores to the data part of a mixed
 * page do not invalidate anything.
 */
public final class PhysicalMemory {

    /**
     * The whole host address space as one segment. Guest RAM is plain mmap'ed memory that outlives every access:
     * the VM unmaps it only after all its vCPUs have left {@code run()}.
     */
    public static final MemorySegment HOST = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;

    /** Told about decoded-code events, so the other vCPUs keep their fast paths honest. */
    public interface CodePageListener {
        /** A page got decoded code: other vCPUs must stop writing it through their fast store path. */
        void codePageAdded(Object origin);

        /** Decoded code was invalidated by {@code origin}: other vCPUs must look their blocks up again. */
        void codeChanged(Object origin);
    }

    /** One region: guest-physical [start, end) at host address {@code host}. */
    public static final class Region {
        public final long start;
        public final long end;
        /** Raw host address of guest-physical {@code start}. */
        public final long host;
        final PagedGuestMemory.HostRegion pages;
        /** Per page: the generation of its decoded code, bumped when a store invalidates it. */
        public final int[] codeGen;
        /** Per page: bitmap of the bytes decoded instructions cover, or null when the page has no decoded code. */
        private final long[][] coverage;

        Region(PagedGuestMemory.HostRegion pages) {
            this.pages = pages;
            this.start = pages.region().guestAddress();
            this.end = pages.region().end();
            this.host = pages.host().address();
            int count = (int) ((end - start) >>> PAGE_SHIFT);
            this.codeGen = new int[count];
            this.coverage = new long[count][];
        }

        public boolean contains(long gpa) {
            return gpa >= start && gpa < end;
        }

        public boolean isPresent(long gpa) {
            return pages.isPresent(gpa);
        }

        public int pageIndex(long gpa) {
            return (int) ((gpa - start) >>> PAGE_SHIFT);
        }

        public long hostAddress(long gpa) {
            return host + (gpa - start);
        }

        /** Whether the page holds decoded code (stores to it must take the checked path). */
        public boolean hasCode(int page) {
            return coverage[page] != null;
        }

        public String name() {
            return pages.region().name();
        }
    }

    private final PagedGuestMemory memory;
    private final Region[] regions;
    private final CodePageListener listener;

    public PhysicalMemory(PagedGuestMemory memory, CodePageListener listener) {
        this.memory = memory;
        this.listener = listener;
        List<PagedGuestMemory.HostRegion> hosts = memory.hostRegions();
        this.regions = new Region[hosts.size()];
        for (int i = 0; i < regions.length; i++) {
            regions[i] = new Region(hosts.get(i));
        }
    }

    public PagedGuestMemory memory() {
        return memory;
    }

    /** The region holding {@code gpa}, or null when none does (an MMIO address). */
    public Region region(long gpa) {
        for (Region r : regions) {
            if (gpa >= r.start && gpa < r.end) {
                return r;
            }
        }
        return null;
    }

    /**
     * Records that decoded instructions cover {@code [from, to)} of page {@code page} (offsets within the page).
     * The first time a page gets code the listener hears of it, so every vCPU drops its fast write path to it.
     */
    public void markCode(Region r, int page, int from, int to, Object origin) {
        boolean added;
        synchronized (r) {
            long[] bits = r.coverage[page];
            added = bits == null;
            if (added) {
                bits = new long[(int) (PAGE_SIZE / 64)];
            }
            for (int i = from; i < to; i++) {
                bits[i >>> 6] |= 1L << i;
            }
            r.coverage[page] = bits;
        }
        if (added) {
            listener.codePageAdded(origin);
        }
    }

    /**
     * A store to {@code [offset, offset + size)} of page {@code page} (within one page) is about to happen: when it
     * overlaps decoded instructions, their code is invalidated (the generation moves on) and true is returned.
     */
    public boolean invalidateIfCode(Region r, int page, int offset, int size, Object origin) {
        long[] bits = r.coverage[page];
        if (bits == null) {
            return false;
        }
        boolean hit = false;
        for (int i = offset, end = offset + size; i < end && !hit; i++) {
            hit = (bits[i >>> 6] & (1L << i)) != 0;
        }
        if (hit) {
            invalidate(r, page, origin);
        }
        return hit;
    }

    /** Drops the decoded code of a page: its generation moves on, its coverage is forgotten. */
    public void invalidate(Region r, int page, Object origin) {
        synchronized (r) {
            r.coverage[page] = null;
            r.codeGen[page]++;
        }
        listener.codeChanged(origin);
    }
}
