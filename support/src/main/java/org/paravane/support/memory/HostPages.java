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
     * Makes the absent page(s) at {@code target} hold {@code contents} (same size). Called once per page range, by the
     * thread that claimed it; the page is marked present after this returns.
     */
    void fill(MemorySegment target, MemorySegment contents);

    /** Makes the absent page(s) at {@code target} hold zeros. */
    void fillZero(MemorySegment target);

    /** Releases what {@link #map} returned. */
    void unmap(MemoryRegion region, MemorySegment host);
}
