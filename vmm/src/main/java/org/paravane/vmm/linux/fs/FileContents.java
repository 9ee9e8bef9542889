package org.paravane.vmm.linux.fs;

import java.nio.ByteBuffer;
import org.paravane.vmm.kernel.wait.WaitQueue;
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

    /** poll(2)'s readiness now ({@link PollEvents} bits); a file without a poll method is always ready. */
    default int readiness() {
        return PollEvents.ALWAYS;
    }

    /**
     * The queue woken (with the {@link PollEvents} that may have become ready) when readiness changes; null for a
     * file without a poll method (poll finds it always ready, epoll refuses it with EPERM).
     */
    default WaitQueue waiters() {
        return null;
    }

    /** FIONREAD: the bytes a read would return now, or -1 when the file does not answer it (ENOTTY). */
    default int unread() {
        return -1;
    }

    /** F_GETPIPE_SZ ({@code newSize} < 0) and F_SETPIPE_SZ: the capacity; EBADF for anything but a pipe. */
    default int pipeSize(int newSize) throws ErrnoException {
        throw new ErrnoException(Errno.EBADF, "not a pipe");
    }
}
