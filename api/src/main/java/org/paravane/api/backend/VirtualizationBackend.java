package org.paravane.api.backend;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.paravane.api.cpu.CpuModel;

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
     * Everything this backend can present to a guest, as a model: the software CPU lists what it implements, KVM what
     * KVM_GET_SUPPORTED_CPUID offers. A VM's model may announce only features set here
     * ({@link CpuModel#featuresMissingFrom}); empty when the backend is not usable on this host.
     */
    Optional<CpuModel> supportedCpu();

    /**
     * The {@code host} CPU model for a VM of {@code vcpus} vCPUs (the host's CPU as far as this backend can pass it
     * through); empty on a backend that does not run guest code on the real CPU.
     */
    default Optional<CpuModel> hostCpuModel(int vcpus) {
        return Optional.empty();
    }

    /**
     * Creates a VM with its memory and vCPUs, ready to {@link Vcpu#run()} once state is set.
     *
     * @throws BackendException naming the cause ({@link BackendException.Reason#UNAVAILABLE} when the host cannot run
     *                          this backend, {@link BackendException.Reason#INVALID_REQUEST} for a spec it cannot honour,
     *                          such as a CPU model with a feature it lacks, or an unknown or invalid backend option
     *                          of its own namespace ({@link VmSpec#backendOptions}), named in the message)
     */
    VirtualMachine createVm(VmSpec spec);
}
