package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.EBADF;
import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.EISDIR;
import static org.paravane.vmm.linux.Errno.ENOTDIR;
import static org.paravane.vmm.linux.Errno.ENOTTY;
import static org.paravane.vmm.linux.Errno.ENXIO;
import static org.paravane.vmm.linux.Errno.EOVERFLOW;
import static org.paravane.vmm.linux.Errno.ESPIPE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;

/**
 * An open file description: what open(2) created and every dup of it shares — the offset, the access mode and the
 * status flags. The contents are closed when the last descriptor referring to it is closed.
 */
public final class OpenFile {
    private final Location location;
    private final String label;
    private final FileContents contents;
    private final int accessMode;
    private final boolean pathOnly;
    private int statusFlags;
    private long offset;
    private int references;
    private List<Node.DirEntry> listing;
    /** The node's file type (S_IFREG, ...), read once: it never changes for a description. -1 until asked. */
    private volatile int type = -1;

    OpenFile(Location location, FileContents contents, int flags) {
        this(location, null, contents, flags);
    }

    /** A description whose {@code /proc/self/fd} link reads {@code label} (a pipe or terminal of the caller). */
    OpenFile(Location location, String label, FileContents contents, int flags) {
        this.location = location;
        this.label = label;
        this.contents = contents;
        this.accessMode = flags & Fcntl.O_ACCMODE;
        this.pathOnly = (flags & Fcntl.O_PATH) != 0;
        this.statusFlags = flags & ~(Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOCTTY | Fcntl.O_TRUNC | Fcntl.O_CLOEXEC);
    }

    public Location location() {
        return location;
    }

    /** What readlink of {@code /proc/self/fd/N} shows. */
    public String displayPath() {
        if (label != null) {
            return label;
        }
        boolean deleted = location.node() instanceof MemoryNode node && node.nlink == 0;
        return deleted ? location.path() + " (deleted)" : location.path();
    }

    public Node node() {
        return location.node();
    }

    /**
     * The file type bits of the node (S_IFREG, S_IFCHR, ...): stat'ed at the first call only, since a description's
     * node keeps its type (a read of a host file must not cost a host stat every time).
     */
    public int fileType() throws ErrnoException {
        int t = type;
        if (t < 0) {
            t = node().stat().type();
            type = t;
        }
        return t;
    }

    /** The flags F_GETFL reports: access mode and status flags. */
    public synchronized int statusFlags() {
        return statusFlags;
    }

    /** F_SETFL: only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT and O_NOATIME change. */
    synchronized void setStatusFlags(int flags) {
        statusFlags = (statusFlags & ~Fcntl.SETFL_MASK) | (flags & Fcntl.SETFL_MASK);
    }

    public boolean readable() {
        return !pathOnly && (accessMode == Fcntl.O_RDONLY || accessMode == Fcntl.O_RDWR);
    }

    public boolean writable() {
        return !pathOnly && (accessMode == Fcntl.O_WRONLY || accessMode == Fcntl.O_RDWR);
    }

    synchronized void retain() {
        references++;
    }

    /** Closes a description no descriptor ever referred to (its open failed after all). */
    void discard() {
        if (references == 0 && contents != null) {
            contents.close();
        }
    }

    synchronized void release() {
        if (--references == 0 && contents != null) {
            contents.close();
        }
    }

    private FileContents data(boolean write) throws ErrnoException {
        if (write ? !writable() : !readable()) {
            throw new ErrnoException(EBADF, "not open for " + (write ? "writing" : "reading"));
        }
        if (contents == null) {
            throw new ErrnoException(EISDIR, location.path() + " is a directory");
        }
        return contents;
    }

    // ---------------------------------------------------------------- read and write

    public synchronized int read(ByteBuffer dst) throws ErrnoException {
        FileContents c = data(false);
        if (!c.seekable()) {
            return mayBlock(() -> c.read(dst, -1));
        }
        int n = c.read(dst, offset);
        offset += n;
        return n;
    }

    public int pread(ByteBuffer dst, long position) throws ErrnoException {
        FileContents c = data(false);
        positioned(c, position);
        return c.read(dst, position);
    }

    public synchronized int write(ByteBuffer src) throws ErrnoException {
        FileContents c = data(true);
        if (!c.seekable()) {
            return mayBlock(() -> c.write(src, -1));
        }
        if ((statusFlags & Fcntl.O_APPEND) != 0) {
            offset = c.size();
        }
        int n = c.write(src, offset);
        offset += n;
        return n;
    }

