package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A Linux process's view of files: its working directory, umask, descriptor table and {@code /proc}, over the VM's
 * {@link FileSystem}. One method per system call; each returns what the call returns or throws the errno Linux
 * gives. Paths are the guest's bytes decoded as UTF-8; buffers are the guest's memory copied in or out by the
 * system call layer. The namespace-changing calls (mkdir, unlink, rename) are in {@link NamespaceCalls}.
 */
public final class ProcessFiles {
    /** The default RLIMIT_NOFILE soft limit. */
    public static final int DEFAULT_NOFILE = 1024;

    private final FileSystem fs;
    private final FdTable fds;
    private final PathResolver resolver;
    private final Mount proc;
    private final NamespaceCalls namespace;
    private volatile Location cwd;
    private volatile int umask = 022;

    /**
     * A process at {@code /} with fds 0, 1 and 2 on the file system's console.
     *
     * @param exePath the executable's guest path ({@code /proc/self/exe})
     * @param maps    the text of {@code /proc/self/maps}, from the process's memory map
     * @param cpuinfo the text of {@code /proc/cpuinfo}, from the VM's CPU model
     */
    public ProcessFiles(FileSystem fs, String exePath, Supplier<String> maps, Supplier<String> cpuinfo, int rlimitNofile) {
        this.fs = fs;
        this.fds = new FdTable(rlimitNofile);
        // procfs is mounted read-write on Linux: what cannot change there answers EACCES, not EROFS.
        this.proc = new Mount("/proc", ProcFs.create(this, exePath, maps, cpuinfo), false);
        this.resolver = new PathResolver(Location.root(fs.rootMount()), path -> path.equals("/proc") ? proc : fs.mountAt(path));
        this.cwd = resolver.root();
        this.namespace = new NamespaceCalls(resolver);
        installConsole(fs.console());
    }

    private void installConsole(Console console) {
        String label = console.terminal() ? "/dev/pts/0" : null;
        Node in = new StreamFile(console.in(), null, console.terminal(), FileSystem.DEV_DEV, 0x200, Stat.makedev(136, 0));
        Node out = new StreamFile(null, console.out(), console.terminal(), FileSystem.DEV_DEV, 0x201, Stat.makedev(136, 0));
        Node err = new StreamFile(null, console.err(), console.terminal(), FileSystem.DEV_DEV, 0x202, Stat.makedev(136, 0));
        Node[] nodes = {in, out, err};
        int[] modes = {Fcntl.O_RDONLY, Fcntl.O_WRONLY, Fcntl.O_WRONLY};
        for (int fd = 0; fd < 3; fd++) {
            Location at = new Location(resolver.root(), "fd" + fd, nodes[fd], fs.mountAt("/dev"));
            try {
                OpenFile file = new OpenFile(at, label != null ? label : "pipe:[" + fd + "]",
                        ((Node.OpenableFile) nodes[fd]).open(modes[fd]), modes[fd]);
                fds.install(file, fd, false);
            } catch (ErrnoException e) {
                throw new IllegalStateException("console descriptors cannot fail to open", e);
            }
        }
    }

    public FdTable fds() {
        return fds;
    }

    Location cwd() {
        return cwd;
    }

    Location root() {
        return resolver.root();
    }

    int umask() {
        return umask;
    }

    /** Where a relative {@code path} starts: the working directory or the directory {@code dirfd} names. */
    Location start(int dirfd, String path) throws ErrnoException {
        if (path.isEmpty()) {
            throw new ErrnoException(ENOENT, "empty path");
        }
        if (path.startsWith("/") || dirfd == Fcntl.AT_FDCWD) {
            return cwd;
        }
        OpenFile dir = fds.get(dirfd);
        if (!(dir.node() instanceof Node.Directory)) {
            throw new ErrnoException(ENOTDIR, "fd " + dirfd + " is not a directory");
        }
        return dir.location();
    }

    // ---------------------------------------------------------------- open and close

