package org.paravane.emulated.vstate;

import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.DescriptorTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.Msr;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.SegmentRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Msrs;

/** Between the software CPU's fields and the backend-neutral {@link VcpuState}. */
final class StateMapper {
    private StateMapper() {
    }

    /** The architectural reset state of the fields the API does not set (TSC, PAT, DR6/DR7, APIC base). */
    static void reset(Cpu c) {
        c.pat = ModelSpecificRegisters.PAT_RESET;
        c.apicBase = ControlRegisters.APIC_BASE_DEFAULT;
        c.setRflags(GeneralRegisters.RFLAGS_RESET);
        c.cr0 = ControlRegisters.CR0_ET | (1L << 29) | (1L << 30);
    }

    static GeneralRegisters registers(Cpu c) {
        long[] a = new long[18];
        System.arraycopy(c.r, 0, a, 0, 16);
        a[16] = c.rip;
        a[17] = c.rflags();
        return GeneralRegisters.fromArray(a);
    }

    static void setRegisters(Cpu c, GeneralRegisters g) {
        long[] a = g.toArray();
        System.arraycopy(a, 0, c.r, 0, 16);
        c.rip = a[16];
        c.setRflags(a[17]);
        c.codeEpoch++;
        if (c.halted) {
            c.halted = false;          // the caller redirects the vCPU: it no longer waits in its HLT
            c.eventsChanged();
        }
    }

    static VcpuState state(Cpu c, long apfEnable, long apfVector) {
        SegmentRegisters segments = new SegmentRegisters(c.seg[Cpu.CS], c.seg[Cpu.DS], c.seg[Cpu.ES],
                c.seg[Cpu.FS].withBase(c.fsBase), c.seg[Cpu.GS].withBase(c.gsBase), c.seg[Cpu.SS], c.seg[Cpu.TR],
                c.seg[Cpu.LDTR]);
        ControlRegisters control = new ControlRegisters(c.cr0, c.cr2, c.cr3, c.cr4, c.cr8, c.efer, c.apicBase);
        ModelSpecificRegisters msrs = ModelSpecificRegisters.NONE
                .with(Msr.TSC, Msrs.tsc(c))
                .with(Msr.SYSENTER_CS, c.sysenterCs)
                .with(Msr.SYSENTER_ESP, c.sysenterEsp)
                .with(Msr.SYSENTER_EIP, c.sysenterEip)
                .with(Msr.PAT, c.pat)
                .with(Msr.STAR, c.star)
                .with(Msr.LSTAR, c.lstar)
                .with(Msr.CSTAR, c.cstar)
                .with(Msr.SFMASK, c.sfmask)
                .with(Msr.KERNEL_GS_BASE, c.kernelGsBase)
                .with(Msr.TSC_AUX, c.tscAux)
                .with(Msr.KVM_ASYNC_PF_EN, apfEnable)
                .with(Msr.KVM_ASYNC_PF_INT, apfVector);
        PendingEvents.PendingException exception = c.pendingVector >= 0
                ? new PendingEvents.PendingException(c.pendingVector, c.pendingError, c.pendingPayload) : null;
        int vector = -1;
        for (int w = 3; w >= 0 && vector < 0; w--) {
            if (c.irr[w] != 0) {
                vector = w * 64 + 63 - Long.numberOfLeadingZeros(c.irr[w]);
            }
        }
        PendingEvents events = new PendingEvents(exception, vector, c.nmiPending, c.interruptShadow, c.halted);
        return new VcpuState(registers(c), segments, control, new DescriptorTable(c.gdtBase, c.gdtLimit),
                new DescriptorTable(c.idtBase, c.idtLimit), msrs, events, c.fpu.image());
    }

    /** Loads everything but the async-PF MSRs (the vCPU routes those through the engine). */
    /** Segments, control and descriptor-table registers: a privilege-level or address-space switch (flushes the TLB). */
    static void setSpecialRegisters(Cpu c, SpecialRegisters s) {
        loadSpecial(c, s);
        c.io.clear();
        c.mmu.flush();
        c.eventsChanged();
    }

    private static void loadSpecial(Cpu c, SpecialRegisters s) {
        SegmentRegisters g = s.segments();
        c.seg[Cpu.CS] = g.cs();
        c.seg[Cpu.DS] = g.ds();
        c.seg[Cpu.ES] = g.es();
        c.seg[Cpu.FS] = g.fs();
        c.seg[Cpu.GS] = g.gs();
        c.seg[Cpu.SS] = g.ss();
        c.seg[Cpu.TR] = g.tr();
        c.seg[Cpu.LDTR] = g.ldt();
        c.fsBase = g.fs().base();
        c.gsBase = g.gs().base();
        c.setCpl(g.cs().dpl());
        ControlRegisters cr = s.control();
        c.cr0 = cr.cr0();
        c.cr2 = cr.cr2();
        c.cr3 = cr.cr3();
        c.cr4 = cr.cr4();
        c.cr8 = cr.cr8();
        c.efer = cr.efer();
        c.apicBase = cr.apicBase();
        c.gdtBase = s.gdt().base();
        c.gdtLimit = s.gdt().limit();
        c.idtBase = s.idt().base();
        c.idtLimit = s.idt().limit();
        c.codeEpoch++;
    }

    static void setState(Cpu c, VcpuState s) {
        setRegisters(c, s.registers());
        loadSpecial(c, SpecialRegisters.of(s));
        ModelSpecificRegisters m = s.msrs();
        Msrs.setTsc(c, m.get(Msr.TSC));
        c.sysenterCs = m.get(Msr.SYSENTER_CS);
        c.sysenterEsp = m.get(Msr.SYSENTER_ESP);
        c.sysenterEip = m.get(Msr.SYSENTER_EIP);
        c.pat = m.values().containsKey(Msr.PAT) ? m.get(Msr.PAT) : ModelSpecificRegisters.PAT_RESET;
        c.star = m.get(Msr.STAR);
        c.lstar = m.get(Msr.LSTAR);
        c.cstar = m.get(Msr.CSTAR);
        c.sfmask = m.get(Msr.SFMASK);
        c.kernelGsBase = m.get(Msr.KERNEL_GS_BASE);
        c.tscAux = m.get(Msr.TSC_AUX);
        c.fpu.load(s.fxsave());
        PendingEvents e = s.events();
        if (e.exception() != null) {
            c.pendingVector = e.exception().vector();
            c.pendingError = e.exception().errorCode();
            c.pendingPayload = e.exception().payload();
        } else {
            c.pendingVector = -1;
            c.pendingError = -1;
            c.pendingPayload = 0;
        }
        java.util.Arrays.fill(c.irr, 0);
        if (e.interruptVector() >= 0) {
            c.irr[e.interruptVector() >>> 6] |= 1L << e.interruptVector();
        }
        c.nmiPending = e.nmiPending();
        c.nmiBlocked = false;
        c.interruptShadow = e.interruptShadow();
        c.halted = e.halted();
        c.shutdown = null;
        c.partial = false;
        c.stopBlock = false;
        c.setPendingExit(null);
        c.io.clear();
        c.mmu.flush();
        c.eventsChanged();
    }
}
