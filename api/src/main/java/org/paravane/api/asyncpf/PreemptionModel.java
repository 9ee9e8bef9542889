package org.paravane.api.asyncpf;

/**
 * How the guest kernel was built (CONFIG_PREEMPTION): whether the guest-side handler can tell that interrupted
 * kernel code may sleep.
 */
public enum PreemptionModel {
    /** Preemptible kernel: kernel code with preempt count 0 outside an RCU read-side section may schedule. */
    PREEMPTIBLE,
    /** Non-preemptible kernel: only user-mode faults may schedule; any kernel-mode fault halts. */
    NON_PREEMPTIBLE
}
