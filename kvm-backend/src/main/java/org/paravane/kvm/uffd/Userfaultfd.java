package org.paravane.kvm.uffd;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.FileIo;
import org.paravane.support.linux.Ioctl;
import org.paravane.support.linux.Native;
import org.paravane.support.linux.NativeException;
import org.paravane.support.linux.Syscalls;

/**
 * A userfaultfd in MISSING mode with thread ids: registered ranges fault to this descriptor, and a page is
 * resolved by copying data in ({@link #copy}) or mapping zeros ({@link #zeroPage}), which also wakes the faulting
 * threads. Non-blocking: {@link #read} returns 0 when no message is queued.
 */
public final class Userfaultfd implements AutoCloseable {
    private static final String DEVICE = "/dev/userfaultfd";

    private final int fd;
    private final long features;
    /** Resolving ioctls share it; close takes it exclusively, so the descriptor number is never reused under them. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile boolean closed;
    private static final ThreadLocal<MemorySegment> ARGS = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(64, 8));

    private Userfaultfd(int fd, long features) {
        this.fd = fd;
        this.features = features;
    }

    /**
     * Creates one with the {@code userfaultfd} system call or, where that is restricted (unprivileged_userfaultfd=0
     * and no CAP_SYS_PTRACE), through {@code /dev/userfaultfd}.
     *
     * @throws NativeException naming both attempts when neither works
     */
    public static Userfaultfd create() {
        int flags = FileIo.O_CLOEXEC | FileIo.O_NONBLOCK;
        long r = Syscalls.raw(Syscalls.SYS_USERFAULTFD, flags);
        int fd;
        if (r >= 0) {
            fd = (int) r;
        } else {
            int syscallErrno = (int) -r;
            try {
                int dev = FileIo.open(DEVICE, FileIo.O_RDWR | FileIo.O_CLOEXEC);
                try {
                    fd = Ioctl.call("USERFAULTFD_IOC_NEW", dev, UffdLayouts.USERFAULTFD_IOC_NEW, flags);
                } finally {
                    FileIo.close(dev);
                }
            } catch (NativeException e) {
                throw new NativeException("userfaultfd (system call: " + Errno.name(syscallErrno) + "; " + DEVICE + ": "
                        + Errno.name(e.errno()) + ")", syscallErrno);
            }
        }
        try {
            MemorySegment api = ARGS.get();
            api.set(JAVA_LONG, 0, UffdLayouts.UFFD_API);
            api.set(JAVA_LONG, 8, UffdLayouts.FEATURE_THREAD_ID);
            api.set(JAVA_LONG, 16, 0);
            Ioctl.call("UFFDIO_API", fd, UffdLayouts.UFFDIO_API_IOCTL, api);
            return new Userfaultfd(fd, api.get(JAVA_LONG, 8));
        } catch (RuntimeException e) {
            FileIo.close(fd);
            throw e;
        }
    }

    public int fd() {
        return fd;
    }

    /** The features the kernel granted (UFFDIO_API). */
    public long features() {
        return features;
    }

    /** Registers {@code range} in MISSING mode; fails unless COPY and ZEROPAGE are allowed on it. */
    public void registerMissing(MemorySegment range) {
        MemorySegment reg = ARGS.get();
        reg.set(JAVA_LONG, 0, range.address());
        reg.set(JAVA_LONG, 8, range.byteSize());
        reg.set(JAVA_LONG, 16, UffdLayouts.REGISTER_MODE_MISSING);
        reg.set(JAVA_LONG, 24, 0);
        Ioctl.call("UFFDIO_REGISTER(" + range.byteSize() + " bytes)", fd, UffdLayouts.UFFDIO_REGISTER_IOCTL, reg);
        long ioctls = reg.get(JAVA_LONG, 24);
        long needed = UffdLayouts.IOCTL_COPY | UffdLayouts.IOCTL_ZEROPAGE;
        if ((ioctls & needed) != needed) {
            throw new NativeException("UFFDIO_REGISTER: COPY/ZEROPAGE not allowed on the range (ioctls 0x"
                    + Long.toHexString(ioctls) + ")", Errno.EOPNOTSUPP);
        }
    }

