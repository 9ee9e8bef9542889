package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The guest side of async page faults as a service: the guest kernel hands it each #PF it took while async PF was
 * enabled, and each "page ready" interrupt. Runs on the faulting vCPU's thread.
 *
 * <p>For a #PF the guest kernel has already read and cleared the reason ({@link GuestFault#reason()}); a reason of 0
 * is an ordinary fault ({@link GuestFaultResult.NotAsync}). An async "page not present" goes through the decision
 * table (user mode and preemptible kernel code schedule; non-preemptible or RCU-protected code, the idle task, and
 * any kernel code of a non-preemptible kernel halt; interrupts disabled is a panic). A "page ready" wakes the token,
 * frees the slot and acknowledges. The host side is not a {@code PageFaultHandler}: it is {@link HostAsyncPf}.
 */
@ProviderType
public interface PageFaultHandler {

    GuestFaultResult handle(GuestFault fault);
}
