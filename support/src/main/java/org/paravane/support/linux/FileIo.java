package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** open, close, read, write and pread on file descriptors, with errno captured per call. */
public final class FileIo {
    private FileIo() {
    }

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_NONBLOCK = 04000,
            O_CLOEXEC = 02000000;

    // open(const char *, int, ...) is variadic: the mode is the first variadic argument.
    private static final MethodHandle OPEN = Native.downcallWithErrno("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Native.downcallWithErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = Native.downcallWithErrno("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Native.downcallWithErrno("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PREAD = Native.downcallWithErrno("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));

    /** {@code open(path, flags, mode)}; returns the descriptor. */
    public static int open(String path, int flags, int mode) {
        MemorySegment errno = Native.errnoSegment();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path), flags, mode);
        } catch (Throwable t) {
            throw Native.unexpected("open", t);
        }
        if (fd < 0) {
            throw new NativeException("open(" + path + ")", Native.errno(errno));
        }
        return fd;
    }

    public static int open(String path, int flags) {
        return open(path, flags, 0);
    }

    /** Closes {@code fd}; EINTR is not retried (Linux has released the descriptor already). */
    public static void close(int fd) {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw Native.unexpected("close", t);
        }
        if (r < 0 && Native.errno(errno) != Errno.EINTR) {
            throw new NativeException("close(" + fd + ")", Native.errno(errno));
        }
    }

    /** Reads up to {@code buffer.byteSize()} bytes; returns the count, or {@code -errno} on failure. */
    public static long readRaw(int fd, MemorySegment buffer) {
        MemorySegment errno = Native.errnoSegment();
        long r;
        try {
            r = (long) READ.invokeExact(errno, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw Native.unexpected("read", t);
        }
        return r < 0 ? -Native.errno(errno) : r;
    }

    /** Reads up to {@code buffer.byteSize()} bytes; returns the count (0 at end of file). */
    public static long read(int fd, MemorySegment buffer) {
        long r = readRaw(fd, buffer);
        if (r < 0) {
            throw new NativeException("read(" + fd + ", " + buffer.byteSize() + " bytes)", (int) -r);
        }
        return r;
    }

    /** Writes {@code buffer}; returns the count written. */
    public static long write(int fd, MemorySegment buffer) {
        MemorySegment errno = Native.errnoSegment();
        long r;
        try {
            r = (long) WRITE.invokeExact(errno, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw Native.unexpected("write", t);
        }
        if (r < 0) {
            throw new NativeException("write(" + fd + ", " + buffer.byteSize() + " bytes)", Native.errno(errno));
        }
        return r;
    }

    /** Reads {@code buffer.byteSize()} bytes at {@code offset}; returns the count (short only at end of file). */
    public static long pread(int fd, MemorySegment buffer, long offset) {
        MemorySegment errno = Native.errnoSegment();
        long done = 0;
        while (done < buffer.byteSize()) {
            long r;
            try {
                r = (long) PREAD.invokeExact(errno, fd, buffer.asSlice(done), buffer.byteSize() - done, offset + done);
            } catch (Throwable t) {
                throw Native.unexpected("pread", t);
            }
            if (r < 0) {
                if (Native.errno(errno) == Errno.EINTR) {
                    continue;
                }
                throw new NativeException("pread(" + fd + ", " + buffer.byteSize() + " bytes at " + offset + ")", Native.errno(errno));
            }
            if (r == 0) {
                break;
            }
            done += r;
        }
        return done;
    }
}
