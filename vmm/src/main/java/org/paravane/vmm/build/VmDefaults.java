package org.paravane.vmm.build;

import java.util.Objects;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.vmm.kernel.WaitPolicy;

/**
 * What a new VM gets where its {@link VmDefinition} leaves a field open (null).
 *
 * @param cpuModel the name of the CPU model (see {@link CpuModels})
 */
public record VmDefaults(WaitPolicy waitPolicy, PreemptionModel preemption, long timeSliceMicros, int memoryMiB,
                         String cpuModel) {

    /** Defaults with the default CPU model. */
    public VmDefaults(WaitPolicy waitPolicy, PreemptionModel preemption, long timeSliceMicros, int memoryMiB) {
        this(waitPolicy, preemption, timeSliceMicros, memoryMiB, CpuModels.DEFAULT);
    }

    public VmDefaults {
        Objects.requireNonNull(waitPolicy, "waitPolicy");
        Objects.requireNonNull(preemption, "preemption");
        Objects.requireNonNull(cpuModel, "cpuModel");
    }

    /** The RAM {@code def} gets, in MiB. */
    public int memoryMiB(VmDefinition def) {
        return def.memoryMiB() != null ? def.memoryMiB() : memoryMiB;
    }
}
