package org.paravane.vmm.linux.mm;

import java.nio.ByteBuffer;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A file as a mapping needs it: where its pages come from and how {@code /proc/self/maps} names it. The system
 * call layer adapts an open file description to this when it maps one.
 */
public interface MappedFile {
    /** The guest path shown in {@code /proc/self/maps}. */
    String path();

    /** Device number (major:minor) shown in {@code /proc/self/maps}. */
    long device();

    long inode();

    /**
     * Reads the file's bytes at {@code offset} into {@code dst} (what a page fault on the mapping needs); fewer than
     * asked past the end of the file, where the rest of the page is zeros.
     */
    int read(long offset, ByteBuffer dst) throws ErrnoException;

    /**
     * The guest-physical page holding file offset {@code offset} when the file's bytes are guest memory themselves (a
     * lazily served file): a mapping then maps that page instead of a copy, shared by every mapper, and touching it
     * takes the async page fault path. -1 (the default) when the file is read into pages of the process's own.
     */
    default long physicalPage(long offset) {
        return -1;
    }
}
