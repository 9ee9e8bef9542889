package org.paravane.vmm.kernel.abi.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessTableTest {

    @Test
    void theFirstProcessIsInitAndStaysSoWhenOthersComeAndGo() {
        ProcessTable table = new ProcessTable();
        LinuxProcess init = ProcessTrees.process(table, 1, null);
        LinuxProcess child = ProcessTrees.process(table, 2, init);
        assertThat(table.init()).isSameAs(init);
        assertThat(table.get(2)).isSameAs(child);
        assertThat(table.size()).isEqualTo(2);
        ProcessCalls.reap(table, child);
        assertThat(table.get(2)).isNull();
        assertThat(child.state()).isEqualTo(LinuxProcess.State.REAPED);
        assertThat(init.children).isEmpty();
        assertThat(table.init()).isSameAs(init);
    }

    @Test
    void aPidInUseIsRefused() {
        ProcessTable table = new ProcessTable();
        ProcessTrees.process(table, 1, null);
        assertThatThrownBy(() -> ProcessTrees.process(table, 1, null)).hasMessageContaining("pid 1 is in use");
    }

    @Test
    void waitStatusesEncodeExitsAndSignalsAsLinuxDoes() {
        assertThat(LinuxProcess.waitStatus(3, 0)).isEqualTo(0x300);
        assertThat(LinuxProcess.waitStatus(256 + 7, 0)).isEqualTo(0x700);
        assertThat(LinuxProcess.waitStatus(137, 9)).isEqualTo(9);
    }
}
