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
    private volatile FdTable fds;
    private final PathResolver resolver;
    private final Mount proc;
    private final NamespaceCalls namespace;
    private final Supplier<String> cpuinfo;
    /** The working directory and umask, shared with the processes made with CLONE_FS. */
    private final FsContext context;
    private volatile String exePath;
    private volatile Supplier<String> maps;

    /**
     * A process at {@code /} with fds 0, 1 and 2 on the file system's console.
     *
     * @param exePath the executable's guest path ({@code /proc/self/exe})
     * @param maps    the text of {@code /proc/self/maps}, from the process's memory map
     * @param cpuinfo the text of {@code /proc/cpuinfo}, from the VM's CPU model
     */
    public ProcessFiles(FileSystem fs, String exePath, Supplier<String> maps, Supplier<String> cpuinfo, int rlimitNofile) {
        this(fs, new FdTable(rlimitNofile), null, exePath, maps, cpuinfo);
        installConsole(fs.console(), fs.consoleInput());
    }

    /** {@code context} null: a new one at the root with umask 022. */
    private ProcessFiles(FileSystem fs, FdTable fds, FsContext context, String exePath, Supplier<String> maps,
                         Supplier<String> cpuinfo) {
        this.fs = fs;
        this.fds = fds;
        this.exePath = exePath;
        this.maps = maps;
        this.cpuinfo = cpuinfo;
        // procfs is mounted read-write on Linux: what cannot change there answers EACCES, not EROFS.
        this.proc = new Mount("/proc", ProcFs.create(this, this::exePath, () -> this.maps.get(), cpuinfo), false);
        this.resolver = new PathResolver(Location.root(fs.rootMount()), path -> path.equals("/proc") ? proc : fs.mountAt(path));
        this.namespace = new NamespaceCalls(resolver);
        this.context = context != null ? context : new FsContext(resolver.root(), 022);
    }

    /**
     * The files of a child made by clone(2) without CLONE_THREAD (fork, vfork): the same executable; with {@code
     * shareTable} (CLONE_FILES) the very same descriptor table, otherwise a copy of it whose descriptors name the
     * parent's open file descriptions (shared offsets and status flags, FD_CLOEXEC copied); with {@code shareFs}
     * (CLONE_FS) the very same working directory and umask, otherwise a copy of them. The child's {@code
     * /proc/self/maps} comes from {@code childMaps}. The child calls {@link #release()} at its exit.
     */
    public ProcessFiles fork(Supplier<String> childMaps, boolean shareTable, boolean shareFs) {
        FdTable table = fds;
        return new ProcessFiles(fs, shareTable ? table.share() : table.copy(), shareFs ? context : context.copy(),
                exePath, childMaps, cpuinfo);
    }

    /** {@link #fork(Supplier, boolean, boolean)} with a copy of the working directory and umask (no CLONE_FS). */
    public ProcessFiles fork(Supplier<String> childMaps, boolean shareTable) {
        return fork(childMaps, shareTable, false);
    }

    /** fork: the child's files (h2's name for {@link #fork(Supplier, boolean, boolean)} without CLONE_FILES or CLONE_FS). */
    public ProcessFiles forkCopy(String exePath, Supplier<String> maps, Supplier<String> cpuinfo) {
        return fork(maps, false, false);
    }

    /**
     * execve(2) succeeded: a descriptor table shared with another process is unshared (a private copy), every
     * FD_CLOEXEC descriptor is closed, and {@code /proc/self/exe} and {@code maps} describe the new image.
     */
    public void exec(String newExePath, Supplier<String> newMaps) {
        FdTable table = fds;
        if (table.shared()) {
            FdTable own = table.copy();
            fds = own;
            table.release();
            table = own;
        }
        table.closeOnExec();
        exePath = newExePath;
        maps = newMaps;
    }

    /**
     * close_range(2): {@code first} to {@code last} (unsigned) closed, or marked close-on-exec with
     * CLOSE_RANGE_CLOEXEC; CLOSE_RANGE_UNSHARE takes a private copy of a shared table first.
     */
    public void closeRange(long first, long last, int flags) throws ErrnoException {
        if ((flags & ~(Fcntl.CLOSE_RANGE_UNSHARE | Fcntl.CLOSE_RANGE_CLOEXEC)) != 0
                || Integer.toUnsignedLong((int) first) > Integer.toUnsignedLong((int) last)) {
            throw new ErrnoException(EINVAL, "close_range " + first + ".." + last + " flags 0x" + Integer.toHexString(flags));
        }
        if ((flags & Fcntl.CLOSE_RANGE_UNSHARE) != 0 && fds.shared()) {
            FdTable shared = fds;
            fds = shared.copy();
            shared.release();
        }
        long from = Integer.toUnsignedLong((int) first), to = Integer.toUnsignedLong((int) last);
        if (from <= Integer.MAX_VALUE) {
            fds.closeRange((int) from, (int) Math.min(to, Integer.MAX_VALUE), (flags & Fcntl.CLOSE_RANGE_CLOEXEC) != 0);
        }
    }

    /** The process is gone: its descriptor table loses a user (and closes everything when it was the last). */
    public void release() {
        fds.release();
    }

    /**
     * The absolute path of what {@code path} names, its symbolic links followed: what {@code /proc/self/exe} shows
     * after an execve of {@code path} (Linux keeps the file, not the name it was called by: {@code ./x} and a link).
     */
    public String realPath(String path) throws ErrnoException {
        return resolver.resolve(start(Fcntl.AT_FDCWD, path), path, true).path();
    }

    /** The processes {@code /proc} lists. */
    ProcessList processes() {
        return fs.processes();
    }

    /** The executable's guest path ({@code /proc/self/exe}). */
    public String exePath() {
        return exePath;
    }

    private void installConsole(Console console, ConsoleInput input) {
        String label = console.terminal() ? "/dev/pts/0" : null;
        Node in = new StreamFile(input, null, console.terminal(), FileSystem.DEV_DEV, 0x200, Stat.makedev(136, 0));
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
        return context.cwd();
    }

    Location root() {
        return resolver.root();
    }

    int umask() {
        return context.umask();
    }

    /** Where a relative {@code path} starts: the working directory or the directory {@code dirfd} names. */
    Location start(int dirfd, String path) throws ErrnoException {
        if (path.isEmpty()) {
            throw new ErrnoException(ENOENT, "empty path");
        }
        if (path.startsWith("/") || dirfd == Fcntl.AT_FDCWD) {
            return context.cwd();
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

    /**
     * pipe2(2): a new pipe's read and write ends at the two lowest free descriptors ({@code [read, write]}); flags
     * O_CLOEXEC and O_NONBLOCK (each end's own description), EINVAL for anything else (O_DIRECT's packet mode too).
     */
    public int[] pipe2(int flags) throws ErrnoException {
        return anonymous().pipe2(flags);
    }

    /**
     * A descriptor for an anonymous file (eventfd, epoll) whose {@code /proc/self/fd} link reads
     * {@code anon_inode:[kind]}: {@code flags} carry the access mode, O_NONBLOCK and O_CLOEXEC.
     */
    public int installAnonymous(String kind, FileContents contents, int flags) throws ErrnoException {
        return anonymous().install(kind, contents, flags);
    }

    private AnonymousFiles anonymous() {
        return new AnonymousFiles(fs, fds, resolver.root());
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
        return Sendfile.copy(fds.get(inFd), fds.get(outFd), offset, count);
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
            return dirfd == Fcntl.AT_FDCWD ? context.cwd() : fds.get(dirfd).location();
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

    /** utimensat's UTIME_NOW and UTIME_OMIT, in a timespec's tv_nsec. */
    public static final long UTIME_NOW = AttributeCalls.UTIME_NOW, UTIME_OMIT = AttributeCalls.UTIME_OMIT;

    /**
     * utimensat(2): {@code times} is null (both now) or the two timespecs {access sec, nsec, modification sec,
     * nsec}, each of whose tv_nsec may be UTIME_NOW or UTIME_OMIT. A null {@code path} (futimens) names {@code dirfd}.
     */
    public void utimensat(int dirfd, String path, long[] times, int flags) throws ErrnoException {
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            throw new ErrnoException(EINVAL, "utimensat flags 0x" + Integer.toHexString(flags));
        }
        long[] t = AttributeCalls.times(times);
        Location target = path == null ? at(dirfd, "", Fcntl.AT_EMPTY_PATH) : at(dirfd, path, flags);
        AttributeCalls.setTimes(target, t[0], t[1]);
    }

    /** fchmodat(2) and fchmodat2 (AT_SYMLINK_NOFOLLOW: EOPNOTSUPP for a link, as Linux); a null path is fchmod. */
    public void fchmodat(int dirfd, String path, int mode, int flags) throws ErrnoException {
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            throw new ErrnoException(EINVAL, "fchmodat flags 0x" + Integer.toHexString(flags));
        }
        Location target = path == null ? at(dirfd, "", Fcntl.AT_EMPTY_PATH) : at(dirfd, path, flags);
        AttributeCalls.chmod(target, mode, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) != 0);
    }

    /** linkat(2): AT_SYMLINK_FOLLOW follows a link in {@code oldPath}'s last component, AT_EMPTY_PATH names the fd. */
    public void linkat(int oldDirfd, String oldPath, int newDirfd, String newPath, int flags) throws ErrnoException {
        if ((flags & ~(Fcntl.AT_SYMLINK_FOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            throw new ErrnoException(EINVAL, "linkat flags 0x" + Integer.toHexString(flags));
        }
        Location source = oldPath.isEmpty() && (flags & Fcntl.AT_EMPTY_PATH) != 0
                ? at(oldDirfd, "", Fcntl.AT_EMPTY_PATH)
                : resolver.resolve(start(oldDirfd, oldPath), oldPath, (flags & Fcntl.AT_SYMLINK_FOLLOW) != 0);
        namespace.linkat(source, start(newDirfd, newPath), newPath);
    }

    // ---------------------------------------------------------------- the namespace

    public void mkdirat(int dirfd, String path, int mode) throws ErrnoException {
        namespace.mkdirat(start(dirfd, path), path, mode & ~context.umask() & 07777);
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
        return context.setUmask(mask);
    }

    /** getcwd(2): the path with its NUL; ERANGE when it does not fit, ENOENT when the directory was removed. */
    public byte[] getcwd(long size) throws ErrnoException {
        Location cwd = context.cwd();
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
        context.setCwd(directory(resolver.resolve(start(Fcntl.AT_FDCWD, path), path, true)));
    }

    public void fchdir(int fd) throws ErrnoException {
        context.setCwd(directory(fds.get(fd).location()));
    }

    private static Location directory(Location location) throws ErrnoException {
        if (!(location.node() instanceof Node.Directory)) {
            throw new ErrnoException(ENOTDIR, location.path() + " is not a directory");
        }
        return location;
    }
}
