package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.EINVAL;

import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.pipe.Pipe;

/** Descriptors no path names: the two ends of a new pipe, an eventfd or epoll instance, installed in a table. */
final class AnonymousFiles {
    private final FileSystem fs;
    private final FdTable fds;
    private final Location root;

    AnonymousFiles(FileSystem fs, FdTable fds, Location root) {
        this.fs = fs;
        this.fds = fds;
        this.root = root;
    }

    /**
     * pipe2(2): a new pipe's read and write ends at the two lowest free descriptors ({@code [read, write]}); flags
     * O_CLOEXEC and O_NONBLOCK (each end's own description), EINVAL for anything else (O_DIRECT's packet mode too).
     */
    int[] pipe2(int flags) throws ErrnoException {
        if ((flags & ~(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK)) != 0) {
            throw new ErrnoException(EINVAL, "pipe2 flags 0x" + Integer.toHexString(flags));
        }
        Pipe pipe = new Pipe();
        long ino = fs.newAnonymousIno();
        Node node = new AnonymousFile(AnonymousFile.PIPEFS_DEV, ino, Fcntl.S_IFIFO | 0600);
        String label = "pipe:[" + ino + "]";
        int status = flags & Fcntl.O_NONBLOCK;
        boolean cloexec = (flags & Fcntl.O_CLOEXEC) != 0;
        FileContents readEnd = pipe.reader();
        FileContents writeEnd = pipe.writer();
        OpenFile reader = new OpenFile(anonymousLocation(label, node), label, readEnd, Fcntl.O_RDONLY | status);
        OpenFile writer = new OpenFile(anonymousLocation(label, node), label, writeEnd, Fcntl.O_WRONLY | status);
        int readFd;
        try {
            readFd = fds.install(reader, 0, cloexec);
        } catch (ErrnoException e) {
            reader.discard();
            writer.discard();
            throw e;
        }
        try {
            return new int[] {readFd, fds.install(writer, 0, cloexec)};
        } catch (ErrnoException e) {
            fds.close(readFd);
            writer.discard();
            throw e;
        }
    }

    /**
     * A descriptor for an anonymous file (eventfd, epoll) whose {@code /proc/self/fd} link reads
     * {@code anon_inode:[kind]}: {@code flags} carry the access mode, O_NONBLOCK and O_CLOEXEC.
     */
    int install(String kind, FileContents contents, int flags) throws ErrnoException {
        Node node = new AnonymousFile(AnonymousFile.ANON_INODE_DEV, fs.newAnonymousIno(), 0600);
        String label = "anon_inode:[" + kind + "]";
        OpenFile file = new OpenFile(anonymousLocation(label, node), label, contents, flags & ~Fcntl.O_CLOEXEC);
        try {
            return fds.install(file, 0, (flags & Fcntl.O_CLOEXEC) != 0);
        } catch (ErrnoException e) {
            file.discard();
            throw e;
        }
    }

    private Location anonymousLocation(String label, Node node) {
        return new Location(root, label, node, fs.mountAt("/dev"));
    }
}
