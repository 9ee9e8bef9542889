package org.paravane.kvm.vstate.vcpu;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a KVM vCPU is in its life, as one value (Firecracker keeps its vCPU states the same way). Three states are
 * "stopped" (no thread in {@code run()}) and say what the next {@code run()} or a redirect must take care of; two
 * say a thread is in {@code run()}; one is the end.
 *
 * <pre>
 * STOPPED | HALTED | MAYBE_HALTED  -- run() --------------&gt;  RUNNING
 * RUNNING                          -- run() returns ------&gt;  STOPPED | HALTED | MAYBE_HALTED  (what its exits left)
 * STOPPED | HALTED | MAYBE_HALTED  -- redirect, setState -&gt;  STOPPED | HALTED | MAYBE_HALTED
 * RUNNING                          -- close --------------&gt;  CLOSING  -- run() returns --&gt;  CLOSED
 * STOPPED | HALTED | MAYBE_HALTED  -- close --------------&gt;  CLOSED
 * </pre>
 *
 * {@link #canMoveTo} is the whole table; {@link RunStateMachine} is the only writer.
 */
public enum VcpuRunState {
    /** Not in {@code run()}; the guest continues at the next entry. */
    STOPPED,
    /**
     * Not in {@code run()}; without an in-kernel irqchip the guest executed HLT with IF=1 (or a state set halted): the
     * next {@code run()} sleeps until an interrupt is queued, a kick, the budget or the close.
     */
    HALTED,
    /**
     * Not in {@code run()}; with the in-kernel irqchip a run ended on a signal (a kick, a timer), or a state set halted:
     * KVM may hold the vCPU halted, so redirecting it (new registers) must make it runnable first.
     */
    MAYBE_HALTED,
    /** A thread is in {@code run()}. */
    RUNNING,
    /** Closed while a thread is in {@code run()}: that run returns CLOSED. */
    CLOSING,
    /** Closed: no thread is in {@code run()} and none may enter. */
    CLOSED;

    private static final Set<VcpuRunState> STOPPED_STATES = EnumSet.of(STOPPED, HALTED, MAYBE_HALTED);

    /** No thread in run(), not closed. */
    public boolean isStopped() {
        return STOPPED_STATES.contains(this);
    }

    /** A thread is in run() (closing or not). */
    public boolean isRunning() {
        return this == RUNNING || this == CLOSING;
    }

    /** Closed or closing. */
    public boolean isClosed() {
        return this == CLOSING || this == CLOSED;
    }

    /** The legal transitions, all in one place. */
    public boolean canMoveTo(VcpuRunState next) {
        return switch (this) {
            // a caller's redirect or setState moves between the stopped states; run() enters; close ends
            case STOPPED, HALTED, MAYBE_HALTED -> next.isStopped() || next == RUNNING || next == CLOSED;
            // run() returns into the stopped state its last exit left, or the close arrives during it
            case RUNNING -> next.isStopped() || next == CLOSING;
            // the run in progress returns
            case CLOSING -> next == CLOSED;
            case CLOSED -> false;
        };
    }
}
