package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.GuestStack.image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.memory.PageSource;

/**
 * The schedule wait's sleeper against its wake, in each order the two can meet, driven step by step on a kernel that
 * is not started (the test plays the vCPU): no wake is lost, none queues the task twice.
 */
class TaskSleeperTest {
    private final GuestStack stack = GuestStack.emulated();
    private GuestKernel kernel;
    private Task task;

    @BeforeEach
    void runningTask() throws Exception {
        kernel = stack.kernel("sleeper", 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        task = kernel.launch(new TaskSpec("hello", image("hello"), 0, null));
        assertThat(kernel.queue(0).poll()).as("the vCPU picks the task").isSameAs(task);
        assertThat(task.runState().pick()).as("runnable").isTrue();
    }

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    @Test
    void aWakeBeforeTheSuspensionIsKeptAndTheTaskStaysOnItsVcpu() {
        task.sleeper.wakeUp();
        assertThat(task.sleeper.sleep()).as("sleep returns at once, the waiter re-checks its entry").isTrue();
        assertThat(task.state()).isEqualTo(Task.State.RUNNING);
        assertThat(kernel.queue(0).isEmpty()).as("not queued: it never left its vCPU").isTrue();
    }

    @Test
    void aWakeThatLandsAsTheTaskIsSuspendedMakesItRunnable() {
        task.sleeper.afterSuspend = task.sleeper::wakeUp;
        assertThat(task.sleeper.sleep()).as("suspended").isFalse();
        assertThat(task.state()).as("the wake that raced the suspension is not lost").isEqualTo(Task.State.RUNNABLE);
        assertThat(kernel.queue(0).size()).as("queued once").isEqualTo(1);
    }

    @Test
    void aWakeAfterTheSuspensionQueuesTheTaskOnce() {
        assertThat(task.sleeper.sleep()).as("suspended").isFalse();
        assertThat(task.state()).isEqualTo(Task.State.WAITING);
        task.sleeper.wakeUp();
        task.sleeper.wakeUp();
        assertThat(task.state()).isEqualTo(Task.State.RUNNABLE);
        assertThat(kernel.queue(0).size()).as("a second wake does not queue it again").isEqualTo(1);
    }
}
