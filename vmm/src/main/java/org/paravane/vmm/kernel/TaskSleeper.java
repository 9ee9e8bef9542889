package org.paravane.vmm.kernel;

import org.paravane.api.asyncpf.Sleeper;
import org.paravane.vmm.kernel.wait.Waker;

/**
 * A task as the schedule wait sees it: {@link #sleep()} takes the task off its vCPU without blocking the vCPU thread
 * (the vCPU goes on with other tasks), {@link #wakeUp()} puts it back on its run queue. Both are transitions of the
 * task's {@link TaskRunState}; a wake that arrives before the task is suspended is kept there, so none is lost. The
 * same object is the task's {@link Waker} for blocking system calls: one way to leave a vCPU and come back.
 */
final class TaskSleeper implements Sleeper, Waker {
    private final Task task;
    private final GuestKernel kernel;
    /** Test seam: runs once the task is suspended, before sleep() returns (where a wake can race it). */
    Runnable afterSuspend = () -> {
    };

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
        if (!task.runState().suspend()) {
            return true;   // woken before it could suspend: the waiter re-checks its entry
        }
        afterSuspend.run();
        return false;
    }

    @Override
    public void wakeUp() {
        if (task.runState().wake()) {
            kernel.enqueue(task);
        }
    }

    @Override
    public void wake() {
        wakeUp();
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
