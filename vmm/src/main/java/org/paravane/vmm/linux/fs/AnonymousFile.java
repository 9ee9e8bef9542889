package org.paravane.vmm.linux.fs;

import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * The node behind a descriptor no path names: a pipe (pipefs, type FIFO) or an anonymous inode (eventfd, epoll,
 * mode 0600 without a type, as Linux's anon_inodefs reports). Its contents come with the descriptor, never from open.
 */
record AnonymousFile(long dev, long ino, int mode) implements Node.OpenableFile {
    static final long PIPEFS_DEV = Stat.makedev(0, 0xc), ANON_INODE_DEV = Stat.makedev(0, 0xd);

    @Override
    public Stat stat() {
        return new Stat(dev, ino, mode, 1, 0, 0, 0, 0, 4096, 0, 0, 0, 0);
    }

    @Override
    public FileContents open(int flags) throws ErrnoException {
        throw new ErrnoException(Errno.ENXIO, "an anonymous file cannot be opened again by a path");
    }
}
