package org.paravane.vmm.kernel.abi;

import org.paravane.api.cpu.GeneralRegisters;

/**
 * A system call interface a task speaks: how the number and arguments in its registers become kernel work and a
 * result. Every task has one, fixed when it is launched; the scheduler and the trap code only hand it the call and
 * act on the {@link SyscallOutcome}, so a second ABI (Linux's) is one more implementation in a package of its own.
 *
 * <p>Implementations keep no per-task state of their own: what a call changes lives in the task ({@link SyscallTask}).
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

    /** The name of call {@code number} for reports (per-call statistics), or the number itself when it has none. */
    default String callName(long number) {
        return Long.toUnsignedString(number);
    }
}
