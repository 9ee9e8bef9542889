package org.paravane.api.backend;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs x86-64 virtual machines: the service every backend bundle registers (KVM through FFM, the software CPU).
 *
 * <p>Service properties: {@link #NAME} (always), {@link #USABLE} and, when it is false, {@link #UNUSABLE_REASON}.
 * A backend that cannot work on this host still registers, so the shell can say why; consumers that need a working
 * one filter on {@code (backend.usable=true)}.
 */
@ProviderType
public interface VirtualizationBackend {

    /** Service property: the backend's short name, e.g. {@code kvm} or {@code emulated}. */
    String NAME = "backend.name";
    /** Service property (Boolean): whether {@link #createVm} can work on this host. */
    String USABLE = "backend.usable";
    /** Service property (String): one line saying why the backend is not usable. */
    String UNUSABLE_REASON = "backend.unusable.reason";

    String name();

    BackendCapabilities capabilities();

    /**
     * Creates a VM with its memory and vCPUs, ready to {@link Vcpu#run()} once state is set.
     *
     * @throws BackendException naming the cause ({@link BackendException.Reason#UNAVAILABLE} when the host cannot run
     *                          this backend, {@link BackendException.Reason#INVALID_REQUEST} for a spec it cannot honour)
     */
    VirtualMachine createVm(VmSpec spec);
}
