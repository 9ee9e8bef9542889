package org.paravane.api.backend;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;
import org.paravane.api.memory.GuestMemory;

/**
 * A virtual machine: guest memory plus vCPUs, created by a {@link VirtualizationBackend}. Closing it stops its
 * vCPUs, releases every host resource (file descriptors, mappings, threads) and makes any later call fail with
 * {@link BackendException.Reason#CLOSED}.
 */
@ProviderType
public interface VirtualMachine extends AutoCloseable {

    VmSpec spec();

    /** The name of the backend that runs it ({@link VirtualizationBackend#name()}). */
    String backendName();

    GuestMemory memory();

    /** The vCPUs, index = {@link Vcpu#id()}. */
    List<Vcpu> vcpus();

    default Vcpu vcpu(int id) {
        return vcpus().get(id);
    }

    boolean isClosed();

    /** Destroys the VM. Idempotent; must not be called while a vCPU is inside {@link Vcpu#run()} — kick them first. */
    @Override
    void close();
}
