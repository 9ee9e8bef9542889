package org.paravane.kvm.ioctls;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.FileIo;
import org.paravane.support.linux.Ioctl;
import org.paravane.support.linux.NativeException;

/** The KVM system file descriptor ({@code /dev/kvm}): capabilities, supported CPUID and MSRs, VM creation. */
public final class Kvm implements AutoCloseable {
    public static final String DEVICE = "/dev/kvm";

    private final int fd;
    private boolean closed;

    private Kvm(int fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code /dev/kvm}.
     *
     * @throws NativeException with ENOENT (no KVM), EACCES/EPERM (no permission) and so on
     */
    public static Kvm open() {
        return new Kvm(FileIo.open(DEVICE, FileIo.O_RDWR | FileIo.O_CLOEXEC));
    }

    public int fd() {
        return fd;
    }

    public int apiVersion() {
        return Ioctl.call("KVM_GET_API_VERSION", fd, KvmIoctls.KVM_GET_API_VERSION, 0L);
    }

    /** KVM_CHECK_EXTENSION on the system fd: 0 when absent, otherwise a capability-specific value. */
    public int checkExtension(int capability) {
        return Ioctl.call("KVM_CHECK_EXTENSION(" + KvmConstants.capabilityName(capability) + ")", fd,
                KvmIoctls.KVM_CHECK_EXTENSION, capability);
    }

    /** Bytes to mmap from a vCPU fd: the kvm_run page, the PIO data page and the coalesced-MMIO ring. */
    public int vcpuMmapSize() {
        return Ioctl.call("KVM_GET_VCPU_MMAP_SIZE", fd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0L);
    }

    /** KVM_GET_SUPPORTED_CPUID: every leaf KVM can expose, as a {@code struct kvm_cpuid2} owned by {@code arena}. */
    public MemorySegment supportedCpuid(Arena arena) {
        for (int capacity = 64; ; capacity *= 2) {
            MemorySegment cpuid = arena.allocate(KvmLayouts.KVM_CPUID2.byteSize() + capacity * KvmLayouts.KVM_CPUID_ENTRY2.byteSize(), 8);
            cpuid.set(JAVA_INT, 0, capacity);
            int r = Ioctl.raw(org.paravane.support.linux.Native.errnoSegment(), fd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, cpuid);
            if (r == -Errno.E2BIG && capacity < 4096) {
                continue;
            }
            if (r < 0) {
                throw new NativeException("KVM_GET_SUPPORTED_CPUID", -r);
            }
            return cpuid;
        }
    }

    /** KVM_GET_MSR_INDEX_LIST: the MSRs KVM saves and restores (hardware and emulated ones). */
    public int[] msrIndexList() {
        try (Arena arena = Arena.ofConfined()) {
            for (int capacity = 256; ; capacity *= 2) {
                MemorySegment list = arena.allocate(4L + 4L * capacity, 4);
                list.set(JAVA_INT, 0, capacity);
                int r = Ioctl.raw(org.paravane.support.linux.Native.errnoSegment(), fd, KvmIoctls.KVM_GET_MSR_INDEX_LIST, list);
                if (r == -Errno.E2BIG && capacity < 65536) {
                    continue;
                }
                if (r < 0) {
                    throw new NativeException("KVM_GET_MSR_INDEX_LIST", -r);
                }
                int n = list.get(JAVA_INT, 0);
                int[] out = new int[n];
                for (int i = 0; i < n; i++) {
                    out[i] = list.get(JAVA_INT, 4L + 4L * i);
                }
                return out;
            }
        }
    }

    /** KVM_CREATE_VM with the default machine type. */
    public VmFd createVm() {
        int vm = Ioctl.call("KVM_CREATE_VM", fd, KvmIoctls.KVM_CREATE_VM, 0L);
        return new VmFd(vm);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            FileIo.close(fd);
        }
    }
}
