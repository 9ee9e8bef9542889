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
 * Signals aimed at single threads: native no-op handlers (no Java ever runs in signal context), per-thread masks,
 * {@code pthread_kill} and {@code sigtimedwait}. Layouts are glibc's on x86-64.
 */
public final class Signals {
    private Signals() {
    }

    public static final int SIGUSR1 = 10, SIGUSR2 = 12, SIGRTMIN = 34, SIGRTMAX = 64;
    public static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    public static final int SA_RESTART = 0x10000000;
    private static final long SIG_DFL = 0, SIG_IGN = 1;

    /** glibc's {@code sigset_t}: 1024 bits. */
    public static final MemoryLayout SIGSET = MemoryLayout.sequenceLayout(16, JAVA_LONG);
    /** glibc's {@code struct sigaction} on x86-64. */
    public static final StructLayout SIGACTION = MemoryLayout.structLayout(
            ADDRESS.withName("sa_handler"),
            SIGSET.withName("sa_mask"),
            JAVA_INT.withName("sa_flags"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("sa_restorer")).withName("sigaction");
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec")).withName("timespec");

    private static final long SA_HANDLER = SIGACTION.byteOffset(MemoryLayout.PathElement.groupElement("sa_handler"));
    private static final long SA_FLAGS = SIGACTION.byteOffset(MemoryLayout.PathElement.groupElement("sa_flags"));

    private static final MethodHandle SIGACTION_CALL = Native.downcallWithErrno("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle PTHREAD_SIGMASK = Native.downcall("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle PTHREAD_SELF = Native.downcall("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle PTHREAD_KILL = Native.downcall("pthread_kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SIGTIMEDWAIT = Native.downcallWithErrno("sigtimedwait",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    /** A native function that is async-signal-safe and ignores its argument: the handler of kick signals. */
    private static final MemorySegment NO_OP_HANDLER = Native.symbol("getpid");

    /** Sets {@code signal}'s bit in a {@link #SIGSET}. */
    public static void add(MemorySegment sigset, int signal) {
        long word = (signal - 1) / 64;
        long bit = 1L << ((signal - 1) % 64);
        sigset.set(JAVA_LONG, word * 8, sigset.get(JAVA_LONG, word * 8) | bit);
    }

    public static void remove(MemorySegment sigset, int signal) {
        long word = (signal - 1) / 64;
        long bit = 1L << ((signal - 1) % 64);
        sigset.set(JAVA_LONG, word * 8, sigset.get(JAVA_LONG, word * 8) & ~bit);
    }

    public static boolean contains(MemorySegment sigset, int signal) {
        return (sigset.get(JAVA_LONG, (signal - 1) / 64 * 8L) & (1L << ((signal - 1) % 64))) != 0;
    }

    /**
     * Makes {@code signal}'s handler a native no-op (libc's {@code getpid}), so a signal only interrupts a blocking
     * system call of the thread it is sent to. Returns false, changing nothing, when the signal already has another
     * handler (someone else uses it).
     */
    public static boolean installNoOpHandler(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION);
            sigaction(signal, MemorySegment.NULL, old);
            long current = old.get(JAVA_LONG, SA_HANDLER);
            if (current == NO_OP_HANDLER.address()) {
                return true;
            }
            if (current != SIG_DFL && current != SIG_IGN) {
                return false;
            }
            MemorySegment action = arena.allocate(SIGACTION);
            action.set(ADDRESS, SA_HANDLER, NO_OP_HANDLER);
            action.set(JAVA_INT, SA_FLAGS, SA_RESTART);
            sigaction(signal, action, MemorySegment.NULL);
            return true;
        }
    }

    /** The address of {@code signal}'s current handler (0 default, 1 ignore). */
    public static long handler(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION);
            sigaction(signal, MemorySegment.NULL, old);
            return old.get(JAVA_LONG, SA_HANDLER);
        }
    }

    private static void sigaction(int signal, MemorySegment action, MemorySegment old) {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) SIGACTION_CALL.invokeExact(errno, signal, action, old);
        } catch (Throwable t) {
            throw Native.unexpected("sigaction", t);
        }
        if (r < 0) {
            throw new NativeException("sigaction(" + signal + ")", Native.errno(errno));
        }
    }

    /** {@code pthread_sigmask(how, set, old)} for the calling thread; either set may be NULL. */
    public static void threadMask(int how, MemorySegment set, MemorySegment old) {
        int r;
        try {
            r = (int) PTHREAD_SIGMASK.invokeExact(how, set, old);
        } catch (Throwable t) {
            throw Native.unexpected("pthread_sigmask", t);
        }
        if (r != 0) {
            throw new NativeException("pthread_sigmask", r);
        }
    }

    /** The calling thread's pthread handle, for {@link #kill}. */
    public static long pthreadSelf() {
        try {
            return (long) PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected("pthread_self", t);
        }
    }

    /** Sends {@code signal} to one thread of this process; returns 0 or an errno (ESRCH: the thread has ended). */
    public static int kill(long pthread, int signal) {
        try {
            return (int) PTHREAD_KILL.invokeExact(pthread, signal);
        } catch (Throwable t) {
            throw Native.unexpected("pthread_kill", t);
        }
    }

    /**
     * Takes a pending signal of {@code set} without waiting; returns its number, or 0 when none is pending. The
     * signals must be blocked in the calling thread.
     */
    public static int takePending(MemorySegment set, MemorySegment zeroTimeout) {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) SIGTIMEDWAIT.invokeExact(errno, set, MemorySegment.NULL, zeroTimeout);
        } catch (Throwable t) {
            throw Native.unexpected("sigtimedwait", t);
        }
        if (r < 0) {
            int e = Native.errno(errno);
            if (e == Errno.EAGAIN || e == Errno.EINTR) {
                return 0;
            }
            throw new NativeException("sigtimedwait", e);
        }
        return r;
    }
}
