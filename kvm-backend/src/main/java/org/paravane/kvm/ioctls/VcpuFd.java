package org.paravane.kvm.ioctls;

import java.lang.foreign.MemorySegment;
import org.paravane.support.linux.FileIo;
import org.paravane.support.linux.Ioctl;

/** A vCPU file descriptor and its kvm_run area: thin wrappers over the vCPU ioctls. */
public final class VcpuFd implements AutoCloseable {
    private final int id;
    private final int fd;
    private final KvmRun run;
    private boolean closed;

    VcpuFd(int id, int fd, KvmRun run) {
        this.id = id;
        this.fd = fd;
        this.run = run;
    }

    public int id() {
        return id;
    }

    public int fd() {
        return fd;
    }

    public KvmRun kvmRun() {
        return run;
    }

    /**
     * KVM_RUN: enters the guest until an exit. Returns 0, or {@code -errno} (EINTR when a signal or immediate_exit
     * stopped it). Never call it critically: it blocks for as long as the guest runs.
     */
    public int run(MemorySegment errno) {
        return Ioctl.raw(errno, fd, KvmIoctls.KVM_RUN, 0L);
    }

    public void getRegs(MemorySegment regs) {
        Ioctl.call("KVM_GET_REGS", fd, KvmIoctls.KVM_GET_REGS, regs);
    }

    public void setRegs(MemorySegment regs) {
        Ioctl.call("KVM_SET_REGS", fd, KvmIoctls.KVM_SET_REGS, regs);
    }

    public void getSregs(MemorySegment sregs) {
        Ioctl.call("KVM_GET_SREGS", fd, KvmIoctls.KVM_GET_SREGS, sregs);
    }

    public void setSregs(MemorySegment sregs) {
        Ioctl.call("KVM_SET_SREGS", fd, KvmIoctls.KVM_SET_SREGS, sregs);
    }

    public void getEvents(MemorySegment events) {
        Ioctl.call("KVM_GET_VCPU_EVENTS", fd, KvmIoctls.KVM_GET_VCPU_EVENTS, events);
    }

    public void setEvents(MemorySegment events) {
        Ioctl.call("KVM_SET_VCPU_EVENTS", fd, KvmIoctls.KVM_SET_VCPU_EVENTS, events);
    }

    /** KVM_GET_MSRS on a {@code struct kvm_msrs}; returns how many entries were read (it stops at the first failure). */
    public int getMsrs(MemorySegment msrs) {
        return Ioctl.call("KVM_GET_MSRS", fd, KvmIoctls.KVM_GET_MSRS, msrs);
    }

    /** KVM_SET_MSRS; returns how many entries were written (it stops at the first one KVM refuses). */
    public int setMsrs(MemorySegment msrs) {
        return Ioctl.call("KVM_SET_MSRS", fd, KvmIoctls.KVM_SET_MSRS, msrs);
    }

    public void getFpu(MemorySegment fpu) {
        Ioctl.call("KVM_GET_FPU", fd, KvmIoctls.KVM_GET_FPU, fpu);
    }

    public void setFpu(MemorySegment fpu) {
        Ioctl.call("KVM_SET_FPU", fd, KvmIoctls.KVM_SET_FPU, fpu);
    }

    /** KVM_GET_XSAVE; returns 0 or {@code -errno} (hosts without XSAVE support refuse it). */
    public int getXsave(MemorySegment xsave) {
        return Ioctl.raw(org.paravane.support.linux.Native.errnoSegment(), fd, KvmIoctls.KVM_GET_XSAVE, xsave);
    }

    public void setXsave(MemorySegment xsave) {
        Ioctl.call("KVM_SET_XSAVE", fd, KvmIoctls.KVM_SET_XSAVE, xsave);
    }

    /** KVM_INTERRUPT: queues external interrupt {@code vector} (userspace irqchip, guest ready for injection). */
    public void interrupt(MemorySegment scratch, int vector) {
        scratch.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, vector);
        Ioctl.call("KVM_INTERRUPT", fd, KvmIoctls.KVM_INTERRUPT, scratch.asSlice(0, 4));
    }

    public void getLapic(MemorySegment lapic) {
        Ioctl.call("KVM_GET_LAPIC", fd, KvmIoctls.KVM_GET_LAPIC, lapic);
    }

    public void setLapic(MemorySegment lapic) {
        Ioctl.call("KVM_SET_LAPIC", fd, KvmIoctls.KVM_SET_LAPIC, lapic);
    }

    public void setCpuid(MemorySegment cpuid2) {
        Ioctl.call("KVM_SET_CPUID2", fd, KvmIoctls.KVM_SET_CPUID2, cpuid2);
    }

    public void getMpState(MemorySegment mpState) {
        Ioctl.call("KVM_GET_MP_STATE", fd, KvmIoctls.KVM_GET_MP_STATE, mpState);
    }

    public void setMpState(MemorySegment mpState) {
        Ioctl.call("KVM_SET_MP_STATE", fd, KvmIoctls.KVM_SET_MP_STATE, mpState);
    }

    public void setGuestDebug(MemorySegment debug) {
        Ioctl.call("KVM_SET_GUEST_DEBUG", fd, KvmIoctls.KVM_SET_GUEST_DEBUG, debug);
    }

    /** KVM_SET_SIGNAL_MASK: the signal mask of the calling thread while it is inside KVM_RUN. */
    public void setSignalMask(MemorySegment mask) {
        Ioctl.call("KVM_SET_SIGNAL_MASK", fd, KvmIoctls.KVM_SET_SIGNAL_MASK, mask);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            FileIo.close(fd);
        }
    }
}
