package org.paravane.vmm.kernel.abi;

import java.util.Objects;

/** What happens after a fault of a task that its {@link SyscallAbi} was asked about. */
public sealed interface FaultOutcome {

    /** The ABI made the access possible (it mapped the page): the instruction runs again. */
    enum Retry implements FaultOutcome { INSTANCE }

    /** The ABI has nothing to say: the kernel handles the fault as for any task. */
    enum KernelDefault implements FaultOutcome { INSTANCE }

    /** The task ends as {@code outcome} says (a signal, or a kill). */
    record End(SyscallOutcome outcome) implements FaultOutcome {
        public End {
            Objects.requireNonNull(outcome, "outcome");
        }
    }
}
