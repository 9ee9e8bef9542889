package org.paravane.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A run cut into short windows (about 10 ms), each with the guest instructions it retired and the translator's
 * totals at its end, and what they say about warm-up: the steady rate (the median window of the run's last quarter),
 * when the rate reached it (the end of the first window where the median of the {@value #SPAN} windows centred on it
 * is at least {@value #REACHED_PERCENT}% of it: a lone fast window does not count, a GC pause after it does not undo
 * it), and
 * whether it was still rising at the end (the last quarter's median more than {@value #RISING_PERCENT}% above the
 * third quarter's: then the run was too short to say).
 */
record WarmupCurve(List<Window> windows) {

    static final int SPAN = 5, REACHED_PERCENT = 90, RISING_PERCENT = 5;

    /**
     * One window: its length, the instructions retired in it, and the translator's totals at its end (blocks
     * translated, nanoseconds spent translating, class-file bytes; zeros when the VM interprets).
     */
    record Window(long nanos, long instructions, long translated, long translationNanos, long translationBytes) {
        double mips() {
            return nanos <= 0 ? 0 : instructions * 1e3 / nanos;
        }
    }

    /** What the curve says; times in milliseconds from the VM's first instruction. */
    record Summary(double steadyMips, double msToSteady, double mInstructionsToSteady, double firstWindowMips,
                   boolean stillRising, long translated, double usPerTranslation, double bytesPerBlock,
                   double translationMsToSteady) {
        /** How many guest instructions a VM running at {@code mips} retires in the time of one translation. */
        double translationInInstructions(double mips) {
            return usPerTranslation * mips;
        }

        String line() {
            return String.format(Locale.ROOT, "steady %.0f MIPS%s after %.0f ms (%.1f M instr; first 10 ms %.0f MIPS);"
                    + " %d blocks translated, %.0f us and %.0f bytes each, %.0f ms translating before steady",
                    steadyMips, stillRising ? " (still rising)" : "", msToSteady, mInstructionsToSteady,
                    firstWindowMips, translated, usPerTranslation, bytesPerBlock, translationMsToSteady);
        }
    }

    WarmupCurve {
        windows = List.copyOf(windows);
        if (windows.size() < 4 * SPAN) {
            throw new IllegalArgumentException("a warm-up curve needs at least " + 4 * SPAN + " windows, got "
                    + windows.size());
        }
    }

    Summary summary() {
        int n = windows.size(), quarter = n / 4;
        double steady = median(n - quarter, n), before = median(n - 2 * quarter, n - quarter);
        int reached = n - 1;
        for (int i = 0; i < n; i++) {   // the median of the SPAN windows centred on i (fewer at the ends)
            if (median(Math.max(0, i - SPAN / 2), Math.min(n, i + SPAN / 2 + 1)) >= steady * REACHED_PERCENT / 100) {
                reached = i;
                break;
            }
        }
        long nanos = 0, instructions = 0;
        for (int i = 0; i <= reached; i++) {
            nanos += windows.get(i).nanos();
            instructions += windows.get(i).instructions();
        }
        Window last = windows.getLast(), atSteady = windows.get(reached);
        return new Summary(steady, nanos / 1e6, instructions / 1e6, windows.getFirst().mips(),
                steady > before * (100 + RISING_PERCENT) / 100, last.translated(),
                last.translated() == 0 ? 0 : last.translationNanos() / 1e3 / last.translated(),
                last.translated() == 0 ? 0 : (double) last.translationBytes() / last.translated(),
                atSteady.translationNanos() / 1e6);
    }

    /** MIPS per window of {@code per} windows each, for printing the curve's shape. */
    List<Double> coarse(int per) {
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i + per <= windows.size(); i += per) {
            long nanos = 0, instructions = 0;
            for (Window w : windows.subList(i, i + per)) {
                nanos += w.nanos();
                instructions += w.instructions();
            }
            rates.add(instructions * 1e3 / nanos);
        }
        return rates;
    }

    private double median(int from, int to) {
        double[] m = windows.subList(from, to).stream().mapToDouble(Window::mips).sorted().toArray();
        return m.length % 2 == 1 ? m[m.length / 2] : (m[m.length / 2 - 1] + m[m.length / 2]) / 2;
    }

    @Override
    public String toString() {
        return Arrays.toString(coarse(10).stream().mapToLong(Math::round).toArray());
    }
}
