package org.paravane.vmm.kernel.abi;

import org.paravane.api.cpu.GeneralRegisters;

/**
 * A system call interface a task speaks: how the number and arguments in its registers become kernel work and a
 * result. Every task has one, fixed when it is launched; the scheduler and the trap code only hand it the call and
 * act on the {@link SyscallOutcome}, so a second ABI (Linux's) is one more implementation in a package of its own.
 *
 * <p>What a call changes of the task itself (registers, segment bases) lives in the task ({@link SyscallTask}); an ABI
 * whose processes have state of their own (Linux's memory map and files) is one instance per process.
 */
public interface SyscallAbi {

    /** A short name for reports, such as "paravane". */
    String name();

    /**
     * Carries out one system call of {@code task}, on the vCPU thread that runs it.
     *
     * @param registers the task's registers at the call, RIP and RFLAGS already those it returns to
     */
    SyscallOutcome dispatch(SyscallTask task, GeneralRegisters registers);

    /** The name of call {@code number} for reports (per-call statistics: "write"), or the number itself when it has none. */
    default String callName(long number) {
        return Long.toUnsignedString(number);
    }

    /**
     * A page fault at {@code address} the task took ({@code errorCode} as the CPU pushed it) that is no async page
     * fault: the ABI may resolve it (demand paging) or end the task as its personality does. The default leaves it to
     * the kernel (stack growth of Paravane tasks, or a kill naming the fault).
     */
    default FaultOutcome pageFault(SyscallTask task, long address, int errorCode, long rip) {
        return FaultOutcome.KernelDefault.INSTANCE;
    }

    /**
     * The task ended (exit, signal, kill or the VM's stop): the ABI lets go of what it holds for it. {@code signal}
     * is the signal that ended it (the kernel's kills count as SIGKILL, 9), or 0 when it exited with {@code code}.
     */
    default void exited(SyscallTask task, int code, int signal) {
    }

    /** An exception (vector 0..31 other than #PF) the task raised; the default leaves it to the kernel (a kill). */
    default FaultOutcome exception(SyscallTask task, int vector, long errorCode, long rip) {
        return FaultOutcome.KernelDefault.INSTANCE;
    }

    /**
     * Whether the task has something to do before it runs user code again (a signal to act on): a cheap check the
     * kernel makes every time the task is about to run, after a call, a fault, a preemption or a kick.
     */
    default boolean userReturnPending(SyscallTask task) {
        return false;
    }

    /**
     * The task is about to run user code at {@code registers} and {@link #userReturnPending} said yes: answer
     * {@link SyscallOutcome.Restore} with the registers it runs with (a signal handler's, its frame written), a
     * {@link SyscallOutcome.Block} to hold it (a stopped process), or an end ({@link SyscallOutcome.Signaled}).
     * Null: nothing to do after all.
     */
    default SyscallOutcome returnToUser(SyscallTask task, org.paravane.api.cpu.GeneralRegisters registers) {
        return null;
    }

    /**
     * The task waits in {@code blocked} (its call's registers {@code call}) and was woken or is about to wait: if a
     * signal must interrupt the call, the ABI lets the call go ({@link Blocked#interrupted}) and answers the outcome
     * (an error, or the call again); null keeps it waiting. Called by the kernel for every blocked call.
     */
    default SyscallOutcome interrupt(SyscallTask task, Blocked blocked, org.paravane.api.cpu.GeneralRegisters call) {
        return null;
    }

    /**
     * Ctrl-C at the VM's console: the ABI may deliver it to the task (Linux: SIGINT to the foreground process group);
     * true when it took it. The default does not, and a VM whose tasks take none stops.
     */
    default boolean consoleInterrupt(SyscallTask task) {
        return false;
    }

    /**
     * The VM is asked to shut down ({@code paravane:shutdown}): the ABI may tell the task so (Linux: SIGTERM to every
     * process, as init does at shutdown); true when it took it. The default does not, and the VM stops at once.
     */
    default boolean terminateRequest(SyscallTask task) {
        return false;
    }
}
