package org.paravane.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Steady rate, time to reach it and the cost of a translation, from given windows. */
class WarmupCurveTest {

    private static final long MS10 = 10_000_000;

    /** 10 ms windows at these MIPS; the translator's totals grow by one block of 2 ms and 3,000 bytes per window. */
    private static WarmupCurve curve(double... mips) {
        List<WarmupCurve.Window> w = new ArrayList<>();
        for (int i = 0; i < mips.length; i++) {
            w.add(new WarmupCurve.Window(MS10, Math.round(mips[i] * 10_000), i + 1, (i + 1) * 2_000_000L, (i + 1) * 3_000L));
        }
        return new WarmupCurve(w);
    }

    private static double[] ramp(int rising, double from, double to, int flat) {
        double[] m = new double[rising + flat];
        for (int i = 0; i < m.length; i++) {
            m[i] = i < rising ? from + (to - from) * i / rising : to;
        }
        return m;
    }

    @Test
    void aRisingThenFlatRunIsSteadyWhereItsRateReachesNinetyPercentOfTheEnd() {
        // 100 -> 1000 MIPS over 20 windows (10 ms each), then flat for 60: 90% of 1000 is first reached at window 18
        WarmupCurve.Summary s = curve(ramp(20, 100, 1000, 60)).summary();
        assertThat(s.steadyMips()).isCloseTo(1000, within(1e-6));
        assertThat(s.msToSteady()).isCloseTo(190, within(1e-6));
        assertThat(s.firstWindowMips()).isCloseTo(100, within(1e-6));
        assertThat(s.stillRising()).isFalse();
        assertThat(s.translated()).isEqualTo(80);
        assertThat(s.usPerTranslation()).isCloseTo(2000, within(1e-6));
        assertThat(s.bytesPerBlock()).isCloseTo(3000, within(1e-6));
        assertThat(s.translationMsToSteady()).as("19 windows' 2 ms").isCloseTo(38, within(1e-6));
        assertThat(s.translationInInstructions(200)).as("2 ms at 200 MIPS").isCloseTo(400_000, within(1e-6));
    }

    @Test
    void aLoneFastWindowOrAPauseDoesNotMoveTheSteadyPoint() {
        double[] m = ramp(20, 100, 1000, 60);
        m[3] = 5000;   // one window measured fast (a short window, a timer quirk)
        m[40] = 10;    // a GC pause well after steady
        assertThat(curve(m).summary().msToSteady()).isCloseTo(190, within(1e-6));
    }

    @Test
    void anInterpreterThatStartsSteadyIsSteadyInItsFirstWindowAndTranslatesNothing() {
        double[] m = ramp(0, 200, 200, 40);
        List<WarmupCurve.Window> w = new ArrayList<>();
        for (double r : m) {
            w.add(new WarmupCurve.Window(MS10, Math.round(r * 10_000), 0, 0, 0));
        }
        WarmupCurve.Summary s = new WarmupCurve(w).summary();
        assertThat(s.msToSteady()).isCloseTo(10, within(1e-6));
        assertThat(s.translated()).isZero();
        assertThat(s.usPerTranslation()).isZero();
    }

    @Test
    void aRunStillRisingAtItsEndSaysSo() {
        assertThat(curve(ramp(40, 100, 1000, 0)).summary().stillRising()).isTrue();
    }

    @Test
    void tooShortARunIsRefused() {
        assertThatThrownBy(() -> curve(1, 2, 3)).hasMessageContaining("at least 20 windows, got 3");
    }
}
