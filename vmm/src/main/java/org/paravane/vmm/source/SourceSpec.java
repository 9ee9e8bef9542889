package org.paravane.vmm.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.persist.Snapshot;

/**
 * A page source as the shell and Config Admin name it:
 * {@code kind[:argument][,latency=<duration>][,bandwidth=<rate>][,fail-after=<reads>]}.
 * Kinds: {@code zero}, {@code pattern[:seed]}, {@code file:<path>}, {@code snapshot:<path>[#region]}. Durations take
 * ns/us/ms/s, rates B/KB/MB/GB per second ({@code 100MB/s}).
 *
 * @param kind      zero, pattern, file or snapshot
 * @param argument  the seed, path or empty
 * @param latencyNanos per-request latency added in front of the source
 * @param bytesPerSecond shared bandwidth, 0 for unlimited
 * @param failAfter  fault injection: reads after this many fail with an I/O error; -1 for never
 */
public record SourceSpec(String kind, String argument, long latencyNanos, long bytesPerSecond, long failAfter) {

    public SourceSpec(String kind, String argument, long latencyNanos, long bytesPerSecond) {
        this(kind, argument, latencyNanos, bytesPerSecond, -1);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s)");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)(B|KB|MB|GB)/s", Pattern.CASE_INSENSITIVE);

    public static SourceSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty page source (allowed: zero, pattern[:seed], file:<path>, snapshot:<path>)");
        }
        String[] parts = spec.strip().split(",");
        String head = parts[0].strip();
        int colon = head.indexOf(':');
        String kind = (colon < 0 ? head : head.substring(0, colon)).toLowerCase(Locale.ROOT);
        String argument = colon < 0 ? "" : head.substring(colon + 1);
        switch (kind) {
            case "zero", "pattern" -> {
                if (kind.equals("pattern") && !argument.isEmpty() && !argument.matches("-?\\d+")) {
                    throw new IllegalArgumentException("page source '" + spec + "': pattern seed must be a number, got '" + argument + "'");
                }
            }
            case "file", "snapshot" -> {
                if (argument.isEmpty()) {
                    throw new IllegalArgumentException("page source '" + spec + "': " + kind + " needs a path (" + kind + ":<path>)");
                }
            }
            default -> throw new IllegalArgumentException("page source '" + spec + "': unknown kind '" + kind
                    + "' (allowed: zero, pattern[:seed], file:<path>, snapshot:<path>)");
        }
        long latency = 0;
        long rate = 0;
        long failAfter = -1;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].strip().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("page source '" + spec + "': '" + parts[i] + "' is not key=value");
            }
            switch (kv[0].strip().toLowerCase(Locale.ROOT)) {
                case "latency" -> latency = duration(spec, kv[1].strip());
                case "bandwidth" -> rate = rate(spec, kv[1].strip());
                case "fail-after" -> {
                    try {
                        failAfter = Long.parseLong(kv[1].strip());
                    } catch (NumberFormatException e) {
                        failAfter = -2;
                    }
                    if (failAfter < 0) {
                        throw new IllegalArgumentException("page source '" + spec + "': fail-after '" + kv[1]
                                + "' is not a number of reads");
                    }
                }
                default -> throw new IllegalArgumentException("page source '" + spec + "': unknown option '" + kv[0]
                        + "' (allowed: latency, bandwidth, fail-after)");
            }
        }
        return new SourceSpec(kind, argument, latency, rate, failAfter);
    }

    private static long duration(String spec, String s) {
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("page source '" + spec + "': latency '" + s + "' is not a duration like 100us or 1ms");
        }
        double v = Double.parseDouble(m.group(1));
        return (long) switch (m.group(2)) {
            case "ns" -> v;
            case "us", "µs" -> v * 1e3;
            case "ms" -> v * 1e6;
            default -> v * 1e9;
        };
    }

    private static long rate(String spec, String s) {
        Matcher m = RATE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("page source '" + spec + "': bandwidth '" + s + "' is not a rate like 100MB/s");
        }
        double v = Double.parseDouble(m.group(1));
        return (long) switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "B" -> v;
            case "KB" -> v * 1e3;
            case "MB" -> v * 1e6;
            default -> v * 1e9;
        };
    }

    /** Size of the content the source has on its own (a file's length), or -1 when it has none. */
    public long contentLength() throws IOException {
        return switch (kind) {
            case "file" -> Files.size(Path.of(argument));
            case "snapshot" -> Snapshot.read(Path.of(argument)).dataBytes();
            default -> -1;
        };
    }

    /** The CPU model a snapshot source was taken under; empty for the other kinds. */
    public Optional<CpuModel> cpuModel() throws IOException {
        return kind.equals("snapshot") ? Optional.of(Snapshot.read(Path.of(argument)).cpuModel()) : Optional.empty();
    }

    /** The source serving a region at guest-physical {@code base}. */
    public PageSource open(long base) throws IOException {
        PageSource raw = switch (kind) {
            case "zero" -> PageSource.ZERO;
            case "pattern" -> new PatternPageSource(argument.isEmpty() ? 1 : Long.parseLong(argument));
            case "file" -> FilePageSource.whole(Path.of(argument), base);
            case "snapshot" -> Snapshot.read(Path.of(argument)).dataSource(base);
            default -> throw new AssertionError(kind);
        };
        PageSource shaped = latencyNanos == 0 && bytesPerSecond == 0 ? raw : new ShapedPageSource(raw, latencyNanos, bytesPerSecond);
        return failAfter < 0 ? shaped : new FailingPageSource(shaped, failAfter);
    }

    @Override
    public String toString() {
        return kind + (argument.isEmpty() ? "" : ":" + argument)
                + (latencyNanos == 0 ? "" : ",latency=" + latencyNanos / 1000 + "us")
                + (bytesPerSecond == 0 ? "" : ",bandwidth=" + bytesPerSecond / 1_000_000 + "MB/s")
                + (failAfter < 0 ? "" : ",fail-after=" + failAfter);
    }
}
