package org.paravane.api.asyncpf;

/** How a wait on a token ended. */
public enum WaitOutcome {
    /** The token was woken while the caller waited. */
    WOKEN,
    /** The wake came first: a dummy entry was consumed and the caller did not wait. */
    ALREADY_WOKEN,
    /**
     * The sleeper gave up its vCPU without blocking the calling thread (a guest task its kernel descheduled); its
     * {@link Sleeper#wakeUp()} runs when the token is woken.
     */
    SUSPENDED,
    /**
     * The wait was ended without a wake: the table was closed (VM shutdown), or the waiter's provider is going away.
     * The caller retries the faulting access, which the host then serves synchronously.
     */
    RELEASED
}