    /** pwrite(2); as on Linux, O_APPEND makes it append whatever the position. */
    public synchronized int pwrite(ByteBuffer src, long position) throws ErrnoException {
        FileContents c = data(true);
        positioned(c, position);
        return c.write(src, (statusFlags & Fcntl.O_APPEND) != 0 ? c.size() : position);
    }

    private interface StreamIo {
        int run() throws ErrnoException;
    }

    /** A stream that would block: the caller waits for it, unless this description is O_NONBLOCK (EAGAIN). */
    private int mayBlock(StreamIo io) throws ErrnoException {
        try {
            return io.run();
        } catch (WouldBlock e) {
            if (nonBlocking()) {
                throw new ErrnoException(Errno.EAGAIN, e.getMessage());
            }
            throw e;
        }
    }

    public synchronized boolean nonBlocking() {
        return (statusFlags & Fcntl.O_NONBLOCK) != 0;
    }

    /** poll(2)'s readiness of this description ({@link PollEvents}); an O_PATH or directory one is always ready. */
    public int readiness() {
        return contents == null || pathOnly ? PollEvents.ALWAYS : contents.readiness();
    }

    /** The queue woken when {@link #readiness()} changes; null when it never does. */
    public WaitQueue waiters() {
        return contents == null || pathOnly ? null : contents.waiters();
    }

    /** The contents behind this description (a pipe end, an eventfd, an epoll instance), or null for a directory. */
    public FileContents contents() {
        return contents;
    }

    /** F_GETPIPE_SZ ({@code newSize} < 0) and F_SETPIPE_SZ. */
    int pipeSize(int newSize) throws ErrnoException {
        if (contents == null || pathOnly) {
            throw new ErrnoException(EBADF, "not a pipe");
        }
        return contents.pipeSize(newSize);
    }

    private static void positioned(FileContents c, long position) throws ErrnoException {
        if (!c.seekable()) {
            throw new ErrnoException(ESPIPE, "not seekable");
        }
        if (position < 0) {
            throw new ErrnoException(EINVAL, "negative position " + position);
        }
    }

    /** readv(2): fills the buffers in order, stopping at a short read. */
    public long readv(ByteBuffer[] buffers) throws ErrnoException {
        long total = 0;
        for (ByteBuffer b : buffers) {
            int want = b.remaining();
            int n = read(b);
            total += n;
            if (n < want) {
                break;
            }
        }
        return total;
    }

