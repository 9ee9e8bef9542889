package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** CPU placement of the calling thread. */
public final class Threads {
    private Threads() {
    }

    private static final MethodHandle SCHED_SETAFFINITY = Native.downcallWithErrno("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETCPU = Native.downcall("sched_getcpu", FunctionDescriptor.of(JAVA_INT));

    /** Restricts the calling thread to {@code cpus} (CPU numbers below 1024). */
    public static void pinCurrentThread(int... cpus) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128);
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= 1024) {
                    throw new IllegalArgumentException("CPU number out of range: " + cpu);
                }
                mask.set(JAVA_LONG, cpu / 64 * 8L, mask.get(JAVA_LONG, cpu / 64 * 8L) | (1L << (cpu % 64)));
            }
            MemorySegment errno = Native.errnoSegment();
            int r;
            try {
                r = (int) SCHED_SETAFFINITY.invokeExact(errno, 0, mask.byteSize(), mask);
            } catch (Throwable t) {
                throw Native.unexpected("sched_setaffinity", t);
            }
            if (r < 0) {
                throw new NativeException("sched_setaffinity", Native.errno(errno));
            }
        }
    }

    /** The CPU the calling thread runs on now. */
    public static int currentCpu() {
        try {
            return (int) SCHED_GETCPU.invokeExact();
        } catch (Throwable t) {
            throw Native.unexpected("sched_getcpu", t);
        }
    }
}
