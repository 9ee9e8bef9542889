package org.paravane.kvm.vstate.vcpu;

import org.paravane.kvm.ioctls.VcpuFd;

/** A vCPU's MP state (KVM_GET/SET_MP_STATE), with the value known to be current since the guest last ran. */
final class MpState {
    private final VcpuFd fd;
    /** Read or written since the guest last ran, or -1. */
    private int known = -1;

    MpState(VcpuFd fd) {
        this.fd = fd;
    }

    void forget() {
        known = -1;
    }

    /** One of {@code KvmConstants.MP_STATE_*}. */
    int get() {
        if (known >= 0) {
            return known;
        }
        known = fd.getMpState();
        return known;
    }

    /** KVM_SET_MP_STATE, skipped when the vCPU is known to be in {@code state} already. */
    void set(int state) {
        if (known == state) {
            return;
        }
        fd.setMpState(state);
        known = state;
    }
}
