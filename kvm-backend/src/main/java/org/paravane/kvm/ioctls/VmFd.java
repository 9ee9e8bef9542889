package org.paravane.kvm.ioctls;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.paravane.support.linux.FileIo;
import org.paravane.support.linux.Ioctl;
import org.paravane.support.linux.Memory;

/** A VM file descriptor: memory slots, the in-kernel irqchip, VM capabilities, vCPU creation. */
public final class VmFd implements AutoCloseable {
    private final int fd;
    private boolean closed;

    VmFd(int fd) {
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    /** KVM_CHECK_EXTENSION on the VM (some answers depend on the VM). */
    public int checkExtension(int capability) {
        return Ioctl.call("KVM_CHECK_EXTENSION(" + KvmConstants.capabilityName(capability) + ")", fd,
                KvmIoctls.KVM_CHECK_EXTENSION, capability);
    }

    /** KVM_SET_USER_MEMORY_REGION: guest-physical {@code [guestAddress, +size)} is the host memory at {@code host}. */
    public void setUserMemoryRegion(int slot, int flags, long guestAddress, long size, long hostAddress) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(KvmLayouts.KVM_USERSPACE_MEMORY_REGION);
            r.set(JAVA_INT, 0, slot);
            r.set(JAVA_INT, 4, flags);
            r.set(JAVA_LONG, 8, guestAddress);
            r.set(JAVA_LONG, 16, size);
            r.set(JAVA_LONG, 24, hostAddress);
            Ioctl.call("KVM_SET_USER_MEMORY_REGION(slot " + slot + ", gpa 0x" + Long.toHexString(guestAddress) + ", "
                    + size + " bytes)", fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, r);
        }
    }

    /** KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and LAPICs; must precede the vCPUs. */
    public void createIrqchip() {
        Ioctl.call("KVM_CREATE_IRQCHIP", fd, KvmIoctls.KVM_CREATE_IRQCHIP, 0L);
    }

    /** KVM_ENABLE_CAP on the VM. */
    public void enableCap(int capability, long... args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(KvmLayouts.KVM_ENABLE_CAP);
            c.set(JAVA_INT, 0, capability);
            for (int i = 0; i < args.length; i++) {
                c.set(JAVA_LONG, 8 + 8L * i, args[i]);
            }
            Ioctl.call("KVM_ENABLE_CAP(" + KvmConstants.capabilityName(capability) + ")", fd, KvmIoctls.KVM_ENABLE_CAP, c);
        }
    }

    /**
     * KVM_CREATE_VCPU and the mmap of its kvm_run area ({@code mmapSize} bytes), tied to {@code arena}: closing the
     * arena unmaps it, and any later access fails instead of touching unmapped memory.
     */
    public VcpuFd createVcpu(int id, int mmapSize, Arena arena) {
        int vcpu = Ioctl.call("KVM_CREATE_VCPU(" + id + ")", fd, KvmIoctls.KVM_CREATE_VCPU, id);
        MemorySegment mapping;
        try {
            mapping = Memory.mmap(mmapSize, Memory.PROT_READ | Memory.PROT_WRITE, Memory.MAP_SHARED, vcpu, 0);
        } catch (RuntimeException e) {
            FileIo.close(vcpu);
            throw e;
        }
        MemorySegment run = Memory.owned(mapping, arena);
        return new VcpuFd(id, vcpu, new KvmRun(run), arena);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            FileIo.close(fd);
        }
    }
}
