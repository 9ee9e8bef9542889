package org.paravane.support.memory;

import java.lang.foreign.MemorySegment;
import org.paravane.api.memory.MemoryRegion;

/**
 * How a backend backs guest memory on the host and fills absent pages: plain copies for the software CPU,
 * userfaultfd's COPY/ZEROPAGE for KVM, where a plain store into a registered hole would fault.
 */
public interface HostPages {

    /** Host memory for {@code region}, page aligned; pages of a lazy region must not be touched here. */
    MemorySegment map(MemoryRegion region);

    /**
     * Whether every page of {@code region} is present once {@link #map} returned: true for eager regions, and for lazy
     * ones the backend backs by other means (a private mapping of a local snapshot file the kernel pages in).
     */
    default boolean startsPresent(MemoryRegion region) {
        return !region.lazy();
    }

    /**
     * Makes the absent page(s) at {@code target} hold {@code contents} (same size). Called once per page range, by the
     * thread that claimed it; the page is marked present after this returns.
     */
    void fill(MemorySegment target, MemorySegment contents);

    /** Makes the absent page(s) at {@code target} hold zeros. */
    void fillZero(MemorySegment target);

    /**
     * Called once the pages at {@code target} are marked present, after {@link #fill} or {@link #fillZero}. A backend
     * whose fills leave faulting threads waiting (userfaultfd's DONTWAKE) wakes them here, so a guest never runs on a
     * page whose present bit is not yet set.
     */
    default void published(MemorySegment target) {
    }

    /**
     * A buffer of {@code bytes} (a multiple of the page size, 8-byte aligned) the page source reads into before
     * {@link #fill}; used by the calling thread only until its fill returns. KVM hands out native memory here so the
     * kernel can copy from it directly.
     */
    default MemorySegment buffer(long bytes) {
        return MemorySegment.ofArray(new long[(int) (bytes / Long.BYTES)]);
    }

    /** Releases what {@link #map} returned. */
    void unmap(MemoryRegion region, MemorySegment host);
}
