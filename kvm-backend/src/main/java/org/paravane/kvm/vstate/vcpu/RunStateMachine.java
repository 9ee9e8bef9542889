package org.paravane.kvm.vstate.vcpu;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link VcpuRunState} of one vCPU and the only place it changes. Every change is a compare-and-set checked
 * against {@link VcpuRunState#canMoveTo}; a close from another thread wins over a concurrent redirect.
 */
final class RunStateMachine {
    private final AtomicReference<VcpuRunState> state = new AtomicReference<>(VcpuRunState.STOPPED);

    VcpuRunState state() {
        return state.get();
    }

    /**
     * A thread enters run(): from a stopped state to RUNNING. Returns the stopped state it left (what the run must
     * resume from), or the state that refused it (RUNNING, CLOSING, CLOSED) without changing anything.
     */
    VcpuRunState enterRun() {
        while (true) {
            VcpuRunState now = state.get();
            if (!now.isStopped()) {
                return now;
            }
            if (state.compareAndSet(now, VcpuRunState.RUNNING)) {
                return now;
            }
        }
    }

    /** The thread in run() returns, leaving the vCPU {@code stopped} (or CLOSED when it was closed meanwhile). */
    void leaveRun(VcpuRunState stopped) {
        requireStopped(stopped);
        while (true) {
            VcpuRunState now = state.get();
            if (!now.isRunning()) {
                throw new IllegalStateException("vCPU run state " + now + ": no run in progress to leave");
            }
            VcpuRunState next = now == VcpuRunState.CLOSING ? VcpuRunState.CLOSED : stopped;
            move(now, next);
            if (state.compareAndSet(now, next)) {
                return;
            }
        }
    }

    /** A caller redirects a stopped vCPU into another stopped state; nothing happens once it is closed. */
    void settle(VcpuRunState stopped) {
        requireStopped(stopped);
        while (true) {
            VcpuRunState now = state.get();
            if (now.isClosed()) {
                return;
            }
            if (!now.isStopped()) {
                throw new IllegalStateException("a running vCPU cannot be redirected to " + stopped);
            }
            move(now, stopped);
            if (state.compareAndSet(now, stopped)) {
                return;
            }
        }
    }

    /** Closes: CLOSING while a thread is in run() (it finishes the move), CLOSED otherwise. Idempotent. */
    void close() {
        while (true) {
            VcpuRunState now = state.get();
            VcpuRunState next = switch (now) {
                case RUNNING -> VcpuRunState.CLOSING;
                case CLOSING, CLOSED -> now;
                default -> VcpuRunState.CLOSED;
            };
            if (next == now) {
                return;
            }
            move(now, next);
            if (state.compareAndSet(now, next)) {
                return;
            }
        }
    }

    private static void move(VcpuRunState from, VcpuRunState to) {
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException("vCPU run state cannot move from " + from + " to " + to);
        }
    }

    private static void requireStopped(VcpuRunState s) {
        if (!s.isStopped()) {
            throw new IllegalArgumentException(s + " is not a stopped state (STOPPED, HALTED or MAYBE_HALTED)");
        }
    }
}
