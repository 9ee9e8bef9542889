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
}
