package org.paravane.asyncpf.testing;

import java.lang.foreign.Arena;
import java.util.List;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.support.memory.HostPages;
import org.paravane.testkit.ArenaHostPages;
import org.paravane.support.memory.PagedGuestMemory;

/** Guest memory for tests: {@link PagedGuestMemory} over a shared arena, with plain copies as the software CPU does. */
public final class ArenaGuestMemory implements AutoCloseable {

    /** Non-lazy low memory holding the async-PF areas (one 64-byte area per vCPU id from {@link #AREA}). */
    public static final long LOW = 0;
    public static final long AREA = 0x1000;
    /** Lazy RAM: pages start absent and come from the page source. */
    public static final long RAM = 0x100000;

    private final Arena arena = Arena.ofShared();
    private final PagedGuestMemory memory;

    public ArenaGuestMemory(PageSource source, int ramPages) {
        HostPages pages = new ArenaHostPages(arena);
        memory = new PagedGuestMemory(new VmSpec("test", 1, List.of(
                new MemoryRegion("low", LOW, 0x80000, false),
                new MemoryRegion("ram", RAM, (long) ramPages * 4096, true)), source), pages);
    }

    public PagedGuestMemory memory() {
        return memory;
    }

    public static long page(int n) {
        return RAM + (long) n * 4096;
    }

    public static long area(int vcpu) {
        return AREA + 64L * vcpu;
    }

    @Override
    public void close() {
        memory.close();
        arena.close();
    }
}
