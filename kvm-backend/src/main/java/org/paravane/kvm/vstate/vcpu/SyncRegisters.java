package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmLayouts;
import org.paravane.kvm.ioctls.KvmRun;
import org.paravane.kvm.ioctls.VcpuFd;

/**
 * The sync-regs area of kvm_run ({@code kvm_valid_regs} = REGS|SREGS|EVENTS): KVM fills it at every exit and takes
 * what is marked dirty at the next entry, so registers move without an ioctl. After creation or a failed run it does
 * not hold the vCPU's registers until {@link #ensure} reads them.
 */
final class SyncRegisters {
    private final int id;
    private final VcpuFd fd;
    private final KvmRun run;
    private final MemorySegment regsBuf, sregsBuf, eventsBuf;
    /** The area holds the vCPU's registers (or writes waiting for the next entry). */
    private boolean valid;

    SyncRegisters(VcpuFd fd, Arena arena) {
        this.id = fd.id();
        this.fd = fd;
        this.run = fd.kvmRun();
        this.regsBuf = arena.allocate(KvmLayouts.KVM_REGS);
        this.sregsBuf = arena.allocate(KvmLayouts.KVM_SREGS);
        this.eventsBuf = arena.allocate(KvmLayouts.KVM_VCPU_EVENTS);
        run.validRegs(KvmConstants.SYNC_ALL);
    }

    boolean valid() {
        return valid;
    }

    /** After a KVM_RUN: whether it returned with the area filled (an exit or EINTR; not a failure). */
    void setValid(boolean valid) {
        this.valid = valid;
    }

    MemorySegment regs() {
        return run.syncRegs();
    }

    MemorySegment sregs() {
        return run.syncSregs();
    }

    MemorySegment events() {
        return run.syncEvents();
    }

    long rip() {
        return run.syncRegs().get(JAVA_LONG, StateCodec.RIP);
    }

    long rflags() {
        return run.syncRegs().get(JAVA_LONG, StateCodec.RFLAGS);
    }

    /** Makes the area hold the vCPU's registers, reading only what the caller has not written there. */
    void ensure() {
        if (valid) {
            return;
        }
        long dirty = run.dirtyRegs();
        if ((dirty & KvmConstants.SYNC_REGS) == 0) {
            fd.getRegs(regsBuf);
            run.syncRegs().copyFrom(regsBuf);
        }
        if ((dirty & KvmConstants.SYNC_SREGS) == 0) {
            fd.getSregs(sregsBuf);
            run.syncSregs().copyFrom(sregsBuf);
        }
        if ((dirty & KvmConstants.SYNC_EVENTS) == 0) {
            fd.getEvents(eventsBuf);
            run.syncEvents().copyFrom(eventsBuf);
        }
        valid = true;
    }

    /**
     * The CR2 a pending page fault will be delivered with. KVM fills the sync area with registers, sregs, then events,
     * and reading the events delivers the pending fault's payload into CR2 after the sregs were stored: the CR2 there
     * is stale, so ask KVM again. Not when the area holds sregs or events written here that KVM has not taken yet:
     * those are newer than KVM's own copy (and carry the address already).
     */
    long pendingPageFaultAddress() {
        MemorySegment sregs = run.syncSregs();
        if ((run.dirtyRegs() & (KvmConstants.SYNC_SREGS | KvmConstants.SYNC_EVENTS)) == 0) {
            fd.getSregs(sregs);
        }
        return StateCodec.cr2(sregs);
    }

    /** Registers and the mode-defining state from the area, for error details. */
    String summary() {
        MemorySegment s = run.syncSregs();
        ControlRegisters c = StateCodec.decodeControl(s);
        return "vCPU " + id + " state: " + StateCodec.decodeRegs(run.syncRegs()) + " cs=" + Integer.toHexString(
                StateCodec.decodeSegment(s, 0).selector()) + " cpl=" + StateCodec.decodeSegment(s, 0).dpl()
                + " cr0=" + Long.toHexString(c.cr0()) + " cr2=" + Long.toHexString(c.cr2()) + " cr3=" + Long.toHexString(c.cr3())
                + " cr4=" + Long.toHexString(c.cr4()) + " efer=" + Long.toHexString(c.efer());
    }

    /** {@link #summary}, reading the registers first where the area does not hold them; never throws. */
    String forDetail() {
        try {
            if (!valid) {
                fd.getRegs(regsBuf);
                fd.getSregs(sregsBuf);
                run.syncRegs().copyFrom(regsBuf);
                run.syncSregs().copyFrom(sregsBuf);
            }
            return summary();
        } catch (RuntimeException e) {
            return "vCPU " + id + " state unavailable: " + e.getMessage();
        }
    }
}
