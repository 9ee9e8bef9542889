package org.paravane.kvm.vstate.vcpu;

import org.paravane.api.asyncpf.AsyncPfAbi;

/**
 * The async-PF MSRs of a VM that keeps them in the backend ({@link VcpuHost#asyncPfMsrsOnly()}: async page faults
 * exist on the host, but nothing in this VM can be absent, so it has no irqchip). Writes get KVM's checks; no event
 * ever comes.
 */
final class KeptAsyncPfMsrs {
    private final String where;
    private long enable, vector;

    KeptAsyncPfMsrs(String where) {
        this.where = where;
    }

    static boolean isAsyncPfMsr(int index) {
        return index == AsyncPfAbi.MSR_ASYNC_PF_EN || index == AsyncPfAbi.MSR_ASYNC_PF_INT || index == AsyncPfAbi.MSR_ASYNC_PF_ACK;
    }

    /** MSR_KVM_ASYNC_PF_EN as written. */
    long enable() {
        return enable;
    }

    /** MSR_KVM_ASYNC_PF_INT as written. */
    long vector() {
        return vector;
    }

    /** RDMSR of an async-PF MSR (the ACK reads 0). */
    long read(int index) {
        return index == AsyncPfAbi.MSR_ASYNC_PF_EN ? enable : index == AsyncPfAbi.MSR_ASYNC_PF_INT ? vector : 0;
    }

    /**
     * WRMSR of an async-PF MSR, with KVM's checks.
     *
     * @throws IllegalArgumentException where the WRMSR would raise #GP (reserved bits)
     */
    void write(int index, long value) {
        switch (index) {
            case AsyncPfAbi.MSR_ASYNC_PF_EN -> {
                if ((value & AsyncPfAbi.EN_RESERVED) != 0) {
                    throw new IllegalArgumentException(where + ": WRMSR MSR_KVM_ASYNC_PF_EN <- 0x" + Long.toHexString(value)
                            + " sets reserved bits 5:4 and raises #GP");
                }
                enable = value;
            }
            case AsyncPfAbi.MSR_ASYNC_PF_INT -> {
                if ((value & ~0xFFL) != 0) {
                    throw new IllegalArgumentException(where + ": WRMSR MSR_KVM_ASYNC_PF_INT <- 0x" + Long.toHexString(value)
                            + " sets reserved bits 63:8 and raises #GP");
                }
                vector = value;
            }
            default -> {
                // MSR_KVM_ASYNC_PF_ACK: no "page ready" is ever in flight here
            }
        }
    }
}
