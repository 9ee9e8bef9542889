package org.paravane.vmm.build;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.ElfImage;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.source.SourceSpec;

/**
 * What to run: a VM of {@code vcpus} vCPUs and {@code memoryMiB} of RAM, optionally a lazily filled data region, and
 * the tasks to start. Null fields take the manager's configured defaults.
 *
 * @param name       VM name, or null for a generated one
 * @param backend    backend name, or null for the configured default
 * @param dataSource where the data region's pages come from, or null for no data region
 * @param dataBytes  size of the data region in bytes; 0 means the source's own length (a file)
 * @param cpuModel   the name of the CPU model the guest sees, or null for the configured default
 * @param linux      what the VM's Linux processes share, or null when it runs none
 * @param backendOptions the backends' per-VM options ({@code emulated.translation=false}; see
 *                   {@link org.paravane.api.backend.VmSpec#backendOptions}), checked by the backend that runs the VM
 */
public record VmDefinition(String name, String backend, int vcpus, Integer memoryMiB, SourceSpec dataSource,
                           long dataBytes, List<Launch> tasks, WaitPolicy waitPolicy, PreemptionModel preemption,
                           Long timeSliceMicros, String cpuModel, LinuxOptions linux, Map<String, String> backendOptions) {

    public VmDefinition(String name, String backend, int vcpus, Integer memoryMiB, SourceSpec dataSource,
                        long dataBytes, List<Launch> tasks, WaitPolicy waitPolicy, PreemptionModel preemption,
                        Long timeSliceMicros, String cpuModel, LinuxOptions linux) {
        this(name, backend, vcpus, memoryMiB, dataSource, dataBytes, tasks, waitPolicy, preemption, timeSliceMicros,
                cpuModel, linux, Map.of());
    }

    public VmDefinition(String name, String backend, int vcpus, Integer memoryMiB, SourceSpec dataSource,
                        long dataBytes, List<Launch> tasks, WaitPolicy waitPolicy, PreemptionModel preemption,
                        Long timeSliceMicros) {
        this(name, backend, vcpus, memoryMiB, dataSource, dataBytes, tasks, waitPolicy, preemption, timeSliceMicros,
                null, null);
    }

    /**
     * A task: a Paravane image with its argument and the equal slice of the data region it sees (of {@code slices}),
     * or -1 for none; or a Linux process ({@code image} null, {@code linux} set).
     */
    public record Launch(String name, ElfImage image, long argument, int dataSlice, int slices, LinuxProcessSpec linux) {

        public Launch(String name, ElfImage image, long argument, int dataSlice, int slices) {
            this(name, image, argument, dataSlice, slices, null);
        }

        /** A Linux process. */
        public static Launch linuxProcess(String name, LinuxProcessSpec process) {
            return new Launch(name, null, 0, -1, 0, Objects.requireNonNull(process, "process"));
        }

        public Launch {
            if ((image == null) == (linux == null)) {
                throw new IllegalArgumentException("task " + name + " needs either a Paravane image or a Linux process");
            }
            if (dataSlice >= slices && dataSlice >= 0) {
                throw new IllegalArgumentException("data slice " + dataSlice + " of " + slices);
            }
        }
    }

    public VmDefinition {
        if (vcpus < 1) {
            throw new IllegalArgumentException("a VM needs at least one vCPU, got " + vcpus);
        }
        if (dataBytes < 0) {
            throw new IllegalArgumentException("data region size must not be negative: " + dataBytes);
        }
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a VM needs at least one task");
        }
        backendOptions = backendOptions == null ? Map.of() : Map.copyOf(backendOptions);
    }

    /** The same definition with these backend options instead of its own. */
    public VmDefinition withBackendOptions(Map<String, String> options) {
        return new VmDefinition(name, backend, vcpus, memoryMiB, dataSource, dataBytes, tasks, waitPolicy, preemption,
                timeSliceMicros, cpuModel, linux, options);
    }
}