    /** writev(2): writes the buffers in order (one description lock, so no other write interleaves). */
    public synchronized long writev(ByteBuffer[] buffers) throws ErrnoException {
        long total = 0;
        for (ByteBuffer b : buffers) {
            int want = b.remaining();
            int n = write(b);
            total += n;
            if (n < want) {
                break;
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- position

    public synchronized long lseek(long delta, int whence) throws ErrnoException {
        if (pathOnly) {
            throw new ErrnoException(EBADF, "O_PATH descriptor");
        }
        if (contents == null) {
            return seekDirectory(delta, whence);
        }
        if (!contents.seekable()) {
            throw new ErrnoException(ESPIPE, location.path() + " is not seekable");
        }
        long size = contents.size();
        long target;
        try {
            target = seekTarget(delta, whence, size);
        } catch (ArithmeticException e) {
            throw new ErrnoException(EOVERFLOW, "offset overflows");
        }
        if (target < 0) {
            throw new ErrnoException(EINVAL, "resulting offset " + target + " is negative");
        }
        offset = target;
        return offset;
    }

    private long seekTarget(long delta, int whence, long size) throws ErrnoException {
        return switch (whence) {
            case Fcntl.SEEK_SET -> delta;
            case Fcntl.SEEK_CUR -> Math.addExact(offset, delta);
            case Fcntl.SEEK_END -> Math.addExact(size, delta);
            case Fcntl.SEEK_DATA, Fcntl.SEEK_HOLE -> {
                if (delta < 0 || delta >= size) {
                    throw new ErrnoException(ENXIO, "offset " + delta + " is beyond the end");
                }
                yield whence == Fcntl.SEEK_DATA ? delta : size;
            }
            default -> throw new ErrnoException(EINVAL, "unknown whence " + whence);
        };
    }

    private long seekDirectory(long delta, int whence) throws ErrnoException {
        long target = switch (whence) {
            case Fcntl.SEEK_SET -> delta;
            case Fcntl.SEEK_CUR -> offset + delta;
            default -> throw new ErrnoException(EINVAL, "directories seek only with SEEK_SET or SEEK_CUR");
        };
        if (target < 0) {
            throw new ErrnoException(EINVAL, "negative directory offset");
        }
        offset = target;
        if (target == 0) {
            listing = null;
        }
        return offset;
    }

    // ---------------------------------------------------------------- directories

    /** Size of a linux_dirent64 record for a name of {@code nameBytes}: 19 header bytes, the name, NUL, 8-aligned. */
    static int recordLength(int nameBytes) {
        return (19 + nameBytes + 1 + 7) & ~7;
    }

    /**
     * getdents64(2): as many whole records as fit in {@code dst}, starting at the description's offset (an entry
     * index; d_off is the next one), {@code .} and {@code ..} first. 0 at the end; EINVAL when not even one fits.
     */
    public synchronized int getdents64(ByteBuffer dst) throws ErrnoException {
        if (pathOnly) {
            throw new ErrnoException(EBADF, "O_PATH descriptor");
        }
        if (!(location.node() instanceof Node.Directory dir)) {
            throw new ErrnoException(ENOTDIR, location.path() + " is not a directory");
        }
        if (listing == null || offset == 0) {
            listing = new ArrayList<>();
            listing.add(new Node.DirEntry(".", dir.stat().ino(), Fcntl.DT_DIR));
            listing.add(new Node.DirEntry("..", location.up().node().stat().ino(), Fcntl.DT_DIR));
            listing.addAll(dir.list());
        }
        ByteBuffer out = dst.order(ByteOrder.LITTLE_ENDIAN);
        int start = out.position();
        while (offset < listing.size()) {
            Node.DirEntry e = listing.get((int) offset);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int length = recordLength(name.length);
            if (out.remaining() < length) {
                if (out.position() == start) {
                    throw new ErrnoException(EINVAL, "buffer too small for one entry");
                }
                break;
            }
            int at = out.position();
            out.putLong(e.ino()).putLong(offset + 1).putShort((short) length).put((byte) e.type()).put(name);
            while (out.position() < at + length) {
                out.put((byte) 0);
            }
            offset++;
        }
        return out.position() - start;
    }

    // ---------------------------------------------------------------- the rest of the fd calls

    /** ftruncate(2). */
    public void truncate(long length) throws ErrnoException {
        if (length < 0) {
            throw new ErrnoException(EINVAL, "negative length");
        }
        if (!writable() || contents == null || !(location.node() instanceof MemoryFile || location.node() instanceof HostFile)) {
            throw new ErrnoException(pathOnly ? EBADF : EINVAL, location.path() + " is not a regular file open for writing");
        }
        contents.truncate(length);
    }

    /** fsync(2). */
    public void sync() throws ErrnoException {
        if (pathOnly) {
            throw new ErrnoException(EBADF, "O_PATH descriptor");
        }
        if (contents != null) {
            contents.sync();
        }
    }

    boolean terminal() {
        return contents != null && contents.terminal();
    }

    boolean seekable() {
        return contents != null && contents.seekable();
    }

    /** The termios bits a freshly opened Linux terminal reports (cooked mode, 38400 baud, 8N1). */
    static byte[] termios() {
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0500).putInt(0x0005).putInt(0x00bf).putInt(0x8a3b).put((byte) 0);
        byte[] cc = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0};
        b.put(cc);
        return b.array();
    }

    /** ioctl(2) for what programs ask at start: TCGETS and TIOCGWINSZ; ENOTTY for everything else. */
    public byte[] ioctl(int request, Console console) throws ErrnoException {
        if (pathOnly) {
            throw new ErrnoException(EBADF, "O_PATH descriptor");
        }
        if (request == Fcntl.FIONREAD && contents != null && contents.unread() >= 0) {
            return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(contents.unread()).array();
        }
        if (!terminal()) {
            throw new ErrnoException(ENOTTY, location.path() + " is not a terminal");
        }
        return switch (request) {
            case Fcntl.TCGETS -> termios();
            case Fcntl.TIOCGWINSZ -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort((short) console.rows()).putShort((short) console.columns()).array();
            default -> throw new ErrnoException(ENOTTY, "ioctl 0x" + Integer.toHexString(request) + " on a terminal");
        };
    }
}
