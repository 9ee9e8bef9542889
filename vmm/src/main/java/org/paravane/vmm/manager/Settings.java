package org.paravane.vmm.manager;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.support.config.ConfigProperties;
import org.paravane.vmm.build.VmDefaults;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.source.SourceSpec;

/**
 * The manager's configuration, validated from the raw properties of PID {@value VmmConfig#PID} (the keys and defaults
 * of {@link VmmConfig}): every invalid value is refused with a message naming the key, the value and what is allowed,
 * and the previous settings stay in force.
 */
record Settings(String defaultBackend, WaitPolicy waitPolicy, SourceSpec pageSource, PreemptionModel preemption,
                long timeSliceMicros, int memoryMiB, int maxVms, int maxVcpus, int maxMemoryMiB, int historySize,
                String cpuModel, int maxProcesses) {

    /** The backends Paravane ships; a default backend may also name any backend registered when it is configured. */
    static final Set<String> BUILT_IN_BACKENDS = Set.of("kvm", "emulated");

    static final Settings DEFAULTS = new Settings("auto", WaitPolicy.DECISION_TABLE, SourceSpec.parse("pattern,latency=100us"),
            PreemptionModel.PREEMPTIBLE, 2000, 64, 64, 16, 16384, 20, CpuModels.DEFAULT,
            org.paravane.vmm.kernel.abi.linux.LinuxOptions.DEFAULT_MAX_PROCESSES);

    /**
     * @param registeredBackends names of the backends registered now (besides the built-in ones)
     * @throws IllegalArgumentException naming every invalid key
     */
    static Settings of(Map<String, ?> properties, Collection<String> registeredBackends) {
        ConfigProperties c = new ConfigProperties(VmmConfig.PID, properties);
        Set<String> backends = new LinkedHashSet<>();
        backends.add("auto");
        backends.addAll(BUILT_IN_BACKENDS.stream().sorted().toList());
        backends.addAll(registeredBackends);
        String backend = c.parsed("defaultBackend", DEFAULTS.defaultBackend(), String.join(", ", backends), name -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!backends.contains(lower)) {
                throw new IllegalArgumentException(name);
            }
            return lower;
        });
        WaitPolicy policy = c.parsed("waitPolicy", DEFAULTS.waitPolicy(), "table, halt, off", WaitPolicy::of);
        String sourceText = c.string("pageSource", DEFAULTS.pageSource().toString());
        SourceSpec source = DEFAULTS.pageSource();
        try {
            source = SourceSpec.parse(sourceText);
        } catch (IllegalArgumentException e) {
            c.reject("pageSource", sourceText, e.getMessage(), null);
        }
        PreemptionModel preemption = c.parsed("preemption", DEFAULTS.preemption(), "preemptible, non-preemptible", Settings::preemption);
        long slice = c.number("timeSliceMicros", DEFAULTS.timeSliceMicros(), 10, 1_000_000);
        int maxMemory = c.intNumber("maxMemoryMiB", DEFAULTS.maxMemoryMiB(), 4, 65536);
        int memory = c.intNumber("memoryMiB", DEFAULTS.memoryMiB(), 4, 65536);
        if (memory > maxMemory) {
            c.reject("memoryMiB", memory, "4.." + maxMemory + ", at most maxMemoryMiB", null);
        }
        int maxVms = c.intNumber("maxVms", DEFAULTS.maxVms(), 1, 1024);
        int maxVcpus = c.intNumber("maxVcpus", DEFAULTS.maxVcpus(), 1, 256);
        int historySize = c.intNumber("historySize", DEFAULTS.historySize(), 0, 10_000);
        String cpuModel = c.parsed("cpuModel", DEFAULTS.cpuModel(), String.join(", ", CpuModels.NAMES), name -> {
            if (!CpuModels.NAMES.contains(name.strip())) {
                throw new IllegalArgumentException(name);
            }
            return name.strip();
        });
        int maxProcesses = c.intNumber("maxProcesses", DEFAULTS.maxProcesses(), 1, 65536);
        c.validate();
        return new Settings(backend, policy, source, preemption, slice, memory, maxVms, maxVcpus, maxMemory, historySize,
                cpuModel, maxProcesses);
    }

    /** What new VMs get where their definition leaves a field open. */
    VmDefaults vmDefaults() {
        return new VmDefaults(waitPolicy, preemption, timeSliceMicros, memoryMiB, cpuModel);
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
            default -> throw new IllegalArgumentException("preemption '" + value + "' (allowed: preemptible, non-preemptible)");
        };
    }
}
