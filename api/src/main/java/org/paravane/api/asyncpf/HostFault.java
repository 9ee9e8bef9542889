package org.paravane.api.asyncpf;

/**
 * A guest access that found its page absent on the host, stopped before any side effect (the instruction is
 * restarted once the decision is carried out). Handled by the vCPU's {@link HostAsyncPf}.
 *
 * @param vcpu         the faulting vCPU
 * @param guestAddress the guest-physical address accessed
 * @param rip          the faulting instruction
 * @param write        the access was a write
 * @param fetch        the access was an instruction fetch
 */
public record HostFault(int vcpu, long guestAddress, long rip, boolean write, boolean fetch) {
}
