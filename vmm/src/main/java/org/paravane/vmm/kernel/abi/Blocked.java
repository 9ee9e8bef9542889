package org.paravane.vmm.kernel.abi;

/**
 * A system call that cannot complete yet ({@link SyscallOutcome.Block}): its task has armed a {@link
 * org.paravane.vmm.kernel.wait.Waker} ({@link SyscallTask#waker()}) where the event will come from and checked that
 * it has not come. The task leaves its vCPU; once woken (by the event, its deadline, or anything else) it is queued
 * again, and when its vCPU picks it, {@link #resume} runs there to check again and decide: return, block again, exit.
 *
 * <p>Wakes may be spurious (a wake kept from an earlier wait, a timer of an earlier deadline): {@code resume} must
 * always re-check its condition and may answer another {@code Block}.
 */
public interface Blocked {

    /**
     * Called on the task's vCPU when it runs again after a wake; answers the system call's outcome. The task's
     * registers are those of the call (RAX still the call's number), as at {@link SyscallAbi#dispatch}.
     */
    SyscallOutcome resume(SyscallTask task);

    /**
     * The task ends while blocked (killed, or the VM stops): let go of every queue the call joined. Never called after
     * {@code resume}; {@code resume} itself must leave queues it no longer needs.
     */
    default void cancel() {
    }
}
