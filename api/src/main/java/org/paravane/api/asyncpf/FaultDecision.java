package org.paravane.api.asyncpf;

/** What a {@link PageFaultHandler} decided and did. */
public sealed interface FaultDecision {

    /**
     * Not an async page fault: the guest kernel handles it as an ordinary #PF; for the host, the page turned out to be
     * present already. Re-run the instruction.
     */
    record NotAsync() implements FaultDecision {
    }

    /**
     * The faulting context waited (or was suspended) for {@code token}.
     * Guest side: the schedule or halt wait of the decision table. Host side: the vCPU thread waited itself, with the
     * schedule wait when the fault could not be delivered to the guest, or halted because the same page was already in
     * flight ({@code mode == HALT}).
     */
    record Waited(int token, WaitMode mode, WaitOutcome outcome) implements FaultDecision {
    }

    /** Host side: "page not present" with {@code token} was injected; the guest will deschedule the task. */
    record Injected(int token) implements FaultDecision {
    }

    /** Guest side: a "page ready" woke {@code token} (or all, for the wake-all token) and was acknowledged. */
    record Woke(int token) implements FaultDecision {
    }

    /**
     * Guest side: the fault cannot be handled and the guest must stop, e.g. an async #PF injected with interrupts
     * disabled. {@code report} names the vCPU, the token and RIP.
     */
    record Panic(String report) implements FaultDecision {
    }

    /** Host side: the page source failed; the access cannot complete. */
    record Failed(long guestAddress, String cause) implements FaultDecision {
    }
}
