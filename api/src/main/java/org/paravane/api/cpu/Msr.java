package org.paravane.api.cpu;

/**
 * The model-specific registers a 64-bit guest kernel uses and that every backend carries across a move.
 * EFER, FS_BASE and GS_BASE live in {@link ControlRegisters} and {@link Segment}; the APIC base in ControlRegisters.
 */
public enum Msr {
    TSC(0x10),
    SYSENTER_CS(0x174),
    SYSENTER_ESP(0x175),
    SYSENTER_EIP(0x176),
    PAT(0x277),
    STAR(0xC0000081),
    LSTAR(0xC0000082),
    CSTAR(0xC0000083),
    SFMASK(0xC0000084),
    KERNEL_GS_BASE(0xC0000102),
    TSC_AUX(0xC0000103),
    /** {@code MSR_KVM_ASYNC_PF_EN}: guest-physical address of the async-PF area plus enable bits. */
    KVM_ASYNC_PF_EN(0x4b564d02),
    /** {@code MSR_KVM_ASYNC_PF_INT}: the vector that delivers "page ready". */
    KVM_ASYNC_PF_INT(0x4b564d06);

    private final int index;

    Msr(int index) {
        this.index = index;
    }

    /** The architectural MSR number (the ECX of RDMSR/WRMSR). */
    public int index() {
        return index;
    }

    /** The MSR with this number, or null if it is not one every backend carries. */
    public static Msr of(int index) {
        for (Msr m : values()) {
            if (m.index == index) {
                return m;
            }
        }
        return null;
    }
}
