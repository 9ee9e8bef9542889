package org.paravane.vmm.linux.fs;

/** The attributes every in-memory node keeps: identity, permission bits and times. */
abstract sealed class MemoryNode permits MemoryDirectory, MemoryFile, MemorySymlink {
    final Tmpfs fs;
    final long ino;
    volatile int permissions;
    volatile long nlink;
    volatile long atime, mtime, ctime;

    MemoryNode(Tmpfs fs, long ino, int permissions) {
        this.fs = fs;
        this.ino = ino;
        this.permissions = permissions & 07777;
        this.nlink = 1;
        long now = Stat.nowNanos();
        this.atime = now;
        this.mtime = now;
        this.ctime = now;
    }

    void touch() {
        long now = Stat.nowNanos();
        mtime = now;
        ctime = now;
    }

    public void setTimes(long atimeNanos, long mtimeNanos) {
        if (atimeNanos != Node.KEEP_TIME) {
            atime = atimeNanos;
        }
        if (mtimeNanos != Node.KEEP_TIME) {
            mtime = mtimeNanos;
        }
        ctime = Stat.nowNanos();
    }

    public void setMode(int mode) {
        permissions = mode & 07777;
        ctime = Stat.nowNanos();
    }

    Stat stat(int type, long size, long nlinkShown) {
        return new Stat(fs.dev(), ino, type | permissions, nlinkShown, 0, 0, 0, size, 4096, Stat.blocksOf(size),
                atime, mtime, ctime);
    }
}
