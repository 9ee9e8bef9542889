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

    /**
     * The call returns {@code value} once {@code nanos} have passed; until then the task is off its vCPU, waiting as a
     * schedule wait does (the vCPU runs other tasks).
     */
    record Sleep(long nanos, long value) implements SyscallOutcome {
    }

    /**
     * The call waits for an event: the task leaves its vCPU until woken, then {@link Blocked#resume} decides the
     * outcome. {@code deadlineNanos} (on the kernel's clock, {@link SyscallTask#nanosSinceStart()}) wakes it at the
     * latest then, or {@link #NO_DEADLINE}.
     */
    record Block(Blocked blocked, long deadlineNanos) implements SyscallOutcome {
        public static final long NO_DEADLINE = Long.MAX_VALUE;

        public Block {
            Objects.requireNonNull(blocked, "blocked");
        }

        public Block(Blocked blocked) {
            this(blocked, NO_DEADLINE);
        }
    }

    /**
     * The task ends as killed by signal {@code signal} (exit status 128 + signal, as a shell reports it);
     * {@code reason} says why and where.
     */
    record Signaled(int signal, String reason) implements SyscallOutcome {
        public Signaled {
            Objects.requireNonNull(reason, "reason");
            if (signal < 1 || signal > 64) {
                throw new IllegalArgumentException("signal " + signal + " is not 1..64");
            }
        }
    }

    /**
     * The call returns into a new context: the task goes on with {@code registers}, every one as given (execve's new
     * image, a signal frame's return).
     */
    record NewContext(org.paravane.api.cpu.GeneralRegisters registers) implements SyscallOutcome {
        public NewContext {
            Objects.requireNonNull(registers, "registers");
        }
    }

    /** The kernel ends the task; {@code reason} says what it did. */
    record Kill(String reason) implements SyscallOutcome {
        public Kill {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
