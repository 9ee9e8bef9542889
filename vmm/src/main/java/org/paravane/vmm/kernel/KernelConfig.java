package org.paravane.vmm.kernel;

import java.util.Objects;
import org.paravane.api.asyncpf.PreemptionModel;

/**
 * How a guest kernel behaves.
 *
 * @param preemption      the guest kernel's preemption model (also decides SEND_ALWAYS, as the V1 guest did)
 * @param waitPolicy      how async page faults are used
 * @param timeSliceMicros the preemption tick
 * @param console         receives every line the tasks write
 */
public record KernelConfig(PreemptionModel preemption, WaitPolicy waitPolicy, long timeSliceMicros, Console console) {

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
