package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One of the two waits of the sanitized design, registered with service property {@link #MODE} = {@code schedule}
 * or {@code halt}. Both start with the table's shared {@link SleeperTable#enqueue enqueue path}.
 *
 * <ul>
 *   <li><b>schedule</b> ({@code kvm_async_pf_task_wait_schedule}): the sleeper gives up its CPU until its wake; the
 *       entry is armed before it is checked, so a wake between the check and the sleep is never lost. Guest events
 *       do not end it; closing the table does ({@link WaitOutcome#RELEASED}).</li>
 *   <li><b>halt</b> ({@code kvm_async_pf_task_wait_halt}): the sleeper's vCPU halts until the token is woken, taking
 *       wake events for any token meanwhile; the wake kicks it.</li>
 * </ul>
 * When a waiter's provider goes away, its waits in progress end with {@link WaitOutcome#RELEASED}.
 */
@ProviderType
public interface AsyncPfWaiter {

    /** Service property: {@code schedule} or {@code halt} ({@link WaitMode#property()}). */
    String MODE = "wait.mode";

    WaitMode mode();

    /**
     * Waits for {@code token} on behalf of {@code sleeper}, recorded on {@link Sleeper#vcpu()}.
     *
     * @return {@link WaitOutcome#ALREADY_WOKEN} when a dummy was consumed, {@link WaitOutcome#WOKEN} after the wake,
     *         {@link WaitOutcome#SUSPENDED} when an asynchronous sleeper was descheduled (schedule mode only), or
     *         {@link WaitOutcome#RELEASED}
     */
    WaitOutcome wait(SleeperTable table, int token, Sleeper sleeper);

    /** Wakes {@code token} in {@code table} (a "page ready" handled on {@code wakingVcpu}); same as the table's wake. */
    default void wake(SleeperTable table, int token, int wakingVcpu) {
        table.wake(token, wakingVcpu);
    }

    /** Wakes every entry recorded on {@code vcpu}; same as the table's wake-all. */
    default void wakeAll(SleeperTable table, int vcpu) {
        table.wakeAll(vcpu);
    }
}
