package org.paravane.emulated.vstate;

import java.lang.foreign.MemorySegment;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.support.linux.Memory;
import org.paravane.support.memory.HostPages;

/**
 * Guest RAM of the software CPU: one anonymous private mapping per region, reserved lazily, so pages the guest never
 * touches cost nothing. Filling an absent page is a copy; a zero fill needs nothing at all, because an absent page
 * has never been written (the CPU only writes present pages) and anonymous memory reads as zero.
 */
final class GuestRam implements HostPages {

    @Override
    public MemorySegment map(MemoryRegion region) {
        return Memory.anonymous(region.size());
    }

    @Override
    public void fill(MemorySegment target, MemorySegment contents) {
        target.copyFrom(contents);
    }

    @Override
    public void fillZero(MemorySegment target) {
        // Untouched anonymous memory already reads as zero.
    }

    @Override
    public void unmap(MemoryRegion region, MemorySegment host) {
        Memory.munmap(host);
    }
}
