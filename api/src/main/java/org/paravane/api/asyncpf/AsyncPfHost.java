package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The host-side async page fault engine ({@code virt/kvm/async_pf.c} and the x86 parts around it) as a service:
 * attaches the per-vCPU state to vCPUs of backends that do not get async page faults from the kernel.
 */
@ProviderType
public interface AsyncPfHost {

    /** Host-side state for one vCPU; closed by the backend when the vCPU goes away. */
    HostAsyncPf attach(HostVcpuPort vcpu);
}
