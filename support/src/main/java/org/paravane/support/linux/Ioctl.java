package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code ioctl(int, unsigned long, ...)}, which is variadic: one handle per shape of the third argument (an integer
 * or a pointer), each marked variadic so the ABI's rules for variadic calls apply. Request numbers are built with
 * {@link #io}, {@link #ior}, {@link #iow} and {@link #iowr} like the kernel's {@code _IO*} macros.
 */
public final class Ioctl {
    private Ioctl() {
    }

    private static final MethodHandle IOCTL_LONG = Native.downcallWithErrno("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_POINTER = Native.downcallWithErrno("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));

    private static final int NRSHIFT = 0, TYPESHIFT = 8, SIZESHIFT = 16, DIRSHIFT = 30;
    private static final long NONE = 0, WRITE = 1, READ = 2;

    public static long io(int type, int nr) {
        return request(NONE, type, nr, 0);
    }

    /** The kernel writes a {@code size}-byte argument (_IOR). */
    public static long ior(int type, int nr, long size) {
        return request(READ, type, nr, size);
    }

    /** The kernel reads a {@code size}-byte argument (_IOW). */
    public static long iow(int type, int nr, long size) {
        return request(WRITE, type, nr, size);
    }

    public static long iowr(int type, int nr, long size) {
        return request(READ | WRITE, type, nr, size);
    }

    private static long request(long dir, int type, int nr, long size) {
        if (size < 0 || size >= (1 << 14)) {
            throw new IllegalArgumentException("ioctl argument size " + size + " does not fit 14 bits");
        }
        return (dir << DIRSHIFT) | ((long) type << TYPESHIFT) | ((long) nr << NRSHIFT) | (size << SIZESHIFT);
    }

    /** {@code ioctl(fd, request, arg)}; returns the result, or {@code -errno} when it is negative. */
    public static int raw(MemorySegment errno, int fd, long request, long arg) {
        int r;
        try {
            r = (int) IOCTL_LONG.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw Native.unexpected("ioctl", t);
        }
        return r < 0 ? -Native.errno(errno) : r;
    }

    /** {@code ioctl(fd, request, pointer)}; returns the result, or {@code -errno} when it is negative. */
    public static int raw(MemorySegment errno, int fd, long request, MemorySegment arg) {
        int r;
        try {
            r = (int) IOCTL_POINTER.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw Native.unexpected("ioctl", t);
        }
        return r < 0 ? -Native.errno(errno) : r;
    }

    /** {@code ioctl(fd, request, arg)}; throws {@link NativeException} naming {@code name} on failure. */
    public static int call(String name, int fd, long request, long arg) {
        int r = raw(Native.errnoSegment(), fd, request, arg);
        if (r < 0) {
            throw new NativeException(name, -r);
        }
        return r;
    }

    /** {@code ioctl(fd, request, pointer)}; throws {@link NativeException} naming {@code name} on failure. */
    public static int call(String name, int fd, long request, MemorySegment arg) {
        int r = raw(Native.errnoSegment(), fd, request, arg);
        if (r < 0) {
            throw new NativeException(name, -r);
        }
        return r;
    }
}
