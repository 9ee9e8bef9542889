package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The guest kernel's side of one vCPU's async page faults, handed to the guest-side {@link PageFaultHandler} with
 * each {@link GuestFault}: the "page ready" slot of the per-vCPU shared area, the guest's sleeper table, and the two
 * sleepers. The reason flags are not here: the kernel's #PF entry reads and clears them itself, always
 * ({@link GuestFault#reason()}).
 */
@ConsumerType
public interface GuestApfContext {

    /** The "page ready" token slot of the area. */
    int readToken();

    /** Writes 0 to the token slot: the next "page ready" may be delivered. */
    void clearToken();

    /** Writes 1 to {@code MSR_KVM_ASYNC_PF_ACK}: tells the host the slot is free. */
    void acknowledge();

    /** The guest's table (one per guest). */
    SleeperTable sleepers();

    /** The interrupted task, for a schedule wait: it gives up the vCPU. */
    Sleeper taskSleeper();

    /** The vCPU itself, for a halt wait: it halts, taking events, until the token is woken. */
    Sleeper vcpuSleeper();

    /**
     * A wait this guest uses for every async fault instead of the decision table (an experiment: "halt everywhere"),
     * or null to follow the table.
     */
    default WaitMode forcedMode() {
        return null;
    }
}
