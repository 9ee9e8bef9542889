package org.paravane.vmm.build;

import java.util.Objects;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.WaitPolicy;

/** What a new VM gets where its {@link VmDefinition} leaves a field open (null). */
public record VmDefaults(WaitPolicy waitPolicy, PreemptionModel preemption, long timeSliceMicros, int memoryMiB) {

    public VmDefaults {
        Objects.requireNonNull(waitPolicy, "waitPolicy");
        Objects.requireNonNull(preemption, "preemption");
    }

    /** The RAM {@code def} gets, in MiB. */
    public int memoryMiB(VmDefinition def) {
        return def.memoryMiB() != null ? def.memoryMiB() : memoryMiB;
    }
}
