package org.paravane.vmm.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.WaitPolicy;

/** The per-mode medians, spreads and the gain of alternated rounds. */
class ModeSummaryTest {

    private static AsyncPfExperiment.Result run(WaitPolicy p, int round, long work) {
        return new AsyncPfExperiment.Result(p, round, 300_000_000L, true,
                new RunCounters(1_000_000_000L, work, work / 4, 0, 0, 0, 0, 0, 500_000_000L), 2);
    }

    /** Rounds where the CPU warms: off 100, 150, 400; table 300, 330, 900. */
    private static List<AsyncPfExperiment.Result> rounds() {
        long[] off = {100, 150, 400}, halt = {120, 160, 420}, table = {300, 330, 900};
        List<AsyncPfExperiment.Result> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            results.add(run(WaitPolicy.OFF, i + 1, off[i]));
            results.add(run(WaitPolicy.HALT_EVERYWHERE, i + 1, halt[i]));
            results.add(run(WaitPolicy.DECISION_TABLE, i + 1, table[i]));
        }
        return results;
    }

    @Test
    void theGainIsTheRatioOfTheMediansWithEachRoundsRatioAsItsSpread() {
        assertThat(ModeSummary.gain(rounds())).isCloseTo(330.0 / 150, within(1e-9));
        assertThat(ModeSummary.roundGains(rounds())).containsExactly(2.2, 3.0);
        assertThat(ModeSummary.gainLine("busybox-dd", "emulated", rounds()))
                .contains("gain (busybox-dd, emulated): 2.20x (medians of 3 rounds; per round 2.20x-3.00x)");
    }

    @Test
    void eachModeRowIsItsMedianRunWithTheRoundsSpread() {
        String table = ModeSummary.table(rounds());
        assertThat(table).containsPattern("async PF off +3 +150\\.0 +100\\.0-400\\.0 +37\\.0 ")
                .containsPattern("decision table +3 +330\\.0 +300\\.0-900\\.0 +82\\.0 ")
                .contains("25.0%");
        assertThat(ModeSummary.median(ModeSummary.of(rounds(), WaitPolicy.HALT_EVERYWHERE)).round()).isEqualTo(2);
    }

    @Test
    void anEvenNumberOfRunsTakesTheLowerMiddleOne() {
        List<AsyncPfExperiment.Result> two = List.of(run(WaitPolicy.OFF, 1, 200), run(WaitPolicy.OFF, 2, 100));
        assertThat(ModeSummary.median(two).work()).isEqualTo(100);
    }
}
