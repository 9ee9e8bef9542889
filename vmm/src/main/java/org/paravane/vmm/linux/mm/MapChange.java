package org.paravane.vmm.linux.mm;

/**
 * One change the kernel applies to the page tables after the memory map decided it. Ranges are page aligned.
 */
public sealed interface MapChange {
    long start();

    long length();

    /** {@code [start, start+length)} is now mapped: fresh pages from {@code backing} at {@code fileOffset}. */
    record Mapped(long start, long length, int prot, boolean shared, Backing backing, long fileOffset) implements MapChange {
    }

    /** {@code [start, start+length)} is no longer mapped: drop its pages. */
    record Unmapped(long start, long length) implements MapChange {
    }

    /** The protection of {@code [start, start+length)} is now {@code prot}; its contents stay. */
    record Protected(long start, long length, int prot) implements MapChange {
    }

    /** The pages of {@code [from, from+length)} now live at {@code [start, start+length)}, contents kept. */
    record Moved(long from, long start, long length) implements MapChange {
    }

    /**
     * The pages of {@code [start, start+length)} are dropped (MADV_DONTNEED, MADV_FREE, MADV_REMOVE): the next touch
     * of a private mapping reads {@code backing} again at {@code fileOffset} (zeros for anonymous memory); a shared
     * mapping sees the shared object's pages again, whatever this process had in its page tables.
     */
    record Discarded(long start, long length, boolean shared, Backing backing, long fileOffset) implements MapChange {
    }
}
