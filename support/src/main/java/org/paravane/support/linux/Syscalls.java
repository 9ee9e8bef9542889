package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** {@code syscall(long, ...)} for system calls libc does not wrap (userfaultfd), and the thread id. */
public final class Syscalls {
    private Syscalls() {
    }

    /** x86-64 system call numbers. */
    public static final long SYS_GETTID = 186, SYS_USERFAULTFD = 323;

    // syscall(long number, ...): everything after the number is variadic, passed as longs.
    private static final MethodHandle SYSCALL1 = Native.downcallWithErrno("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETTID = Native.downcall("gettid", FunctionDescriptor.of(JAVA_INT));

    /** {@code syscall(number, arg)}; returns the result, or {@code -errno} on failure. */
    public static long raw(long number, long arg) {
        MemorySegment errno = Native.errnoSegment();
        long r;
        try {
            r = (long) SYSCALL1.invokeExact(errno, number, arg);
        } catch (Throwable t) {
            throw Native.unexpected("syscall", t);
        }
        return r < 0 ? -Native.errno(errno) : r;
    }

    /** The kernel thread id of the calling thread (what userfaultfd reports as the faulting thread). */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected("gettid", t);
        }
    }
}