    public int open(String path, int flags, int mode) throws ErrnoException {
        return openat(Fcntl.AT_FDCWD, path, flags, mode);
    }

    /** openat(2). */
    public int openat(int dirfd, String path, int flags, int mode) throws ErrnoException {
        if ((flags & Fcntl.O_TMPFILE) == Fcntl.O_TMPFILE) {
            throw new ErrnoException(EOPNOTSUPP, "O_TMPFILE is not supported");
        }
        if ((flags & (Fcntl.O_CREAT | Fcntl.O_DIRECTORY)) == (Fcntl.O_CREAT | Fcntl.O_DIRECTORY)) {
            throw new ErrnoException(EINVAL, "O_CREAT with O_DIRECTORY (Linux 6.4 and later)");
        }
        if ((flags & Fcntl.O_PATH) != 0) {
            flags &= Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;
        }
        Location start = start(dirfd, path);
        fds.checkRoom();
        OpenFile file = OpenCall.open(this, resolver, start, path, flags, mode);
        try {
            return fds.install(file, 0, (flags & Fcntl.O_CLOEXEC) != 0);
        } catch (ErrnoException e) {
            file.discard();
            throw e;
        }
    }

    public void close(int fd) throws ErrnoException {
        fds.close(fd);
    }

    // ---------------------------------------------------------------- data

    public int read(int fd, ByteBuffer dst) throws ErrnoException {
        return fds.get(fd).read(dst);
    }

    public int pread(int fd, ByteBuffer dst, long offset) throws ErrnoException {
        return fds.get(fd).pread(dst, offset);
    }

    public int write(int fd, ByteBuffer src) throws ErrnoException {
        return fds.get(fd).write(src);
    }

    public int pwrite(int fd, ByteBuffer src, long offset) throws ErrnoException {
        return fds.get(fd).pwrite(src, offset);
    }

    public long readv(int fd, ByteBuffer[] buffers) throws ErrnoException {
        return fds.get(fd).readv(buffers);
    }

    public long writev(int fd, ByteBuffer[] buffers) throws ErrnoException {
        return fds.get(fd).writev(buffers);
    }

    public long lseek(int fd, long offset, int whence) throws ErrnoException {
        return fds.get(fd).lseek(offset, whence);
    }

    public int getdents64(int fd, ByteBuffer dst) throws ErrnoException {
        return fds.get(fd).getdents64(dst);
    }

    public void ftruncate(int fd, long length) throws ErrnoException {
        fds.get(fd).truncate(length);
    }

    public void fsync(int fd) throws ErrnoException {
        fds.get(fd).sync();
    }

    /** ioctl(2): the bytes of the answer (termios, winsize) the system call layer copies out. */
    public byte[] ioctl(int fd, int request) throws ErrnoException {
        return fds.get(fd).ioctl(request, fs.console());
    }

    public long fcntl(int fd, int command, long argument) throws ErrnoException {
        return fds.fcntl(fd, command, argument);
    }

    public int dup(int fd) throws ErrnoException {
        return fds.dup(fd);
    }

    public int dup2(int oldFd, int newFd) throws ErrnoException {
        return fds.dup2(oldFd, newFd);
    }

    public int dup3(int oldFd, int newFd, int flags) throws ErrnoException {
        return fds.dup3(oldFd, newFd, flags);
    }

