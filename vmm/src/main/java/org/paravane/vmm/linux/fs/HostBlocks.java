package org.paravane.vmm.linux.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A host file's st_blocks, which Java's attribute views do not carry: lstat(2) through FFM. Guests show it ({@code ls
 * -s}, the "total" of {@code ls -l}, {@code du}), so it must be the host's, not a guess from the size (sparse files,
 * file system blocks). Where the call is not available the size rounded up to 512-byte units stands in.
 */
final class HostBlocks {
    private static final MethodHandle LSTAT = lookup();
    private static final long ST_BLOCKS = 64, STRUCT_STAT = 144;    // x86-64 struct stat

    private HostBlocks() {
    }

    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("lstat").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS))).orElse(null);
        } catch (RuntimeException e) {          // no native access granted: the estimate below
            return null;
        }
    }

    /** 512-byte units allocated to {@code path} (not followed), or the size's estimate. */
    static long of(Path path, long size) {
        if (LSTAT != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment stat = arena.allocate(STRUCT_STAT, 8);
                if ((int) LSTAT.invokeExact(arena.allocateFrom(path.toString()), stat) == 0) {
                    return stat.get(ValueLayout.JAVA_LONG, ST_BLOCKS);
                }
            } catch (Throwable e) {
                // fall through to the estimate
            }
        }
        return Stat.blocksOf(size);
    }
}
