package org.paravane.vmm.kernel.mm;

import java.util.BitSet;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;

/** The kernel's allocator of guest-physical pages in its RAM region; pages come zeroed. */
public final class PhysicalPages {
    private final GuestMemory memory;
    private final long base;
    private final int pages;
    private final BitSet used;
    private int next;

    public PhysicalPages(GuestMemory memory, long base, long size) {
        this.memory = memory;
        this.base = base;
        this.pages = (int) (size / GuestMemory.PAGE_SIZE);
        this.used = new BitSet(pages);
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
        long gpa = base + (long) i * GuestMemory.PAGE_SIZE;
        try {
            memory.slice(gpa, GuestMemory.PAGE_SIZE).fill((byte) 0);
        } catch (PageSourceException e) {
            throw new IllegalStateException("kernel RAM page 0x" + Long.toHexString(gpa) + " is not present", e);
        }
        return gpa;
    }

    synchronized void free(long gpa) {
        int i = (int) ((gpa - base) / GuestMemory.PAGE_SIZE);
        if (i < 0 || i >= pages || !used.get(i)) {
            throw new IllegalArgumentException("page 0x" + Long.toHexString(gpa) + " was not allocated by the kernel");
        }
        used.clear(i);
        next = Math.min(next, i);
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
