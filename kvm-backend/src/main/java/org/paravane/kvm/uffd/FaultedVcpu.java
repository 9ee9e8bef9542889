package org.paravane.kvm.uffd;

/** A vCPU as the fault handler sees it: the thread that faulted, and a way to fail its access. */
public interface FaultedVcpu {

    int id();

    /**
     * The page the vCPU's thread waits for cannot be had: make its {@code run()} return
     * {@link org.paravane.api.backend.VcpuExit.MemoryError} (the access does not complete). Returns false when a report
     * is pending already.
     */
    boolean memoryError(long guestAddress, String cause);

    /** The vCPU's thread waited {@code nanos} in the fault for a page that has now arrived. */
    void pageWaited(long nanos);

    /**
     * The handler no longer counts the vCPU's thread as waiting for a page (it arrived, or its fetch failed): a run
     * that waits for that outside the guest goes on.
     */
    void pageWaitEnded();
}
