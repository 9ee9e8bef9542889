package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * A POSIX timer on CLOCK_MONOTONIC that sends a signal to one thread when it expires (SIGEV_THREAD_ID), so a
 * thread can bound its own blocking system calls without cross-CPU wake-ups.
 */
public final class Timers implements AutoCloseable {
    public static final int CLOCK_MONOTONIC = 1;
    public static final int SIGEV_THREAD_ID = 4;

    /** glibc's {@code struct sigevent} on x86-64 (64 bytes). */
    public static final StructLayout SIGEVENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigev_value"),
            JAVA_INT.withName("sigev_signo"),
            JAVA_INT.withName("sigev_notify"),
            MemoryLayout.unionLayout(JAVA_INT.withName("_tid"), MemoryLayout.sequenceLayout(12, JAVA_INT).withName("_pad"))
                    .withName("_sigev_un")).withName("sigevent");
    public static final StructLayout ITIMERSPEC = MemoryLayout.structLayout(
            Signals.TIMESPEC.withName("it_interval"), Signals.TIMESPEC.withName("it_value")).withName("itimerspec");

    private static final MethodHandle TIMER_CREATE = Native.downcallWithErrno("timer_create",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TIMER_SETTIME = Native.downcallWithErrno("timer_settime",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TIMER_DELETE = Native.downcallWithErrno("timer_delete",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private final MemorySegment timer;
    private final MemorySegment spec;
    private final int tid;
    private boolean deleted;

    private Timers(MemorySegment timer, MemorySegment spec, int tid) {
        this.timer = timer;
        this.spec = spec;
        this.tid = tid;
    }

    /** A disarmed timer that sends {@code signal} to the thread with kernel id {@code tid}. */
    public static Timers signalingThread(int tid, int signal) {
        MemorySegment errno = Native.errnoSegment();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(SIGEVENT);
            event.set(JAVA_INT, 8, signal);
            event.set(JAVA_INT, 12, SIGEV_THREAD_ID);
            event.set(JAVA_INT, 16, tid);
            MemorySegment id = arena.allocate(ADDRESS);
            int r;
            try {
                r = (int) TIMER_CREATE.invokeExact(errno, CLOCK_MONOTONIC, event, id);
            } catch (Throwable t) {
                throw Native.unexpected("timer_create", t);
            }
            if (r < 0) {
                throw new NativeException("timer_create(thread " + tid + ", signal " + signal + ")", Native.errno(errno));
            }
            return new Timers(id.get(ADDRESS, 0), Arena.ofAuto().allocate(ITIMERSPEC), tid);
        }
    }

    /** The thread this timer signals. */
    public int tid() {
        return tid;
    }

    /** Arms the timer to expire once after {@code nanos} (at least 1 ns); 0 disarms it. */
    public void arm(long nanos) {
        spec.set(JAVA_LONG, 16, nanos / 1_000_000_000L);
        spec.set(JAVA_LONG, 24, nanos % 1_000_000_000L);
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) TIMER_SETTIME.invokeExact(errno, timer, 0, spec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Native.unexpected("timer_settime", t);
        }
        if (r < 0) {
            throw new NativeException("timer_settime", Native.errno(errno));
        }
    }

    public void disarm() {
        arm(0);
    }

    @Override
    public void close() {
        if (deleted) {
            return;
        }
        deleted = true;
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) TIMER_DELETE.invokeExact(errno, timer);
        } catch (Throwable t) {
            throw Native.unexpected("timer_delete", t);
        }
        if (r < 0) {
            throw new NativeException("timer_delete", Native.errno(errno));
        }
    }
}
