package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** mmap, munmap and madvise: host memory for guest RAM and for the kernel's shared pages. */
public final class Memory {
    private Memory() {
    }

    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
            MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000;
    public static final int MADV_DONTNEED = 4, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15, MADV_POPULATE_READ = 22,
            MADV_POPULATE_WRITE = 23;

    private static final MemorySegment MAP_FAILED = MemorySegment.ofAddress(-1L);
    private static final MethodHandle MMAP = Native.downcallWithErrno("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Native.downcallWithErrno("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE = Native.downcallWithErrno("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}; the result is sized {@code length}. Unmap it with
     * {@link #munmap}; it is not tied to an arena.
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment errno = Native.errnoSegment();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall", t);
        }
        if (address.equals(MAP_FAILED)) {
            throw new NativeException("mmap(" + length + " bytes, prot " + prot + ", flags 0x" + Integer.toHexString(flags)
                    + ", fd " + fd + ")", Native.errno(errno));
        }
        return address.reinterpret(length);
    }

    /** Anonymous private memory, reserved lazily: untouched pages cost nothing and read as zero. */
    public static MemorySegment anonymous(long length) {
        return mmap(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }

    /**
     * {@code mapping} (from {@link #mmap}) tied to {@code arena}: closing the arena unmaps it, and accesses after that
     * fail with an exception instead of touching unmapped memory.
     */
    public static MemorySegment owned(MemorySegment mapping, java.lang.foreign.Arena arena) {
        long address = mapping.address();
        long size = mapping.byteSize();
        return mapping.reinterpret(size, arena, ignored -> munmap(MemorySegment.ofAddress(address).reinterpret(size)));
    }

    public static void munmap(MemorySegment mapping) {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) MUNMAP.invokeExact(errno, mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("munmap downcall", t);
        }
        if (r != 0) {
            throw new NativeException("munmap(" + mapping.byteSize() + " bytes)", Native.errno(errno));
        }
    }

    private static final MethodHandle MPROTECT = Native.downcallWithErrno("mprotect",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    /** Changes the protection of {@code range} (page aligned). */
    public static void mprotect(MemorySegment range, int prot) {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) MPROTECT.invokeExact(errno, range, range.byteSize(), prot);
        } catch (Throwable t) {
            throw new AssertionError("mprotect downcall", t);
        }
        if (r != 0) {
            throw new NativeException("mprotect(" + range.byteSize() + " bytes, prot " + prot + ")", Native.errno(errno));
        }
    }

    public static void madvise(MemorySegment range, int advice) {
        MemorySegment errno = Native.errnoSegment();
        int r;
        try {
            r = (int) MADVISE.invokeExact(errno, range, range.byteSize(), advice);
        } catch (Throwable t) {
            throw new AssertionError("madvise downcall", t);
        }
        if (r != 0) {
            throw new NativeException("madvise(" + range.byteSize() + " bytes, " + advice + ")", Native.errno(errno));
        }
    }
}
