package org.paravane.vmm.linux.fs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One in-memory file system (the writable layer over the root, {@code /tmp}, {@code /dev}): its device number and
 * the inode numbers of its nodes. Inode numbers start high so they never meet a host file's in the same listing.
 */
final class Tmpfs {
    private static final long FIRST_INO = 1L << 40;
    private final long dev;
    private final AtomicLong nextIno = new AtomicLong(FIRST_INO);

    Tmpfs(long dev) {
        this.dev = dev;
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