    /**
     * sendfile(2): copies up to {@code count} bytes from {@code inFd} (at {@code offset} when present, leaving its
     * file offset alone; at its offset otherwise) to {@code outFd}. The caller adds the result to its offset.
     */
    public long sendfile(int outFd, int inFd, OptionalLong offset, long count) throws ErrnoException {
        OpenFile in = fds.get(inFd), out = fds.get(outFd);
        if (!in.readable() || !out.writable()) {
            throw new ErrnoException(EBADF, "sendfile needs a readable input and a writable output");
        }
        if (!in.seekable() || (out.statusFlags() & Fcntl.O_APPEND) != 0 || count < 0
                || offset.isPresent() && offset.getAsLong() < 0) {
            throw new ErrnoException(EINVAL, "sendfile from a stream, to an O_APPEND file or with a negative offset");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n;
            try {
                n = offset.isPresent() ? in.pread(buffer, offset.getAsLong() + done) : in.read(buffer);
            } catch (PagesAbsentException e) {
                if (done > 0) {
                    break;   // what was sent stays sent: the caller's next call waits for the page
                }
                throw e;
            }
            if (n <= 0) {
                break;
            }
            buffer.flip();
            int written = out.write(buffer);
            done += written;
            if (written < n) {
                if (offset.isEmpty()) {
                    in.lseek(written - n, Fcntl.SEEK_CUR);
                }
                break;
            }
        }
        return done;
    }

    // ---------------------------------------------------------------- attributes

    public Stat fstat(int fd) throws ErrnoException {
        return fds.get(fd).node().stat();
    }

    public Stat stat(String path) throws ErrnoException {
        return fstatat(Fcntl.AT_FDCWD, path, 0);
    }

    public Stat lstat(String path) throws ErrnoException {
        return fstatat(Fcntl.AT_FDCWD, path, Fcntl.AT_SYMLINK_NOFOLLOW);
    }

