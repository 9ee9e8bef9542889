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
}
