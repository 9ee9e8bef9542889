package org.paravane.vmm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void unitsAndThePlainUnitOfTheOption() {
        assertThat(Durations.parse("100us", "--x", ChronoUnit.MILLIS)).isEqualTo(Duration.ofNanos(100_000));
        assertThat(Durations.parse("100µs", "--x", ChronoUnit.MILLIS)).isEqualTo(Duration.ofNanos(100_000));
        assertThat(Durations.parse("3ms", "--x", ChronoUnit.MICROS)).isEqualTo(Duration.ofMillis(3));
        assertThat(Durations.parse("2.5s", "--x", ChronoUnit.MICROS)).isEqualTo(Duration.ofMillis(2500));
        assertThat(Durations.parse("1m", "--x", ChronoUnit.SECONDS)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("3000", "--latency", ChronoUnit.MICROS)).isEqualTo(Duration.ofMillis(3));
        assertThat(Durations.parse("3000", "--time", ChronoUnit.MILLIS)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void nonsenseIsRefusedWithTheOption() {
        assertThatThrownBy(() -> Durations.parse("soon", "--timeout", ChronoUnit.SECONDS))
                .hasMessage("--timeout 'soon' is not a duration like 100us, 3ms, 2s or 1m (a plain number is in seconds)");
        assertThatThrownBy(() -> Durations.parse("0s", "--time", ChronoUnit.MILLIS)).hasMessageContaining("--time '0s'");
        assertThatThrownBy(() -> Durations.parse("-1ms", "--time", ChronoUnit.MILLIS)).hasMessageContaining("--time '-1ms'");
    }
}
