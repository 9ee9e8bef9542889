package org.paravane.api.asyncpf;

/** What a vCPU's {@link HostAsyncPf} did with a {@link HostFault}; the backend re-runs the access unless it failed. */
public sealed interface HostFaultResult {

    /** The page is present (it arrived meanwhile, or the engine read it on the caller's thread): re-run the access. */
    record Present() implements HostFaultResult {
    }

    /** "Page not present" with {@code token} is queued for the guest; the guest kernel will deschedule the task. */
    record Injected(int token) implements HostFaultResult {
    }

    /**
     * The vCPU thread waited for the page itself ({@code kvm_async_pf} case #1): {@link WaitMode#SCHEDULE} when the
     * fault could not be delivered to the guest or the limit was reached, {@link WaitMode#HALT} when the same page was
     * already in flight. {@link WaitOutcome#RELEASED}: the engine went away meanwhile; the page may still be absent.
     */
    record Waited(int token, WaitMode mode, WaitOutcome outcome) implements HostFaultResult {
    }

    /** The page source failed for {@code guestAddress}: the access cannot complete. */
    record Failed(long guestAddress, String cause) implements HostFaultResult {
    }
}
