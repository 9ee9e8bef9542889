package org.paravane.kvm.vstate.vcpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.kvm.vstate.vcpu.VcpuRunState.CLOSED;
import static org.paravane.kvm.vstate.vcpu.VcpuRunState.CLOSING;
import static org.paravane.kvm.vstate.vcpu.VcpuRunState.HALTED;
import static org.paravane.kvm.vstate.vcpu.VcpuRunState.MAYBE_HALTED;
import static org.paravane.kvm.vstate.vcpu.VcpuRunState.RUNNING;
import static org.paravane.kvm.vstate.vcpu.VcpuRunState.STOPPED;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VcpuRunStateTest {

    /** The whole table, written out: every pair not listed is illegal. */
    private static final Map<VcpuRunState, Set<VcpuRunState>> LEGAL = Map.of(
            STOPPED, EnumSet.of(STOPPED, HALTED, MAYBE_HALTED, RUNNING, CLOSED),
            HALTED, EnumSet.of(STOPPED, HALTED, MAYBE_HALTED, RUNNING, CLOSED),
            MAYBE_HALTED, EnumSet.of(STOPPED, HALTED, MAYBE_HALTED, RUNNING, CLOSED),
            RUNNING, EnumSet.of(STOPPED, HALTED, MAYBE_HALTED, CLOSING),
            CLOSING, EnumSet.of(CLOSED),
            CLOSED, EnumSet.noneOf(VcpuRunState.class));

    @Test
    void everyTransitionIsLegalExactlyWhenTheTableSaysSo() {
        for (VcpuRunState from : VcpuRunState.values()) {
            for (VcpuRunState to : VcpuRunState.values()) {
                assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(LEGAL.get(from).contains(to));
            }
        }
    }

    @Test
    void aRunEntersFromAStoppedStateAndReturnsIntoTheStateItsExitsLeft() {
        RunStateMachine m = new RunStateMachine();
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.enterRun()).as("the state the run resumes from").isEqualTo(STOPPED);
        assertThat(m.state()).isEqualTo(RUNNING);
        m.leaveRun(HALTED);
        assertThat(m.state()).isEqualTo(HALTED);
        assertThat(m.enterRun()).as("a halted vCPU resumes its halt").isEqualTo(HALTED);
        m.leaveRun(MAYBE_HALTED);
        assertThat(m.state()).isEqualTo(MAYBE_HALTED);
    }

    @Test
    void aSecondRunIsRefusedWithoutChangingTheState() {
        RunStateMachine m = new RunStateMachine();
        m.enterRun();
        assertThat(m.enterRun()).isEqualTo(RUNNING);
        assertThat(m.state()).isEqualTo(RUNNING);
    }

    @Test
    void aCloseDuringARunWaitsForTheRunToReturn() {
        RunStateMachine m = new RunStateMachine();
        m.enterRun();
        m.close();
        assertThat(m.state()).isEqualTo(CLOSING);
        assertThat(m.state().isRunning()).as("a thread is still in run()").isTrue();
        assertThat(m.state().isClosed()).isTrue();
        assertThat(m.enterRun()).as("another run is refused as running").isEqualTo(CLOSING);
        m.leaveRun(HALTED);
        assertThat(m.state()).as("the run returned into the close, not into its halt").isEqualTo(CLOSED);
    }

    @Test
    void closedIsFinal() {
        RunStateMachine m = new RunStateMachine();
        m.close();
        assertThat(m.state()).isEqualTo(CLOSED);
        m.close();
        assertThat(m.state()).as("close is idempotent").isEqualTo(CLOSED);
        assertThat(m.enterRun()).as("refused").isEqualTo(CLOSED);
        m.settle(STOPPED);
        assertThat(m.state()).as("a redirect after the close changes nothing").isEqualTo(CLOSED);
        assertThatThrownBy(() -> m.leaveRun(STOPPED)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CLOSED: no run in progress");
    }

    @Test
    void aRedirectMovesBetweenStoppedStatesOnly() {
        RunStateMachine m = new RunStateMachine();
        m.settle(HALTED);
        assertThat(m.state()).isEqualTo(HALTED);
        m.settle(STOPPED);
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThatThrownBy(() -> m.settle(RUNNING)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RUNNING is not a stopped state");
        m.enterRun();
        assertThatThrownBy(() -> m.settle(STOPPED)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("running vCPU cannot be redirected");
        assertThat(m.state()).isEqualTo(RUNNING);
    }

    @Test
    void aRunCannotReturnIntoARunningOrClosedState() {
        RunStateMachine m = new RunStateMachine();
        m.enterRun();
        assertThatThrownBy(() -> m.leaveRun(CLOSED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.leaveRun(RUNNING)).isInstanceOf(IllegalArgumentException.class);
        assertThat(m.state()).isEqualTo(RUNNING);
    }

    @Test
    void leavingARunThatNeverStartedIsIllegal() {
        RunStateMachine m = new RunStateMachine();
        assertThatThrownBy(() -> m.leaveRun(STOPPED)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STOPPED: no run in progress");
    }
}
