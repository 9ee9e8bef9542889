package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/** {@code poll(2)} over an array of {@code struct pollfd}. */
public final class Poll {
    private Poll() {
    }

    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;

    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents")).withName("pollfd");

    private static final MethodHandle POLL = Native.downcallWithErrno("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    /** Fills entry {@code index} of a pollfd array. */
    public static void set(MemorySegment fds, int index, int fd, short events) {
        long base = index * POLLFD.byteSize();
        fds.set(JAVA_INT, base, fd);
        fds.set(JAVA_SHORT, base + 4, events);
        fds.set(JAVA_SHORT, base + 6, (short) 0);
    }

    public static short revents(MemorySegment fds, int index) {
        return fds.get(JAVA_SHORT, index * POLLFD.byteSize() + 6);
    }

    /**
     * Waits until an entry is ready or {@code timeoutMillis} pass (-1: forever); returns the number ready (0 on
     * timeout or EINTR).
     */
    public static int poll(MemorySegment fds, int count, int timeoutMillis) {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) POLL.invokeExact(errno, fds, (long) count, timeoutMillis);
        } catch (Throwable t) {
            throw Native.unexpected("poll", t);
        }
        if (r < 0) {
            if (Native.errno(errno) == Errno.EINTR) {
                return 0;
            }
            throw new NativeException("poll(" + count + " descriptors)", Native.errno(errno));
        }
        return r;
    }
}
