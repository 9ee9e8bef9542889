package org.paravane.vmm.linux.fs;

import java.util.concurrent.atomic.AtomicLong;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * One in-memory file system (the writable layer over the root, {@code /tmp}, {@code /dev}): its device number and
 * the inode numbers of its nodes, and the bytes its linked files may hold (ENOSPC beyond: the data lives in the
 * host's heap, so a guest filling {@code /tmp} must not take the container down). Inode numbers start high so they
 * never meet a host file's in the same listing.
 */
final class Tmpfs {
    private static final long FIRST_INO = 1L << 40;
    private final long dev;
    private final AtomicLong nextIno = new AtomicLong(FIRST_INO);
    private final long capacity;
    private long used;

    Tmpfs(long dev, long capacity) {
        this.dev = dev;
        this.capacity = capacity;
    }

    /** Takes {@code bytes} of the capacity (negative gives back), or ENOSPC leaving the usage as it was. */
    synchronized void charge(long bytes) throws ErrnoException {
        if (bytes > 0 && used + bytes > capacity) {
            throw new ErrnoException(Errno.ENOSPC, "the in-memory file system holds " + capacity + " bytes at most");
        }
        used += bytes;
    }

    synchronized long used() {
        return used;
    }

    long dev() {
        return dev;
    }

    long newIno() {
        return nextIno.getAndIncrement();
    }

    /** After reading a snapshot: numbers already taken stay taken. */
    void reserve(long ino) {
        nextIno.accumulateAndGet(ino + 1, Math::max);
    }
}