    /** newfstatat(2), with AT_EMPTY_PATH (glibc's fstat) and AT_SYMLINK_NOFOLLOW. */
    public Stat fstatat(int dirfd, String path, int flags) throws ErrnoException {
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH | Fcntl.AT_NO_AUTOMOUNT
                | Fcntl.AT_STATX_SYNC_TYPE)) != 0) {
            throw new ErrnoException(EINVAL, "fstatat flags 0x" + Integer.toHexString(flags));
        }
        return at(dirfd, path, flags).node().stat();
    }

    /** statx(2): the filled {@code struct statx}. */
    public byte[] statx(int dirfd, String path, int flags, int mask) throws ErrnoException {
        if ((mask & Stat.STATX__RESERVED) != 0 || (flags & Fcntl.AT_STATX_SYNC_TYPE) == Fcntl.AT_STATX_SYNC_TYPE) {
            throw new ErrnoException(EINVAL, "statx mask 0x" + Integer.toHexString(mask) + " flags 0x"
                    + Integer.toHexString(flags));
        }
        return fstatat(dirfd, path, flags).toStatx();
    }

    /** The location a *at call with AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW names. */
    Location at(int dirfd, String path, int flags) throws ErrnoException {
        if (path.isEmpty() && (flags & Fcntl.AT_EMPTY_PATH) != 0) {
            return dirfd == Fcntl.AT_FDCWD ? cwd : fds.get(dirfd).location();
        }
        return resolver.resolve(start(dirfd, path), path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
    }

    /** readlinkat(2): at most {@code size} bytes of the link's text, not NUL-terminated. */
    public byte[] readlinkat(int dirfd, String path, int size) throws ErrnoException {
        if (size <= 0) {
            throw new ErrnoException(EINVAL, "buffer size " + size);
        }
        Location link = path.isEmpty() && dirfd != Fcntl.AT_FDCWD
                ? fds.get(dirfd).location() : resolver.resolve(start(dirfd, path), path, false);
        if (!(link.node() instanceof Node.Symlink symlink)) {
            throw new ErrnoException(path.isEmpty() ? ENOENT : EINVAL, link.path() + " is not a symbolic link");
        }
        byte[] text = symlink.target().getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(text, Math.min(size, text.length));
    }

    /**
     * faccessat2(2) for a process with root's rights: R_OK and W_OK are granted (W_OK is EROFS on a read-only
     * mount), X_OK needs an execute bit or a directory.
     */
    public void faccessat(int dirfd, String path, int mode, int flags) throws ErrnoException {
        if ((mode & ~(Fcntl.R_OK | Fcntl.W_OK | Fcntl.X_OK)) != 0
                || (flags & ~(Fcntl.AT_EACCESS | Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            throw new ErrnoException(EINVAL, "access mode " + mode + " flags 0x" + Integer.toHexString(flags));
        }
        Location target = at(dirfd, path, flags);
        Stat stat = target.node().stat();
        int type = stat.type();
        if ((mode & Fcntl.W_OK) != 0 && target.mount().readOnly()
                && (type == Fcntl.S_IFREG || type == Fcntl.S_IFDIR || type == Fcntl.S_IFLNK)) {
            throw new ErrnoException(EROFS, target.path() + " is on a read-only file system");
        }
        if ((mode & Fcntl.X_OK) != 0 && type != Fcntl.S_IFDIR && (stat.mode() & 0111) == 0) {
            throw new ErrnoException(EACCES, target.path() + " is not executable");
        }
    }

    // ---------------------------------------------------------------- the namespace

    public void mkdirat(int dirfd, String path, int mode) throws ErrnoException {
        namespace.mkdirat(start(dirfd, path), path, mode & ~umask & 07777);
    }

    public void unlinkat(int dirfd, String path, int flags) throws ErrnoException {
        namespace.unlinkat(start(dirfd, path), path, flags);
    }

    public void renameat2(int oldDirfd, String oldPath, int newDirfd, String newPath, int flags) throws ErrnoException {
        namespace.renameat2(start(oldDirfd, oldPath), oldPath, start(newDirfd, newPath), newPath, flags);
    }

    public void symlinkat(String target, int dirfd, String path) throws ErrnoException {
        namespace.symlinkat(target, start(dirfd, path), path);
    }

    // The old calls without a directory descriptor (musl still makes them).

    public void mkdir(String path, int mode) throws ErrnoException {
        mkdirat(Fcntl.AT_FDCWD, path, mode);
    }

    public void rmdir(String path) throws ErrnoException {
        unlinkat(Fcntl.AT_FDCWD, path, Fcntl.AT_REMOVEDIR);
    }

    public void unlink(String path) throws ErrnoException {
        unlinkat(Fcntl.AT_FDCWD, path, 0);
    }

    public void rename(String oldPath, String newPath) throws ErrnoException {
        renameat2(Fcntl.AT_FDCWD, oldPath, Fcntl.AT_FDCWD, newPath, 0);
    }

    public byte[] readlink(String path, int size) throws ErrnoException {
        return readlinkat(Fcntl.AT_FDCWD, path, size);
    }

    public void access(String path, int mode) throws ErrnoException {
        faccessat(Fcntl.AT_FDCWD, path, mode, 0);
    }

    // ---------------------------------------------------------------- process state

    /** umask(2): sets the mask and returns the previous one. */
    public int umask(int mask) {
        int old = umask;
        umask = mask & 0777;
        return old;
    }

    /** getcwd(2): the path with its NUL; ERANGE when it does not fit, ENOENT when the directory was removed. */
    public byte[] getcwd(long size) throws ErrnoException {
        if (cwd.node() instanceof MemoryNode node && node.nlink == 0) {
            throw new ErrnoException(ENOENT, "the working directory was removed");
        }
        byte[] path = (cwd.path() + "\0").getBytes(StandardCharsets.UTF_8);
        if (size < path.length) {
            throw new ErrnoException(ERANGE, "cwd needs " + path.length + " bytes, buffer has " + size);
        }
        return path;
    }

    public void chdir(String path) throws ErrnoException {
        cwd = directory(resolver.resolve(start(Fcntl.AT_FDCWD, path), path, true));
    }

    public void fchdir(int fd) throws ErrnoException {
        cwd = directory(fds.get(fd).location());
    }

    private static Location directory(Location location) throws ErrnoException {
        if (!(location.node() instanceof Node.Directory)) {
            throw new ErrnoException(ENOTDIR, location.path() + " is not a directory");
        }
        return location;
    }
}
