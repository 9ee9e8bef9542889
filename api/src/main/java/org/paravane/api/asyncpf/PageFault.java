package org.paravane.api.asyncpf;

/** A fault handed to a {@link PageFaultHandler}: seen by the guest kernel, or by the host on an absent page. */
public sealed interface PageFault permits GuestFault, HostFault {

    /** The vCPU the fault happened on. */
    int vcpu();
}
