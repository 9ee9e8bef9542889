package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.GuestMemory;
import org.paravane.vmm.kernel.abi.paravane.GuestAbi;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.mm.GuestAccessException;

/**
 * A new task's process image as the Paravane ABI lays it out: the image's segments, the stack below
 * {@code PV_STACK_TOP}, the info page, the data region at {@code PV_DATA_VA}, and the registers it starts with.
 */
final class ProcessImage {
    private ProcessImage() {
    }

    /** Maps and fills {@code space} for task {@code id}; returns the task's first registers. */
    static GeneralRegisters load(AddressSpace space, TaskSpec spec, int id) throws GuestAccessException {
        ElfImage image = spec.image();
        for (ElfImage.Segment s : image.segments()) {
            long start = s.virtualAddress() & -GuestMemory.PAGE_SIZE;
            long end = (s.end() + GuestMemory.PAGE_SIZE - 1) & -GuestMemory.PAGE_SIZE;
            space.mapFresh(start, end - start, s.writable(), s.executable());
            space.load(s.virtualAddress(), s.data());
        }
        space.mapFresh(GuestAbi.STACK_TOP - GuestAbi.STACK_SIZE, GuestAbi.STACK_SIZE, true, false);
        space.mapFresh(GuestAbi.INFO_VA, GuestMemory.PAGE_SIZE, true, false);
        if (spec.data() != null) {
            space.mapPhysical(GuestAbi.DATA_VA, spec.data().guestAddress(), spec.data().size(), true);
        }
        MemorySegment info = MemorySegment.ofArray(new long[6]);
        info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_MAGIC_OFFSET, GuestAbi.INFO_MAGIC);
        info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_TASK_ID, id);
        info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_ARG, spec.argument());
        info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_DATA_BASE, spec.data() == null ? 0 : GuestAbi.DATA_VA);
        info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_DATA_SIZE, spec.data() == null ? 0 : spec.data().bytes());
        space.load(GuestAbi.INFO_VA, info.toArray(JAVA_BYTE));
        return GeneralRegisters.ZERO
                .with(GeneralRegisters.RSP, GuestAbi.STACK_TOP)
                .with(GeneralRegisters.RDI, spec.argument())
                .withRip(image.entry())
                .withRflags(GeneralRegisters.RFLAGS_IF | GeneralRegisters.RFLAGS_RESET);
    }
}
