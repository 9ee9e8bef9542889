package org.paravane.vmm.source;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.paravane.api.memory.PageSource;

/**
 * Deterministic pseudo-random content: every qword is a hash of its guest-physical address and a seed. Stands for
 * data that lives elsewhere (a remote store, a snapshot being streamed) without needing a file; two VMs built from
 * the same seed see the same bytes, so their checksums can be compared.
 */
public final class PatternPageSource implements PageSource {
    private final long seed;

    public PatternPageSource(long seed) {
        this.seed = seed;
    }

    /** The qword at guest-physical {@code address} (8-aligned). */
    public static long qwordAt(long seed, long address) {
        long z = address * 0x9E3779B97F4A7C15L + seed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) {
        for (long off = 0; off < destination.byteSize(); off += 8) {
            destination.set(JAVA_LONG_UNALIGNED, off, qwordAt(seed, guestAddress + off));
        }
    }

    @Override
    public String describe() {
        return "pattern(seed " + seed + ")";
    }
}
