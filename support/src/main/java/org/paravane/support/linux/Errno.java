package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** errno values Paravane reacts to, and their names for messages. */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22,
            ENFILE = 23, EMFILE = 24, ENOSPC = 28, ENOSYS = 38, EOPNOTSUPP = 95, EHWPOISON = 133;

    private static final MethodHandle STRERROR = Native.downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case EINTR -> "EINTR"; case EIO -> "EIO";
            case ENXIO -> "ENXIO"; case E2BIG -> "E2BIG"; case ENOEXEC -> "ENOEXEC"; case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN"; case ENOMEM -> "ENOMEM"; case EACCES -> "EACCES"; case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY"; case EEXIST -> "EEXIST"; case ENODEV -> "ENODEV"; case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE"; case EMFILE -> "EMFILE"; case ENOSPC -> "ENOSPC"; case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP"; case EHWPOISON -> "EHWPOISON";
            default -> "errno " + errno;
        };
    }

    /** The C library's description of {@code errno}. */
    public static String describe(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
