package org.paravane.vmm.kernel;

import java.util.Objects;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.cpu.CpuModel;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;

/**
 * How a guest kernel behaves.
 *
 * @param preemption      the guest kernel's preemption model (also decides SEND_ALWAYS, as the V1 guest did)
 * @param waitPolicy      how async page faults are used
 * @param timeSliceMicros the preemption tick
 * @param console         receives every line the tasks write
 * @param cpuModel        the CPU the VM's guest sees (what Linux's AT_HWCAP and /proc/cpuinfo report), or null when
 *                        not known
 * @param linux           what the VM's Linux processes share (file system view, console), or null when it runs none
 */
public record KernelConfig(PreemptionModel preemption, WaitPolicy waitPolicy, long timeSliceMicros, Console console,
                           CpuModel cpuModel, LinuxOptions linux) {

    public KernelConfig(PreemptionModel preemption, WaitPolicy waitPolicy, long timeSliceMicros, Console console) {
        this(preemption, waitPolicy, timeSliceMicros, console, null, null);
    }

    /** Where task output goes as it is written. */
    @FunctionalInterface
    public interface Console {
        void write(Task task, String text);

        Console NONE = (task, text) -> {
        };
    }

    public KernelConfig {
        Objects.requireNonNull(preemption, "preemption");
        Objects.requireNonNull(waitPolicy, "waitPolicy");
        console = console == null ? Console.NONE : console;
        if (timeSliceMicros < 10 || timeSliceMicros > 1_000_000) {
            throw new IllegalArgumentException("time slice must be 10 us .. 1 s, got " + timeSliceMicros + " us");
        }
    }

    public static KernelConfig defaults() {
        return new KernelConfig(PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE, 2000, Console.NONE);
    }
}
