package org.paravane.vmm.kernel.abi;

/**
 * A system call that cannot complete yet ({@link SyscallOutcome.Block}): its task has armed a {@link
 * org.paravane.vmm.kernel.wait.Waker} ({@link SyscallTask#waker()}) where the event will come from and checked that
 * it has not come. The task leaves its vCPU; once woken (by the event, its deadline, or anything else) it is queued
 * again, and when its vCPU picks it, {@link #resume} runs there to check again and decide: return, block again, exit.
 *
 * <p>A signal for the task wakes it too: the kernel's blocked-call path asks the task's ABI
 * ({@link SyscallAbi#interrupt}) whether the call gives way to it; if so, the call is {@link #interrupted} and
 * returns an error or restarts as {@link #restart()} and the signal's action say (Linux's ERESTARTSYS,
 * ERESTARTNOHAND and ERESTART_RESTARTBLOCK: nanosleep's remaining time is written when it is interrupted; without
 * a handler to run, a call keeps waiting, which is what a restart with the remaining time amounts to).
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

    /** How a signal handler's interruption ends the call. */
    enum Restart {
        /** ERESTARTSYS: it restarts when the handler has SA_RESTART, else it fails with EINTR (read, wait4, ...). */
        WITH_SA_RESTART,
        /** ERESTARTNOHAND / ERESTART_RESTARTBLOCK: EINTR whenever a handler runs (nanosleep, sigsuspend, poll, ...). */
        NEVER
    }

    default Restart restart() {
        return Restart.WITH_SA_RESTART;
    }

    /**
     * A signal ended the wait: leave every queue (as {@link #cancel}) and store what the call reports then
     * (nanosleep's remaining time). The call's result is the ABI's (EINTR, or the call again).
     */
    default void interrupted(SyscallTask task) {
        cancel();
    }

    /**
     * The task ends while blocked (killed, or the VM stops): let go of every queue the call joined. Never called after
     * {@code resume}; {@code resume} itself must leave queues it no longer needs.
     */
    default void cancel() {
    }
}
