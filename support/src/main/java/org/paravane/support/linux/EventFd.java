package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** An eventfd: a counter a thread can wait on with {@link Poll}; used to wake threads blocked in poll. */
public final class EventFd implements AutoCloseable {
    public static final int EFD_CLOEXEC = 02000000, EFD_NONBLOCK = 04000;

    private static final MethodHandle EVENTFD = Native.downcallWithErrno("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final int fd;
    private volatile boolean closed;

    public EventFd() {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) EVENTFD.invokeExact(errno, 0, EFD_CLOEXEC | EFD_NONBLOCK);
        } catch (Throwable t) {
            throw Native.unexpected("eventfd", t);
        }
        if (r < 0) {
            throw new NativeException("eventfd", Native.errno(errno));
        }
        this.fd = r;
    }

    public int fd() {
        return fd;
    }

    /** Adds one to the counter: pollers see POLLIN. */
    public void signal() {
        try (Arena arena = Arena.ofConfined()) {
            FileIo.write(fd, arena.allocateFrom(JAVA_LONG, 1L));
        }
    }

    /** Resets the counter to zero; returns what it was. */
    public long drain() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_LONG);
            long r = FileIo.readRaw(fd, value);
            return r == 8 ? value.get(JAVA_LONG, 0) : 0;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            FileIo.close(fd);
        }
    }
}
