package org.paravane.vmm.kernel.abi;

import java.util.Objects;

/** What happens to a task after one of its system calls. */
public sealed interface SyscallOutcome {

    /** The call returns {@code value} (RAX) and the task goes on. */
    record Return(long value) implements SyscallOutcome {
    }

    /** The call returns {@code value} and the task gives up its vCPU; it stays runnable. */
    record Yield(long value) implements SyscallOutcome {
    }

    /** The task ends with exit code {@code code}. */
    record Exit(int code) implements SyscallOutcome {
    }

    /** The kernel ends the task; {@code reason} says what it did. */
    record Kill(String reason) implements SyscallOutcome {
        public Kill {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
