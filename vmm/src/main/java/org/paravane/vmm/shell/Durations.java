package org.paravane.vmm.shell;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users type them: 100us, 3ms, 2.5s, 1m; a plain number is in the option's own unit. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|min|h)?");

    private Durations() {
    }

    /**
     * @param plainUnit the unit of a number without one (the option's historical unit, e.g. µs for {@code --latency})
     * @throws IllegalArgumentException naming the option when {@code text} is not a positive duration
     */
    public static Duration parse(String text, String option, ChronoUnit plainUnit) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            ChronoUnit unit = m.group(2) == null ? plainUnit : switch (m.group(2)) {
                case "ns" -> ChronoUnit.NANOS;
                case "us", "µs" -> ChronoUnit.MICROS;
                case "ms" -> ChronoUnit.MILLIS;
                case "s" -> ChronoUnit.SECONDS;
                case "m", "min" -> ChronoUnit.MINUTES;
                default -> ChronoUnit.HOURS;
            };
            try {
                long nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit.getDuration().toNanos()))
                        .longValueExact();
                if (nanos > 0) {
                    return Duration.ofNanos(nanos);
                }
            } catch (ArithmeticException tooLongOrFractionalNanos) {
                // falls through to the message
            }
        }
        throw new IllegalArgumentException(option + " '" + text + "' is not a duration like 100us, 3ms, 2s or 1m"
                + " (a plain number is in " + plainUnit.toString().toLowerCase(Locale.ROOT) + ")");
    }
}
