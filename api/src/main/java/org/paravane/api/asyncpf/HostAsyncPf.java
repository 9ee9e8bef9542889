package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The host side of async page faults for one vCPU ({@code vcpu->async_pf} and {@code vcpu->arch.apf}), for backends
 * that do not get it from the kernel. Created by {@link AsyncPfHost#attach}; every method but {@link #close()}
 * and {@link #stats()} runs on the vCPU's thread.
 *
 * <p>{@link #handle} takes a {@link HostFault}: with async PF enabled by the guest, interrupts allowed and
 * (CPL 3 or send-always) it issues a token {@code (id++ << 12) | vcpu} (never 0 nor 0xFFFFFFFF), starts the fetch on
 * a bounded executor and injects "page not present"; a second fault on a page in flight halts the vCPU instead; beyond
 * 64 outstanding, or when it cannot deliver, the vCPU thread waits itself with the schedule wait.
 */
@ProviderType
public interface HostAsyncPf extends AutoCloseable {

    /**
     * A guest access found its page absent on the host; runs on the vCPU thread, which may wait here.
     *
     * @throws IllegalArgumentException when the fault is not this vCPU's or its address is in no memory region
     */
    HostFaultResult handle(HostFault fault);

    /** The guest enabled async PF: {@code MSR_KVM_ASYNC_PF_EN} has ENABLED and DELIVERY_AS_INT. */
    boolean isEnabled();

    /**
     * The guest wrote one of the async-PF MSRs. Enabling (again) queues a wake-all; disabling cancels all outstanding
     * work silently (the guest copes through the wake-all of the next enable).
     *
     * @throws IllegalArgumentException when WRMSR must raise #GP (reserved bits, an unknown async-PF MSR)
     */
    void writeMsr(int index, long value);

    long readMsr(int index);

    /**
     * Called before each guest entry ({@code kvm_check_async_pf_completion}): delivers completed work while the guest
     * can take it, one "page ready" in flight at a time.
     */
    void beforeEntry();

    /** Completed work is waiting for delivery: a halted vCPU has an event. */
    boolean hasCompletions();

    /** vCPU reset: cancels all work, zeroes the MSRs. */
    void reset();

    /**
     * The vCPU leaves this engine (destroyed, or the engine is going away): cancels all work and releases every host
     * waiter. Idempotent; any thread. It does not tell the guest: tokens it injected are never completed, so a backend
     * whose guest still has async PF enabled delivers the wake-all itself (as Linux's guarantee on disable), and from
     * then on serves faults synchronously.
     */
    @Override
    void close();

    Stats stats();

    /**
     * Counters since attach.
     *
     * @param asyncFaults     faults turned into "page not present" for the guest
     * @param syncFaults      faults the vCPU thread waited for itself (not deliverable, or over the limit)
     * @param repeatedFaults  faults on a page already in flight (the vCPU halted)
     * @param pagesReady      "page ready" events delivered (wake-alls included)
     * @param wakeAlls        wake-all events delivered
     * @param cancelled       work dropped by disable, reset or close
     * @param fetchErrors     fetches the page source failed
     * @param outstanding     work now queued or completed but undelivered
     */
    record Stats(long asyncFaults, long syncFaults, long repeatedFaults, long pagesReady, long wakeAlls,
                 long cancelled, long fetchErrors, int outstanding) {
    }
}
