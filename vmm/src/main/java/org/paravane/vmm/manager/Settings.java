package org.paravane.vmm.manager;

import java.util.Locale;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.build.VmDefaults;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.source.SourceSpec;

/**
 * The manager's configuration, validated: every invalid value is refused with a message naming the key, the value
 * and what is allowed, and the previous settings stay in force.
 */
record Settings(String defaultBackend, WaitPolicy waitPolicy, SourceSpec pageSource, PreemptionModel preemption,
                long timeSliceMicros, int memoryMiB, int maxVms, int maxVcpus, int maxMemoryMiB, int historySize) {

    static final Settings DEFAULTS = new Settings("auto", WaitPolicy.DECISION_TABLE, SourceSpec.parse("pattern,latency=100us"),
            PreemptionModel.PREEMPTIBLE, 2000, 64, 64, 16, 16384, 20);

    static Settings of(VmmConfig c) {
        String backend = c.defaultBackend().strip();
        if (!backend.matches("[A-Za-z0-9._-]+")) {
            throw invalid("defaultBackend", backend, "auto or a backend name such as kvm, emulated");
        }
        WaitPolicy policy;
        try {
            policy = WaitPolicy.of(c.waitPolicy().strip());
        } catch (IllegalArgumentException e) {
            throw invalid("waitPolicy", c.waitPolicy(), "table, halt, off");
        }
        SourceSpec source;
        try {
            source = SourceSpec.parse(c.pageSource());
        } catch (IllegalArgumentException e) {
            throw invalid("pageSource", c.pageSource(), e.getMessage());
        }
        int maxMemory = (int) range("maxMemoryMiB", c.maxMemoryMiB(), 4, 65536);
        return new Settings(backend.toLowerCase(Locale.ROOT), policy, source, preemption(c.preemption()),
                range("timeSliceMicros", c.timeSliceMicros(), 10, 1_000_000),
                (int) range("memoryMiB", c.memoryMiB(), 4, maxMemory), (int) range("maxVms", c.maxVms(), 1, 1024),
                (int) range("maxVcpus", c.maxVcpus(), 1, 256), maxMemory, (int) range("historySize", c.historySize(), 0, 10_000));
    }

    /** What new VMs get where their definition leaves a field open. */
    VmDefaults vmDefaults() {
        return new VmDefaults(waitPolicy, preemption, timeSliceMicros, memoryMiB);
    }

    /** Refuses a definition beyond the per-VM limits, naming the limit. */
    void checkLimits(VmDefinition def) {
        int memory = vmDefaults().memoryMiB(def);
        if (memory < 4 || memory > maxMemoryMiB) {
            throw new IllegalArgumentException("memory must be 4 MiB .. " + maxMemoryMiB + " MiB (the per-VM limit maxMemoryMiB of "
                    + VmmConfig.PID + "), got " + memory + " MiB");
        }
        if (def.vcpus() > maxVcpus) {
            throw new IllegalArgumentException("a VM may have at most " + maxVcpus + " vCPUs (the per-VM limit maxVcpus of "
                    + VmmConfig.PID + "), got " + def.vcpus());
        }
    }

    static PreemptionModel preemption(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "preemptible", "preempt" -> PreemptionModel.PREEMPTIBLE;
            case "non-preemptible", "none", "nonpreemptible" -> PreemptionModel.NON_PREEMPTIBLE;
            default -> throw invalid("preemption", value, "preemptible, non-preemptible");
        };
    }

    private static long range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw invalid(key, String.valueOf(value), min + ".." + max);
        }
        return value;
    }

    private static IllegalArgumentException invalid(String key, String value, String allowed) {
        return new IllegalArgumentException("invalid configuration " + VmmConfig.PID + ": " + key + " = '" + value
                + "' (allowed: " + allowed + ")");
    }
}
