package org.paravane.vmm.kernel.mm;

import java.util.BitSet;
import java.util.List;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;

/**
 * The kernel's allocator of guest-physical pages in its RAM ranges (RAM below the 32-bit hole and above it); pages
 * come zeroed. Pages are numbered across the ranges in address order.
 */
public final class PhysicalPages {

    /** Guest-physical RAM the allocator hands out: {@code size} bytes from {@code base}, both page aligned. */
    public record Range(long base, long size) {
        public Range {
            if (base < 0 || size <= 0 || ((base | size) & (GuestMemory.PAGE_SIZE - 1)) != 0) {
                throw new IllegalArgumentException("RAM range 0x" + Long.toHexString(base) + " + " + size
                        + " is not a non-empty run of whole pages");
            }
        }

        long pages() {
            return size / GuestMemory.PAGE_SIZE;
        }
    }

    private final GuestMemory memory;
    private final List<Range> ranges;
    /** Per range, the number of its first page. */
    private final int[] firstPage;
    private final int pages;
    private final BitSet used;
    /** References beyond the first of pages that several address spaces share (copy-on-write after a fork). */
    private final java.util.Map<Long, Integer> extraReferences = new java.util.HashMap<>();
    private int next;

    public PhysicalPages(GuestMemory memory, List<Range> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("the kernel needs some RAM to allocate from");
        }
        this.memory = memory;
        this.ranges = List.copyOf(ranges);
        this.firstPage = new int[ranges.size()];
        long total = 0;
        for (int i = 0; i < ranges.size(); i++) {
            firstPage[i] = (int) total;
            total += ranges.get(i).pages();
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("RAM of " + total + " pages is more than the kernel can number");
        }
        this.pages = (int) total;
        this.used = new BitSet(pages);
    }

    private long address(int page) {
        int r = ranges.size() - 1;
        while (firstPage[r] > page) {
            r--;
        }
        return ranges.get(r).base() + (long) (page - firstPage[r]) * GuestMemory.PAGE_SIZE;
    }

    /** The page number of {@code gpa}, or -1 when no range holds it. */
    private int number(long gpa) {
        for (int r = 0; r < ranges.size(); r++) {
            Range range = ranges.get(r);
            if (gpa >= range.base() && gpa - range.base() < range.size()) {
                return firstPage[r] + (int) ((gpa - range.base()) / GuestMemory.PAGE_SIZE);
            }
        }
        return -1;
    }

    /** A zeroed page, or an {@link OutOfGuestMemoryException} naming how much the VM has. */
    synchronized long allocate() {
        int i = used.nextClearBit(next);
        if (i >= pages) {
            i = used.nextClearBit(0);
            if (i >= pages) {
                throw new OutOfGuestMemoryException("guest kernel RAM exhausted (" + (pages / 256) + " MiB); give the VM more --memory");
            }
        }
        used.set(i);
        next = i + 1;
        long gpa = address(i);
        try {
            memory.slice(gpa, GuestMemory.PAGE_SIZE).fill((byte) 0);
        } catch (PageSourceException e) {
            throw new IllegalStateException("kernel RAM page 0x" + Long.toHexString(gpa) + " is not present", e);
        }
        return gpa;
    }

    /** Drops one reference to {@code gpa}; the page is free again when that was the last. */
    synchronized void free(long gpa) {
        int i = (gpa & (GuestMemory.PAGE_SIZE - 1)) == 0 ? number(gpa) : -1;
        if (i < 0 || !used.get(i)) {
            throw new IllegalArgumentException("page 0x" + Long.toHexString(gpa) + " was not allocated by the kernel");
        }
        Integer extra = extraReferences.get(gpa);
        if (extra != null) {
            if (extra == 1) {
                extraReferences.remove(gpa);
            } else {
                extraReferences.put(gpa, extra - 1);
            }
            return;
        }
        used.clear(i);
        next = Math.min(next, i);
    }

    /** One more reference to the allocated page {@code gpa} (another address space maps it too). */
    synchronized void share(long gpa) {
        int i = (gpa & (GuestMemory.PAGE_SIZE - 1)) == 0 ? number(gpa) : -1;
        if (i < 0 || !used.get(i)) {
            throw new IllegalArgumentException("page 0x" + Long.toHexString(gpa) + " was not allocated by the kernel");
        }
        extraReferences.merge(gpa, 1, Integer::sum);
    }

    /** How many references {@code gpa} has (0 when it is free). */
    public synchronized int references(long gpa) {
        int i = number(gpa);
        return i < 0 || !used.get(i) ? 0 : 1 + extraReferences.getOrDefault(gpa, 0);
    }

    public int totalPages() {
        return pages;
    }

    public synchronized int freePages() {
        return pages - used.cardinality();
    }

    /** Thrown when the kernel cannot allocate guest memory; the operation that needed it fails, the VM goes on. */
    public static final class OutOfGuestMemoryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfGuestMemoryException(String message) {
            super(message);
        }
    }
}
