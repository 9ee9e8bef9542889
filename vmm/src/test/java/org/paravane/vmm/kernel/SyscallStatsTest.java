package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.abi.paravane.ParavaneAbi;

class SyscallStatsTest {

    @Test
    void callsAreSummedPerNumberAndListedByTimeWithTheirNames() {
        SyscallStats s = new SyscallStats();
        s.record(1, 100);
        s.record(1, 50);
        s.record(3, 400);
        s.record(0, 10);
        assertThat(s.total()).isEqualTo(4);
        assertThat(s.totalNanos()).isEqualTo(560);
        assertThat(s.byTime(ParavaneAbi.INSTANCE)).containsExactly(
                new SyscallStats.Call(3, "time", 1, 400),
                new SyscallStats.Call(1, "write", 2, 150),
                new SyscallStats.Call(0, "exit", 1, 10));
    }

    @Test
    void numbersBeyondTheTableShareOneBucketAndNegativeOnesToo() {
        SyscallStats s = new SyscallStats();
        s.record(SyscallStats.NUMBERS, 5);
        s.record(-1, 7);
        s.record(Long.MAX_VALUE, 1);
        assertThat(s.byTime(ParavaneAbi.INSTANCE)).containsExactly(new SyscallStats.Call(-1, "other", 3, 13));
    }

    @Test
    void anAbiWithoutNamesReportsTheNumber() {
        SyscallStats s = new SyscallStats();
        s.record(200, 1);
        assertThat(s.byTime(ParavaneAbi.INSTANCE).getFirst().name()).isEqualTo("200");
    }
}
