package org.paravane.testkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.support.memory.HostPages;

/**
 * Host pages carved from an {@link Arena} the test owns, for guest memories that need no mmap: every region is
 * allocated page-aligned and stays until the arena closes.
 */
public final class ArenaHostPages implements HostPages {
    private final Arena arena;

    public ArenaHostPages(Arena arena) {
        this.arena = arena;
    }

    @Override
    public MemorySegment map(MemoryRegion region) {
        return arena.allocate(region.size(), 4096);
    }

    @Override
    public void fill(MemorySegment target, MemorySegment contents) {
        target.copyFrom(contents);
    }

    @Override
    public void fillZero(MemorySegment target) {
        target.fill((byte) 0);
    }

    @Override
    public void unmap(MemoryRegion region, MemorySegment host) {
        // the arena frees everything at once
    }
}
