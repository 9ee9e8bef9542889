package org.paravane.kvm.vstate.vcpu;

import org.paravane.support.memory.PagedGuestMemory;

/** What a vCPU needs from its VM. */
public interface VcpuHost {

    String name();

    PagedGuestMemory memory();

    /** The VM has the in-kernel irqchip (LAPIC): KVM handles HLT and delivers interrupts itself. */
    boolean irqchip();

    /**
     * Async page faults are available on this host but this VM has no memory that can be absent, so it has no irqchip:
     * the async-PF MSRs are kept by the backend (the guest may enable them; no event ever comes).
     */
    boolean asyncPfMsrsOnly();

    /**
     * KVM completes a port-I/O {@code out} before the exit, leaving RIP after it (PVM emulates the guest code that
     * does port I/O); on VMX/SVM the fast path leaves RIP at the {@code out} until the next KVM_RUN.
     */
    boolean outAdvancesRip();

    /** The signal that kicks vCPU threads out of KVM_RUN (blocked outside it). */
    int kickSignal();

    /** Whether KVM can save and restore this MSR (KVM_GET_MSR_INDEX_LIST). */
    boolean msrSupported(int index);

    /** Whether KVM_GET_XSAVE/KVM_SET_XSAVE work here (otherwise the FPU ioctls carry the FXSAVE area). */
    boolean xsave();

    /** Throws {@link org.paravane.api.backend.BackendException} with reason CLOSED when the VM is closed. */
    void checkOpen();

    /** The VM as the API sees it. */
    org.paravane.api.backend.VirtualMachine vm();

    /** Whether {@code vcpu}'s own thread is blocked in a fault for a page that has not arrived yet. */
    boolean awaitsPage(KvmVcpu vcpu);

    /** Called after the guest wrote MSR_KVM_ASYNC_PF_ACK; does the EOI a host without auto-EOI needs. */
    void asyncPfAcknowledged(KvmVcpu vcpu);
}
