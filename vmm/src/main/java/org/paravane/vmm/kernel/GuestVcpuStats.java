package org.paravane.vmm.kernel;

/** Counters of one vCPU of the guest kernel, as {@code paravane:stats} and the demo show them. */
public record GuestVcpuStats(int vcpu, long taskRuns, long exits, long hypercalls, long traps, long pageReady,
                        long busyNanos, long idleNanos, long haltWaitNanos) {
}
