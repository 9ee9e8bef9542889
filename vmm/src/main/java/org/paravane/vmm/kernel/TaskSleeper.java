package org.paravane.vmm.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.api.asyncpf.Sleeper;

/**
 * A task as the schedule wait sees it: {@link #sleep()} takes the task off its vCPU without blocking the vCPU thread
 * (the vCPU goes on with other tasks), {@link #wakeUp()} puts it back on its run queue. A wake that arrives before the
 * task is suspended is kept as a permit, so none is lost.
 */
final class TaskSleeper implements Sleeper {
    private static final int RUNNING = 0, SUSPENDED = 1, PERMIT = 2;

    private final Task task;
    private final GuestKernel kernel;
    private final AtomicInteger state = new AtomicInteger(RUNNING);

    TaskSleeper(Task task, GuestKernel kernel) {
        this.task = task;
        this.kernel = kernel;
    }

    @Override
    public int vcpu() {
        return task.home();
    }

    @Override
    public boolean sleep() {
        while (true) {
            if (state.compareAndSet(PERMIT, RUNNING)) {
                return true;   // woken before it could suspend: the waiter re-checks its entry
            }
            if (state.compareAndSet(RUNNING, SUSPENDED)) {
                task.markWaiting();
                return false;
            }
        }
    }

    @Override
    public void wakeUp() {
        while (true) {
            int s = state.get();
            if (s == SUSPENDED && state.compareAndSet(SUSPENDED, RUNNING)) {
                kernel.makeRunnable(task);
                return;
            }
            if (s == RUNNING && state.compareAndSet(RUNNING, PERMIT) || s == PERMIT) {
                return;
            }
        }
    }

    @Override
    public void safeHalt() {
        throw new UnsupportedOperationException("a task does not halt; the halt wait uses its vCPU's sleeper");
    }

    @Override
    public void kick() {
        kernel.kick(task.home());
    }
}
