package org.paravane.api.asyncpf;

/** What the guest-side {@link PageFaultHandler} decided and did with a {@link GuestFault}. */
public sealed interface GuestFaultResult {

    /**
     * Nothing asynchronous to do: a #PF whose {@linkplain GuestFault#reason() reason} was 0 (the guest kernel handles
     * it as an ordinary page fault), or a "page ready" interrupt that found the token slot empty (spurious; the host
     * was acknowledged).
     */
    record NotAsync() implements GuestFaultResult {
    }

    /**
     * An async "page not present": the faulting context waited (or was suspended) for {@code token} with the schedule
     * or the halt wait of the decision table. {@link WaitOutcome#RELEASED} means nobody could wait: the guest retries
     * the access and the host serves it synchronously.
     */
    record Waited(int token, WaitMode mode, WaitOutcome outcome) implements GuestFaultResult {
    }

    /** A "page ready" woke {@code token} (or every waiter of the vCPU, for the wake-all token) and was acknowledged. */
    record Woke(int token) implements GuestFaultResult {
    }

    /**
     * The fault cannot be handled and the guest must stop, e.g. an async #PF injected with interrupts disabled or with
     * a reserved token. {@code report} names the vCPU, the token and RIP.
     */
    record Panic(String report) implements GuestFaultResult {
    }
}
