package org.paravane.vmm.linux.fs;

import java.nio.ByteBuffer;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * The data behind an open file description: a regular file's bytes (positioned I/O) or a stream (a device or the
 * caller's stdio, where positions mean nothing). One per open; closed with the last descriptor.
 */
public interface FileContents {

    /** Reads into {@code dst} at {@code position} (ignored by streams); 0 at end of file. */
    int read(ByteBuffer dst, long position) throws ErrnoException;

    /** Writes {@code src} at {@code position} (ignored by streams); returns the bytes written. */
    int write(ByteBuffer src, long position) throws ErrnoException;

    /** Whether lseek is meaningful (ESPIPE otherwise). */
    boolean seekable();

    /** The size for SEEK_END; 0 for streams. */
    default long size() throws ErrnoException {
        return 0;
    }

    default void truncate(long size) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL, "not a regular file");
    }

    /** Whether this is a terminal (TCGETS and TIOCGWINSZ answer instead of ENOTTY). */
    default boolean terminal() {
        return false;
    }

    default void sync() throws ErrnoException {
    }

    default void close() {
    }
}
