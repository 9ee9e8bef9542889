package org.paravane.vmm.kernel.mm;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.MemoryStats;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * The guest memory of whichever VM the kernel runs on now. Everything the kernel keeps (address spaces, the page
 * allocator) holds this view, so a VM that moved to another backend is never reached through its closed predecessor.
 */
public final class CurrentMemory implements GuestMemory {
    private final Supplier<VirtualMachine> vm;

    public CurrentMemory(Supplier<VirtualMachine> vm) {
        this.vm = vm;
    }

    private GuestMemory memory() {
        return vm.get().memory();
    }

    @Override
    public List<MemoryRegion> regions() {
        return memory().regions();
    }

    @Override
    public PageSource source() {
        return memory().source();
    }

    @Override
    public boolean contains(long guestAddress) {
        return memory().contains(guestAddress);
    }

    @Override
    public boolean isPresent(long guestAddress) {
        return memory().isPresent(guestAddress);
    }

    @Override
    public void ensurePresent(long guestAddress, long length) throws PageSourceException {
        memory().ensurePresent(guestAddress, length);
    }

    @Override
    public void install(long guestAddress, MemorySegment contents) {
        memory().install(guestAddress, contents);
    }

    @Override
    public MemorySegment slice(long guestAddress, long length) throws PageSourceException {
        return memory().slice(guestAddress, length);
    }

    @Override
    public void forEachPresentPage(LongConsumer action) {
        memory().forEachPresentPage(action);
    }

    @Override
    public MemoryStats stats() {
        return memory().stats();
    }
}
