package org.paravane.support.x86;

import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.DescriptorTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.Msr;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.Segment;
import org.paravane.api.cpu.SegmentRegisters;
import org.paravane.api.cpu.VcpuState;

/** vCPU states of 64-bit code in the {@link Descriptors} GDT layout. */
public final class LongMode {
    private LongMode() {
    }

    /**
     * The state of 64-bit code at privilege {@code cpl} (0 or 3) at {@code rip} with stack {@code rsp}, RFLAGS
     * {@code rflags}, paging rooted at {@code cr3}, the given GDT/IDT/TSS, and SYSCALL entering {@code lstar} with
     * {@code sfmask} cleared from RFLAGS.
     */
    public static VcpuState state(int cpl, long rip, long rsp, long rflags, long cr3, long gdtBase, long idtBase,
                                  long tssBase, long lstar, long sfmask) {
        if (cpl != 0 && cpl != 3) {
            throw new IllegalArgumentException("64-bit code runs at CPL 0 or 3, not " + cpl);
        }
        Segment cs = Segment.code64(cpl == 0 ? Descriptors.KERNEL_CS : Descriptors.USER_CS, cpl);
        Segment ds = Segment.data(cpl == 0 ? Descriptors.KERNEL_DS : Descriptors.USER_DS, cpl);
        SegmentRegisters segments = new SegmentRegisters(cs, ds, ds, ds, ds, ds,
                Segment.tss64(Descriptors.TSS, tssBase, Descriptors.TSS_SIZE - 1), Segment.nullSegment());
        GeneralRegisters regs = GeneralRegisters.ZERO.with(GeneralRegisters.RSP, rsp).withRip(rip).withRflags(rflags);
        ModelSpecificRegisters msrs = ModelSpecificRegisters.NONE
                .with(Msr.STAR, Descriptors.STAR)
                .with(Msr.LSTAR, lstar)
                .with(Msr.SFMASK, sfmask)
                .with(Msr.PAT, ModelSpecificRegisters.PAT_RESET);
        return new VcpuState(regs, segments, ControlRegisters.longMode(cr3),
                new DescriptorTable(gdtBase, Descriptors.GDT_SIZE - 1),
                new DescriptorTable(idtBase, Descriptors.IDT_SIZE - 1), msrs, PendingEvents.NONE, null);
    }
}
