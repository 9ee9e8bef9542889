package org.paravane.vmm.demo;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.paravane.vmm.kernel.WaitPolicy;

/**
 * The experiment's runs summed up per mode: the median run (by the workers' rate) with the spread of the rounds, and
 * the gain of the decision table over async page faults off as the ratio of the two medians, with the spread of the
 * per-round ratios (each round's modes ran next to each other, on an equally warm CPU).
 */
final class ModeSummary {

    private ModeSummary() {
    }

    /** The runs of one mode, in the order they ran. */
    static List<AsyncPfExperiment.Result> of(List<AsyncPfExperiment.Result> results, WaitPolicy p) {
        return results.stream().filter(r -> r.policy() == p).toList();
    }

    /** The median run of a mode by work rate (the lower middle one of an even count). */
    static AsyncPfExperiment.Result median(List<AsyncPfExperiment.Result> runs) {
        List<AsyncPfExperiment.Result> sorted = runs.stream()
                .sorted(Comparator.comparingDouble(AsyncPfExperiment.Result::workPerSecond)).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** One row per mode: the median run's figures (counts are of its timed part), the rounds' spread of work/s. */
    static String table(List<AsyncPfExperiment.Result> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "  %-16s %6s %9s %15s %8s %9s %9s %9s %8s %9s %8s%n", "mode (median)", "runs",
                "work/s", "spread", "pages/s", "async PF", "schedule", "halt", "dummies", "vCPU idle", "warm-up"));
        for (WaitPolicy p : AsyncPfExperiment.MODES) {
            List<AsyncPfExperiment.Result> runs = of(results, p);
            if (runs.isEmpty()) {
                continue;
            }
            AsyncPfExperiment.Result m = median(runs);
            double min = runs.stream().mapToDouble(AsyncPfExperiment.Result::workPerSecond).min().orElseThrow();
            double max = runs.stream().mapToDouble(AsyncPfExperiment.Result::workPerSecond).max().orElseThrow();
            RunCounters c = m.measured();
            b.append(String.format(Locale.ROOT, "  %-16s %6d %9.1f %15s %8.1f %9d %9d %9d %8d %8.1f%% %7.2fs%n",
                    AsyncPfExperiment.label(p), runs.size(), m.workPerSecond(), String.format(Locale.ROOT, "%.1f-%.1f", min, max),
                    m.pagesPerSecond(), c.asyncFaults(), c.scheduleWaits(), c.haltWaits(), c.dummies(), m.idlePercent(),
                    m.warmNanos() / 1e9));
        }
        return b.toString();
    }

    /** The decision table's median work rate over async PF off's (NaN when off did no work). */
    static double gain(List<AsyncPfExperiment.Result> results) {
        double off = median(of(results, WaitPolicy.OFF)).workPerSecond();
        return off == 0 ? Double.NaN : median(of(results, WaitPolicy.DECISION_TABLE)).workPerSecond() / off;
    }

    /** Each round's table rate over its off rate, lowest and highest. */
    static double[] roundGains(List<AsyncPfExperiment.Result> results) {
        List<AsyncPfExperiment.Result> off = of(results, WaitPolicy.OFF), table = of(results, WaitPolicy.DECISION_TABLE);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < Math.min(off.size(), table.size()); i++) {
            double g = table.get(i).workPerSecond() / off.get(i).workPerSecond();
            lo = Math.min(lo, g);
            hi = Math.max(hi, g);
        }
        return new double[] {lo, hi};
    }

    /** The gain line: the median gain and the rounds' spread. */
    static String gainLine(String key, String backend, List<AsyncPfExperiment.Result> results) {
        double[] spread = roundGains(results);
        int rounds = of(results, WaitPolicy.OFF).size();
        return String.format(Locale.ROOT, "  gain (%s, %s): %.2fx (medians of %d rounds; per round %.2fx-%.2fx)%n", key,
                backend, gain(results), rounds, spread[0], spread[1]);
    }
}
