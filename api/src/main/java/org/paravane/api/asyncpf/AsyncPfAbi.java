package org.paravane.api.asyncpf;

/**
 * The guest/host ABI of KVM's paravirtual async page faults (arch/x86/include/uapi/asm/kvm_para.h,
 * Documentation/virt/kvm/x86/msr.rst), which every Paravane backend presents to the guest the same way.
 *
 * <p>"Page not present": the host writes {@link #FLAG_PAGE_NOT_PRESENT} to the vCPU's area at {@link #AREA_FLAGS}
 * and injects #PF with error code 0 and CR2 = token. "Page ready": when the area's token slot is 0, the host writes
 * the token at {@link #AREA_TOKEN} and injects the vector of {@code MSR_KVM_ASYNC_PF_INT}; the guest wakes the
 * token, writes 0 to the slot and writes 1 to {@code MSR_KVM_ASYNC_PF_ACK}. Only then may the next one come.
 */
public final class AsyncPfAbi {
    private AsyncPfAbi() {
    }

    public static final int MSR_ASYNC_PF_EN = 0x4b564d02;
    public static final int MSR_ASYNC_PF_INT = 0x4b564d06;
    public static final int MSR_ASYNC_PF_ACK = 0x4b564d07;

    /** {@code MSR_KVM_ASYNC_PF_EN} bit 0: async PF on. */
    public static final long EN_ENABLED = 1L;
    /** Bit 1: deliver also when the guest is at CPL0 (the V0/V1 guest sets it under CONFIG_PREEMPTION). */
    public static final long EN_SEND_ALWAYS = 1L << 1;
    /** Bit 2: deliver as a #PF VM exit to a nested hypervisor. */
    public static final long EN_DELIVERY_AS_PF_VMEXIT = 1L << 2;
    /** Bit 3: "page ready" as an interrupt; without it async PF stays off (v5.8+ hosts). */
    public static final long EN_DELIVERY_AS_INT = 1L << 3;
    /** Bits 5:4 are reserved: writing them raises #GP. */
    public static final long EN_RESERVED = 0x30L;
    /** Bits 63:6: the guest-physical address of the 64-byte aligned area. */
    public static final long EN_AREA_MASK = ~0x3FL;

    /** Offset of the u32 reason flags in the area; the guest reads and clears it first thing in its #PF handler. */
    public static final int AREA_FLAGS = 0;
    /** Offset of the u32 "page ready" token slot; 0 means free. */
    public static final int AREA_TOKEN = 4;
    public static final int AREA_SIZE = 64;

    /** Reason flag: the #PF is an async "page not present", CR2 holds the token. */
    public static final int FLAG_PAGE_NOT_PRESENT = 1;

    /** Token of "page ready" that means: wake every waiter recorded on this vCPU. */
    public static final int WAKE_ALL_TOKEN = 0xFFFFFFFF;

    /** Outstanding async faults per vCPU ({@code ASYNC_PF_PER_VCPU}); beyond it faults are synchronous. */
    public static final int PER_VCPU_LIMIT = 64;

    /** Bits of a token that carry the vCPU id: token = (id << 12) | vcpuId. */
    public static final int TOKEN_VCPU_BITS = 12;

    /** Vector Paravane guests program into {@code MSR_KVM_ASYNC_PF_INT}. */
    public static final int DEFAULT_READY_VECTOR = 0xEC;

    /** The #PF vector. */
    public static final int PAGE_FAULT_VECTOR = 14;

    /** Token as an unsigned hex string for messages. */
    public static String tokenString(int token) {
        return "0x" + Integer.toHexString(token);
    }
}
