package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Takes a fault with its context and decides: ordinary fault, async (a token and a wait), or a synchronous wait,
 * and carries the decision out. Runs on the faulting vCPU's thread.
 *
 * <p>The guest-side handler is a service with {@link #SIDE} = {@code guest}: it reads and clears the async-PF reason,
 * applies the decision table (user mode and preemptible kernel code schedule; non-preemptible or RCU-protected code,
 * the idle task, and any kernel code of a non-preemptible kernel halt; interrupts disabled is a panic) and handles
 * "page ready". The host side is a {@link HostAsyncPf} per vCPU.
 */
@ProviderType
public interface PageFaultHandler {

    /** Service property: {@code guest} or {@code host}. */
    String SIDE = "fault.side";

    FaultDecision handle(PageFault fault);
}
