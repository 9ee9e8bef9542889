package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.TaskRunState.Phase;

/** Each transition of a task's scheduling state, and the ones it refuses. */
class TaskRunStateTest {
    private final TaskRunState s = new TaskRunState();

    @Test
    void aTaskRunsWaitsAndIsWokenBackOntoItsQueue() {
        assertThat(s.pick()).isTrue();
        assertThat(s.suspend()).as("suspended").isTrue();
        assertThat(s.view()).isEqualTo(Task.State.WAITING);
        assertThat(s.wake()).as("the waker queues it").isTrue();
        assertThat(s.phase()).isEqualTo(Phase.RUNNABLE);
        assertThat(s.wake()).as("already queued").isFalse();
        assertThat(s.phase()).isEqualTo(Phase.RUNNABLE);
    }

    @Test
    void aWakeBeforeTheSuspensionIsUsedUpByIt() {
        s.pick();
        assertThat(s.wake()).as("nothing to queue: it is on its vCPU").isFalse();
        assertThat(s.phase()).isEqualTo(Phase.WOKEN);
        assertThat(s.view()).isEqualTo(Task.State.RUNNING);
        assertThat(s.suspend()).as("the kept wake instead of a suspension").isFalse();
        assertThat(s.phase()).isEqualTo(Phase.RUNNING);
        assertThat(s.suspend()).as("the next suspension is real").isTrue();
    }

    @Test
    void aKeptWakeDoesNotOutliveTheSlice() {
        s.pick();
        s.wake();
        assertThat(s.requeue()).isTrue();
        assertThat(s.pick()).isTrue();
        assertThat(s.suspend()).as("no stale permit").isTrue();
    }

    @Test
    void anExitedTaskStaysExited() {
        s.pick();
        s.suspend();
        s.exit();
        assertThat(s.wake()).isFalse();
        assertThat(s.pick()).isFalse();
        assertThat(s.requeue()).isFalse();
        assertThat(s.view()).isEqualTo(Task.State.EXITED);
    }

    @Test
    void onlyATaskOnItsVcpuSuspends() {
        assertThatThrownBy(s::suspend).isInstanceOf(IllegalStateException.class).hasMessageContaining("RUNNABLE");
    }
}
