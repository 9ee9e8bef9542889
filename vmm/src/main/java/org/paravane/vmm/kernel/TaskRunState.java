package org.paravane.vmm.kernel;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A task's scheduling state, one value changed only by compare-and-set, so that the vCPU running the task and a
 * wake from any thread cannot overwrite each other's transition:
 *
 * <pre>
 * RUNNABLE --pick-----&gt; RUNNING    its vCPU takes it from the run queue
 * RUNNING  --requeue--&gt; RUNNABLE   preempted, yielded, or the kernel pauses or stops
 * RUNNING  --suspend--&gt; WAITING    a schedule wait takes it off its vCPU
 * RUNNING  --wake-----&gt; WOKEN      the wake came before the suspension: kept as a permit
 * WOKEN    --suspend--&gt; RUNNING    the permit is used up: the waiter re-checks its entry instead of suspending
 * WOKEN    --requeue--&gt; RUNNABLE   a permit left over from a wait that ended anyway is dropped
 * WAITING  --wake-----&gt; RUNNABLE   the waker queues it again
 * any      --exit-----&gt; EXITED     final
 * </pre>
 *
 * A wake in any other state changes nothing: the task is queued already, or gone.
 */
final class TaskRunState {

    enum Phase { RUNNABLE, RUNNING, WOKEN, WAITING, EXITED }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.RUNNABLE);

    Phase phase() {
        return phase.get();
    }

    /** The state as the task's users see it: a kept wake is an implementation detail of RUNNING. */
    Task.State view() {
        return switch (phase.get()) {
            case RUNNABLE -> Task.State.RUNNABLE;
            case RUNNING, WOKEN -> Task.State.RUNNING;
            case WAITING -> Task.State.WAITING;
            case EXITED -> Task.State.EXITED;
        };
    }

    /** RUNNABLE to RUNNING; false when the task is not runnable (it exited while queued). */
    boolean pick() {
        return phase.compareAndSet(Phase.RUNNABLE, Phase.RUNNING);
    }

    /** Back to RUNNABLE from the vCPU; false when the task is not on one. */
    boolean requeue() {
        while (true) {
            Phase p = phase.get();
            if (p != Phase.RUNNING && p != Phase.WOKEN) {
                return false;
            }
            if (phase.compareAndSet(p, Phase.RUNNABLE)) {
                return true;
            }
        }
    }

    /** True when the task is now WAITING; false when a kept wake was used up instead (it stays RUNNING). */
    boolean suspend() {
        while (true) {
            if (phase.compareAndSet(Phase.WOKEN, Phase.RUNNING)) {
                return false;
            }
            if (phase.compareAndSet(Phase.RUNNING, Phase.WAITING)) {
                return true;
            }
            Phase p = phase.get();
            if (p != Phase.RUNNING && p != Phase.WOKEN) {
                throw new IllegalStateException("a task suspends only from its vCPU, not while " + p);
            }
        }
    }

    /** True when the wake made a WAITING task RUNNABLE: the caller queues it. */
    boolean wake() {
        while (true) {
            Phase p = phase.get();
            Phase next = switch (p) {
                case RUNNING -> Phase.WOKEN;
                case WAITING -> Phase.RUNNABLE;
                default -> null;
            };
            if (next == null) {
                return false;
            }
            if (phase.compareAndSet(p, next)) {
                return next == Phase.RUNNABLE;
            }
        }
    }

    void exit() {
        phase.set(Phase.EXITED);
    }
}
