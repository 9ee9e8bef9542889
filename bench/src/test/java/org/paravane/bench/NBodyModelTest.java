package org.paravane.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The Java model the benchmark checks the {@code cpu_nbody} guest against is the Computer Language Benchmarks Game's
 * n-body: it gives that program's published energies (printed with nine decimals).
 */
class NBodyModelTest {

    private static String energyAfter(long steps) {
        return String.format(Locale.ROOT, "%.9f", NBodyModel.energy(NBodyModel.simulate(steps)));
    }

    @Test
    void givesTheBenchmarksGamesEnergies() {
        assertThat(energyAfter(0)).isEqualTo("-0.169075164");
        assertThat(energyAfter(1000)).isEqualTo("-0.169087605");
    }

    @Test
    void theChecksumFollowsTheState() {
        assertThat(NBodyModel.checksum(10)).isEqualTo(NBodyModel.checksum(10)).isNotEqualTo(NBodyModel.checksum(11));
    }
}
