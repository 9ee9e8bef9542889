package org.paravane.kvm.ioctls;

import static org.paravane.support.linux.Ioctl.io;
import static org.paravane.support.linux.Ioctl.ior;
import static org.paravane.support.linux.Ioctl.iow;
import static org.paravane.support.linux.Ioctl.iowr;

/** KVM ioctl request numbers, built from the structure sizes like the kernel's {@code _IO*} macros. */
public final class KvmIoctls {
    private KvmIoctls() {
    }

    private static final int KVMIO = 0xAE;

    // system (/dev/kvm)
    public static final long KVM_GET_API_VERSION = io(KVMIO, 0x00);
    public static final long KVM_CREATE_VM = io(KVMIO, 0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr(KVMIO, 0x02, KvmLayouts.KVM_MSR_LIST.byteSize());
    public static final long KVM_CHECK_EXTENSION = io(KVMIO, 0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(KVMIO, 0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(KVMIO, 0x05, KvmLayouts.KVM_CPUID2.byteSize());

    // VM
    public static final long KVM_CREATE_VCPU = io(KVMIO, 0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = iow(KVMIO, 0x46, KvmLayouts.KVM_USERSPACE_MEMORY_REGION.byteSize());
    public static final long KVM_CREATE_IRQCHIP = io(KVMIO, 0x60);
    public static final long KVM_ENABLE_CAP = iow(KVMIO, 0xa3, KvmLayouts.KVM_ENABLE_CAP.byteSize());

    // vCPU
    public static final long KVM_RUN = io(KVMIO, 0x80);
    public static final long KVM_GET_REGS = ior(KVMIO, 0x81, KvmLayouts.KVM_REGS.byteSize());
    public static final long KVM_SET_REGS = iow(KVMIO, 0x82, KvmLayouts.KVM_REGS.byteSize());
    public static final long KVM_GET_SREGS = ior(KVMIO, 0x83, KvmLayouts.KVM_SREGS.byteSize());
    public static final long KVM_SET_SREGS = iow(KVMIO, 0x84, KvmLayouts.KVM_SREGS.byteSize());
    public static final long KVM_INTERRUPT = iow(KVMIO, 0x86, KvmLayouts.KVM_INTERRUPT.byteSize());
    public static final long KVM_GET_MSRS = iowr(KVMIO, 0x88, KvmLayouts.KVM_MSRS.byteSize());
    public static final long KVM_SET_MSRS = iow(KVMIO, 0x89, KvmLayouts.KVM_MSRS.byteSize());
    public static final long KVM_SET_SIGNAL_MASK = iow(KVMIO, 0x8b, KvmLayouts.KVM_SIGNAL_MASK.byteSize());
    public static final long KVM_GET_FPU = ior(KVMIO, 0x8c, KvmLayouts.KVM_FPU.byteSize());
    public static final long KVM_SET_FPU = iow(KVMIO, 0x8d, KvmLayouts.KVM_FPU.byteSize());
    public static final long KVM_GET_LAPIC = ior(KVMIO, 0x8e, KvmLayouts.KVM_LAPIC_STATE.byteSize());
    public static final long KVM_SET_LAPIC = iow(KVMIO, 0x8f, KvmLayouts.KVM_LAPIC_STATE.byteSize());
    public static final long KVM_SET_CPUID2 = iow(KVMIO, 0x90, KvmLayouts.KVM_CPUID2.byteSize());
    public static final long KVM_GET_MP_STATE = ior(KVMIO, 0x98, KvmLayouts.KVM_MP_STATE.byteSize());
    public static final long KVM_SET_MP_STATE = iow(KVMIO, 0x99, KvmLayouts.KVM_MP_STATE.byteSize());
    public static final long KVM_SET_GUEST_DEBUG = iow(KVMIO, 0x9b, KvmLayouts.KVM_GUEST_DEBUG.byteSize());
    public static final long KVM_GET_VCPU_EVENTS = ior(KVMIO, 0x9f, KvmLayouts.KVM_VCPU_EVENTS.byteSize());
    public static final long KVM_SET_VCPU_EVENTS = iow(KVMIO, 0xa0, KvmLayouts.KVM_VCPU_EVENTS.byteSize());
    public static final long KVM_GET_XSAVE = ior(KVMIO, 0xa4, KvmLayouts.KVM_XSAVE.byteSize());
    public static final long KVM_SET_XSAVE = iow(KVMIO, 0xa5, KvmLayouts.KVM_XSAVE.byteSize());
}
