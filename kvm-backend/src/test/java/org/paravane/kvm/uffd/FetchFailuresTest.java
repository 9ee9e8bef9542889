package org.paravane.kvm.uffd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FetchFailuresTest {
    private static final long MS = 1_000_000;

    @Test
    void failuresInARowDoubleTheWaitUpToTheMaximum() {
        FetchFailures failures = new FetchFailures(MS, 1000 * MS);
        long[] expected = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000};
        for (int i = 0; i < expected.length; i++) {
            FetchFailures.Failure f = failures.record(0x1000, "source down");
            assertThat(f.attempts()).isEqualTo(i + 1);
            assertThat(failures.retryAt(f) - f.at()).as("wait after %d failures", i + 1).isEqualTo(expected[i] * MS);
        }
        assertThat(failures.last(0x1000).cause()).isEqualTo("source down");
    }

    @Test
    void aSuccessClearsThePageAndOtherPagesCountApart() {
        FetchFailures failures = new FetchFailures(MS, 1000 * MS);
        failures.record(0x1000, "a");
        failures.record(0x1000, "b");
        failures.record(0x2000, "c");
        assertThat(failures.last(0x2000).attempts()).isEqualTo(1);
        failures.clear(0x1000);
        assertThat(failures.last(0x1000)).isNull();
        assertThat(failures.record(0x1000, "d").attempts()).as("counting starts again").isEqualTo(1);
    }

    @Test
    void aHugeAttemptCountDoesNotOverflowTheShift() {
        FetchFailures failures = new FetchFailures(MS, 1000 * MS);
        FetchFailures.Failure f = new FetchFailures.Failure(200, 0, "x");
        assertThat(failures.retryAt(f)).isEqualTo(1000 * MS);
    }
}
