package org.paravane.kvm.vstate.vcpu;

import java.lang.foreign.MemorySegment;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmRun;
import org.paravane.kvm.ioctls.VcpuFd;

/**
 * Saves and restores a stopped vCPU's state: registers through the sync-regs area (no system call), MSRs, FPU and
 * MP state through their ioctls, written only where they differ from what the vCPU is known to hold; pending events
 * with the interrupt KVM has not injected yet (in the LAPIC's IRR, or queued here without an irqchip); and the halt,
 * which it ends when the caller redirects the vCPU.
 */
final class VcpuStateTransfer {
    private final VcpuHost host;
    private final VcpuFd fd;
    private final KvmRun run;
    private final RunStateMachine states;
    private final SyncRegisters sync;
    private final IoExitRip ioRip;
    private final InterruptQueue interrupts;
    private final VcpuMsrs msrs;
    private final FpuState fpu;
    private final VcpuLapic lapic;
    private final MpState mp;

    VcpuStateTransfer(VcpuHost host, VcpuFd fd, RunStateMachine states, SyncRegisters sync, IoExitRip ioRip,
                      InterruptQueue interrupts, VcpuMsrs msrs, FpuState fpu, VcpuLapic lapic, MpState mp) {
        this.host = host;
        this.fd = fd;
        this.run = fd.kvmRun();
        this.states = states;
        this.sync = sync;
        this.ioRip = ioRip;
        this.interrupts = interrupts;
        this.msrs = msrs;
        this.fpu = fpu;
        this.lapic = lapic;
        this.mp = mp;
    }

    GeneralRegisters registers() {
        sync.ensure();
        return StateCodec.decodeRegs(sync.regs());
    }

    void setRegisters(GeneralRegisters registers) {
        leaveHalt();
        sync.ensure();
        ioRip.abandonPendingRead(registers.rip());
        StateCodec.encodeRegs(registers, sync.regs());
        run.markDirty(KvmConstants.SYNC_REGS);
    }

    /** The caller redirects the vCPU: a halt it was in (a kick ended the run, not the halt) is over. */
    private void leaveHalt() {
        VcpuRunState now = states.state();
        if (now != VcpuRunState.HALTED && now != VcpuRunState.MAYBE_HALTED) {
            return;
        }
        states.settle(VcpuRunState.STOPPED);
        if (now == VcpuRunState.MAYBE_HALTED && host.irqchip() && mp.get() == KvmConstants.MP_STATE_HALTED) {
            mp.set(KvmConstants.MP_STATE_RUNNABLE);
        }
    }

    SpecialRegisters specialRegisters() {
        sync.ensure();
        MemorySegment sregs = sync.sregs();
        return new SpecialRegisters(StateCodec.decodeSegments(sregs), StateCodec.decodeControl(sregs),
                StateCodec.decodeGdt(sregs), StateCodec.decodeIdt(sregs));
    }

    /** A page fault still pending keeps its address (KVM delivers it with the CR2 of the moment, so that CR2 stays). */
    void setSpecialRegisters(SpecialRegisters registers) {
        sync.ensure();
        ControlRegisters control = registers.control();
        if (StateCodec.pageFaultWithoutPayload(sync.events())) {
            control = control.withCr2(sync.pendingPageFaultAddress());
        }
        StateCodec.encodeSregs(registers.segments(), control, registers.gdt(), registers.idt(), sync.sregs());
        run.markDirty(KvmConstants.SYNC_SREGS);
    }

    VcpuState state() {
        sync.ensure();
        MemorySegment sregs = sync.sregs();
        boolean isHalted = host.irqchip() ? mp.get() == KvmConstants.MP_STATE_HALTED : states.state() == VcpuRunState.HALTED;
        long cr2 = StateCodec.pageFaultWithoutPayload(sync.events()) ? sync.pendingPageFaultAddress() : StateCodec.cr2(sregs);
        PendingEvents events = StateCodec.decodeEvents(sync.events(), cr2, isHalted);
        int pending = events.interruptVector() >= 0 ? -1 : host.irqchip() ? lapic.highestRequestedInterrupt() : interrupts.queued();
        if (pending >= 0) {
            // a page-ready interrupt the LAPIC holds but has not injected yet must travel with the state, or the guest
            // never acknowledges it and the host sends no page-ready again
            events = new PendingEvents(events.exception(), pending, events.nmiPending(), events.interruptShadow(),
                    events.halted());
        }
        return new VcpuState(StateCodec.decodeRegs(sync.regs()), StateCodec.decodeSegments(sregs),
                StateCodec.decodeControl(sregs), StateCodec.decodeGdt(sregs), StateCodec.decodeIdt(sregs), msrs.read(),
                events, fpu.read());
    }

    void setState(VcpuState state) {
        msrs.validate(state.msrs());
        sync.ensure();
        ioRip.abandonPendingRead(state.registers().rip());
        GeneralRegisters regs = state.registers();
        ControlRegisters control = state.control();
        PendingEvents events = state.events();
        if (events.exception() != null && events.exception().vector() == AsyncPfAbi.PAGE_FAULT_VECTOR) {
            control = control.withCr2(events.exception().payload());   // KVM delivers an injected #PF with the current CR2
        }
        StateCodec.encodeRegs(regs, sync.regs());
        StateCodec.encodeSregs(state.segments(), control, state.gdt(), state.idt(), sync.sregs());
        boolean interruptible = (regs.rflags() & GeneralRegisters.RFLAGS_IF) != 0 && !events.interruptShadow();
        int vector = events.interruptVector();
        boolean injectNow = vector >= 0 && interruptible && !host.irqchip();
        StateCodec.encodeEvents(events, injectNow, sync.events());
        run.markDirty(KvmConstants.SYNC_ALL);
        interrupts.clear();
        if (vector >= 0 && !injectNow) {
            if (host.irqchip()) {
                lapic.raiseInterrupt(vector);
            } else {
                interrupts.queue(vector);
            }
        }
        msrs.write(state.msrs());
        fpu.write(state.fxsave() == null ? StateCodec.resetFxsave() : state.fxsave());
        if (host.irqchip()) {
            mp.set(events.halted() ? KvmConstants.MP_STATE_HALTED : KvmConstants.MP_STATE_RUNNABLE);
            // so that redirecting it (setRegisters) ends the halt
            states.settle(events.halted() ? VcpuRunState.MAYBE_HALTED : VcpuRunState.STOPPED);
        } else {
            // an interrupt ends a halt
            states.settle(events.halted() && vector < 0 ? VcpuRunState.HALTED : VcpuRunState.STOPPED);
        }
    }
}
