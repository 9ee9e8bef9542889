package org.paravane.api.backend;

/**
 * How long {@link Vcpu#run()} may run guest code before it returns {@link VcpuExit.Interrupted} with
 * {@link VcpuExit.Interrupted.Cause#BUDGET}: the guest kernel's preemption tick. A backend that counts instructions
 * uses {@code instructions}; one that cannot (KVM) uses {@code nanos} of run time. Zero means no limit.
 */
public record RunBudget(long instructions, long nanos) {

    public static final RunBudget UNLIMITED = new RunBudget(0, 0);

    public RunBudget {
        if (instructions < 0 || nanos < 0) {
            throw new IllegalArgumentException("run budget must not be negative: " + instructions + " instructions, " + nanos + " ns");
        }
    }

    public boolean unlimited() {
        return instructions == 0 && nanos == 0;
    }
}
