package org.paravane.vmm.kernel;

/** The counters one vCPU's scheduler, trap handler, system calls and async-PF glue keep; only its thread writes them. */
final class VcpuCounters {
    volatile long taskRuns, exits, hypercalls, traps, pageReady, busyNanos, idleNanos, haltWaitNanos;

    GuestVcpuStats snapshot(int vcpu) {
        return new GuestVcpuStats(vcpu, taskRuns, exits, hypercalls, traps, pageReady, busyNanos, idleNanos, haltWaitNanos);
    }
}
