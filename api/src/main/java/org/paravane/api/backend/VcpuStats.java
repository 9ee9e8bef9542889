package org.paravane.api.backend;

/**
 * Counters of one vCPU since it was created.
 *
 * @param runs         calls of {@link Vcpu#run()}
 * @param exits        exits returned (every run ends in one)
 * @param instructions guest instructions retired, or -1 when the backend cannot count them
 * @param haltedNanos  time spent halted inside {@code run()} waiting for an interrupt
 * @param runNanos     time spent inside {@code run()}
 * @param pageWaitNanos time spent inside {@code run()} blocked until the host had a page the guest touched
 *                      (synchronous faults, and halts on a page already in flight): time the vCPU ran nothing
 */
public record VcpuStats(long runs, long exits, long instructions, long haltedNanos, long runNanos, long pageWaitNanos) {
}
