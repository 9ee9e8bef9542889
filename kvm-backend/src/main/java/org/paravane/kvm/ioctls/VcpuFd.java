package org.paravane.kvm.ioctls;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.FileIo;
import org.paravane.support.linux.Ioctl;
import org.paravane.support.linux.NativeException;

/**
 * A vCPU file descriptor and its kvm_run area: thin typed wrappers over the vCPU ioctls, in the manner of rust-vmm's
 * kvm-ioctls. One error style: a failed ioctl throws {@link NativeException}, which names the call and carries the
 * errno. The one outcome that is not an error is KVM_RUN stopped by a signal or {@code immediate_exit}
 * ({@link RunResult#INTERRUPTED}).
 */
public final class VcpuFd implements AutoCloseable {
    /** How KVM_RUN returned when it did not fail. */
    public enum RunResult {
        /** The guest exited: {@link KvmRun#exitReason()} says why. */
        EXITED,
        /** EINTR: a signal or {@code immediate_exit} stopped KVM_RUN before or during the guest's run. */
        INTERRUPTED
    }

    private final int id;
    private final int fd;
    private final KvmRun run;
    /** KVM_RUN's own errno capture: the run loop's hot path needs no thread-local lookup. */
    private final MemorySegment runErrno;
    /** Small arguments (an MP state, an interrupt vector): one caller at a time, like every vCPU ioctl but KVM_RUN's kick. */
    private final MemorySegment scalar;
    private boolean closed;

    VcpuFd(int id, int fd, KvmRun run, Arena arena) {
        this.id = id;
        this.fd = fd;
        this.run = run;
        this.runErrno = arena.allocate(Linker.Option.captureStateLayout());
        this.scalar = arena.allocate(8, 8);
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
     * KVM_RUN: enters the guest until an exit. Never call it critically: it blocks for as long as the guest runs.
     *
     * @throws NativeException when KVM_RUN fails (any errno but EINTR)
     */
    public RunResult run() {
        int r = Ioctl.raw(runErrno, fd, KvmIoctls.KVM_RUN, 0L);
        if (r == -Errno.EINTR) {
            return RunResult.INTERRUPTED;
        }
        if (r < 0) {
            throw new NativeException("KVM_RUN", -r);
        }
        return RunResult.EXITED;
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

    /** KVM_GET_XSAVE (hosts without XSAVE support refuse it: the caller falls back to the FPU ioctls). */
    public void getXsave(MemorySegment xsave) {
        Ioctl.call("KVM_GET_XSAVE", fd, KvmIoctls.KVM_GET_XSAVE, xsave);
    }

    public void setXsave(MemorySegment xsave) {
        Ioctl.call("KVM_SET_XSAVE", fd, KvmIoctls.KVM_SET_XSAVE, xsave);
    }

    /** KVM_INTERRUPT: queues external interrupt {@code vector} (userspace irqchip, guest ready for injection). */
    public void interrupt(int vector) {
        scalar.set(JAVA_INT, 0, vector);
        Ioctl.call("KVM_INTERRUPT", fd, KvmIoctls.KVM_INTERRUPT, scalar.asSlice(0, 4));
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

    /** KVM_GET_MP_STATE: one of {@code KvmConstants.MP_STATE_*}. */
    public int getMpState() {
        Ioctl.call("KVM_GET_MP_STATE", fd, KvmIoctls.KVM_GET_MP_STATE, scalar.asSlice(0, KvmLayouts.KVM_MP_STATE.byteSize()));
        return scalar.get(JAVA_INT, 0);
    }

    /** KVM_SET_MP_STATE to one of {@code KvmConstants.MP_STATE_*}. */
    public void setMpState(int state) {
        scalar.set(JAVA_INT, 0, state);
        Ioctl.call("KVM_SET_MP_STATE", fd, KvmIoctls.KVM_SET_MP_STATE, scalar.asSlice(0, KvmLayouts.KVM_MP_STATE.byteSize()));
    }

    public void setGuestDebug(MemorySegment debug) {
        Ioctl.call("KVM_SET_GUEST_DEBUG", fd, KvmIoctls.KVM_SET_GUEST_DEBUG, debug);
    }

    /**
     * KVM_SET_SIGNAL_MASK: the signal mask of the calling thread while it is inside KVM_RUN, given as the kernel's
     * 64-bit sigset.
     */
    public void setSignalMask(long kernelSigset) {
        try (Arena arena = Arena.ofConfined()) {
            // struct kvm_signal_mask { u32 len; u8 sigset[]; }: the kernel's 64-bit sigset follows len at offset 4
            MemorySegment mask = arena.allocate(KvmLayouts.KVM_SIGNAL_MASK.byteSize() + 8, 8);
            mask.set(JAVA_INT, 0, 8);
            mask.set(JAVA_LONG_UNALIGNED, KvmLayouts.KVM_SIGNAL_MASK.byteSize(), kernelSigset);
            Ioctl.call("KVM_SET_SIGNAL_MASK", fd, KvmIoctls.KVM_SET_SIGNAL_MASK, mask);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            FileIo.close(fd);
        }
    }
}
