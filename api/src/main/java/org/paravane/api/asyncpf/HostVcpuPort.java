package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ConsumerType;
import org.paravane.api.memory.GuestMemory;

/**
 * What the host-side async-PF engine needs from one vCPU of the backend that hosts it. Implemented by the backend;
 * the engine calls it on the vCPU thread, except {@link #kick()}, which any thread may call.
 */
@ConsumerType
public interface HostVcpuPort {

    int vcpuId();

    /** The VM's guest memory: presence checks, the async-PF area, installing fetched pages. */
    GuestMemory memory();

    /** Current privilege level of the guest. */
    int cpl();

    /** The guest would take an external interrupt now: RFLAGS.IF = 1, no interrupt shadow ({@code kvm_arch_interrupt_allowed}). */
    boolean interruptsAllowed();

    /** An exception is pending or being injected: no async PF may be delivered on top of it. */
    boolean exceptionPending();

    /** CR0.PG: a real-mode IDT has no #PF handler, so nothing is delivered while paging is off. */
    boolean pagingEnabled();

    /** Queues #PF with {@code errorCode} and CR2 = {@code cr2} for delivery through the guest's IDT at the next entry. */
    void injectPageFault(long cr2, int errorCode);

    /** Queues external interrupt {@code vector}, delivered when the guest allows interrupts. */
    void injectInterrupt(int vector);

    /** Makes the vCPU notice new work: ends a halt or makes the next entry check for completions. Any thread. */
    void kick();
}