    /**
     * UFFDIO_COPY of {@code length} bytes from {@code source} to the registered address {@code target}; wakes the threads
     * faulting on the range. Returns the bytes copied, or {@code -errno} (EEXIST: a page is mapped already, EAGAIN: the
     * address space changed; both may come after a partial copy).
     */
    public long copy(long target, long source, long length) {
        return copy(target, source, length, 0);
    }

    /** {@link #copy} with UFFDIO_COPY mode bits ({@link #MODE_DONTWAKE}: resolve without waking; {@link #wake} later). */
    public long copy(long target, long source, long length, long mode) {
        var shared = lock.readLock();
        shared.lock();
        try {
            return closed ? -Errno.EBADF : copyLocked(target, source, length, mode);
        } finally {
            shared.unlock();
        }
    }

    private long copyLocked(long target, long source, long length, long mode) {
        MemorySegment c = ARGS.get();
        c.set(JAVA_LONG, 0, target);
        c.set(JAVA_LONG, 8, source);
        c.set(JAVA_LONG, 16, length);
        c.set(JAVA_LONG, 24, mode);
        c.set(JAVA_LONG, 32, 0);
        int r = Ioctl.raw(Native.errnoSegment(), fd, UffdLayouts.UFFDIO_COPY_IOCTL, c);
        long copied = c.get(JAVA_LONG, 32);
        if (r < 0) {
            return copied > 0 ? copied : r;
        }
        return copied;
    }

    /** UFFDIO_ZEROPAGE: maps zero pages at {@code [target, target + length)}; same result convention as {@link #copy}. */
    public long zeroPage(long target, long length) {
        return zeroPage(target, length, 0);
    }

    /** {@link #zeroPage} with mode bits ({@link #MODE_DONTWAKE}). */
    public long zeroPage(long target, long length, long mode) {
        var shared = lock.readLock();
        shared.lock();
        try {
            return closed ? -Errno.EBADF : zeroPageLocked(target, length, mode);
        } finally {
            shared.unlock();
        }
    }

    private long zeroPageLocked(long target, long length, long mode) {
        MemorySegment z = ARGS.get();
        z.set(JAVA_LONG, 0, target);
        z.set(JAVA_LONG, 8, length);
        z.set(JAVA_LONG, 16, mode);
        z.set(JAVA_LONG, 24, 0);
        int r = Ioctl.raw(Native.errnoSegment(), fd, UffdLayouts.UFFDIO_ZEROPAGE_IOCTL, z);
        long done = z.get(JAVA_LONG, 24);
        if (r < 0) {
            return done > 0 ? done : r;
        }
        return done;
    }

    /** UFFDIO_COPY/ZEROPAGE mode bit: resolve the pages but leave the faulting threads asleep until {@link #wake}. */
    public static final long MODE_DONTWAKE = 1;

    /** UFFDIO_WAKE: wakes the threads faulting on {@code [target, target + length)} (they retry their access). */
    public void wake(long target, long length) {
        var shared = lock.readLock();
        shared.lock();
        try {
            if (closed) {
                return;
            }
            MemorySegment w = ARGS.get();
            w.set(JAVA_LONG, 0, target);
            w.set(JAVA_LONG, 8, length);
            Ioctl.call("UFFDIO_WAKE", fd, UffdLayouts.UFFDIO_WAKE_IOCTL, w);
        } finally {
            shared.unlock();
        }
    }

    /** Reads queued messages into {@code buffer} (whole {@code uffd_msg}s); returns how many, 0 when none is queued. */
    public int read(MemorySegment buffer) {
        long r = FileIo.readRaw(fd, buffer);
        if (r < 0) {
            if (r == -Errno.EAGAIN || r == -Errno.EINTR) {
                return 0;
            }
            throw new NativeException("read(userfaultfd)", (int) -r);
        }
        return (int) (r / UffdLayouts.UFFD_MSG.byteSize());
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes the descriptor: faulting threads are released and registered ranges behave like ordinary memory. */
    @Override
    public void close() {
        var exclusive = lock.writeLock();
        exclusive.lock();
        try {
            if (!closed) {
                closed = true;
                FileIo.close(fd);
            }
        } finally {
            exclusive.unlock();
        }
    }
}
