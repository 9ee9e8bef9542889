package org.paravane.emulated.cpu.exec.x87;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Values and operand rules of the transcendentals where the exact answer is known (the host comparison is in difftest). */
class X87TranscendentalTest {
    static final int MASKED = 0x37F, RZ = 0xF7F;
    static final F80 PI_4 = new F80(0x3FFE, 0xC90F_DAA2_2168_C235L);

    @Test
    void atanOfOneOverOneIsPiOverFourRoundedByTheRoundingControl() {
        FpEnv env = new FpEnv(MASKED);
        assertThat(X87Transcendental.atan(env, F80.ONE, F80.ONE)).isEqualTo(PI_4);
        assertThat(env.flags).isEqualTo(FpEnv.PE);
        assertThat(env.roundedUp).isTrue();
        FpEnv down = new FpEnv(RZ);
        assertThat(X87Transcendental.atan(down, F80.ONE, F80.ONE)).isEqualTo(new F80(0x3FFE, 0xC90F_DAA2_2168_C234L));
        assertThat(down.roundedUp).isFalse();
        assertThat(X87Transcendental.atan(new FpEnv(MASKED), F80.ONE, F80.ONE.negate()))
                .as("3π/4 in the second quadrant").isEqualTo(new F80(0x4000, 0x96CB_E3F9_990E_91A8L));
    }

    @Test
    void sineOfATinyArgumentIsTheArgumentOrOneUlpBelow() {
        F80 x = new F80(F80.BIAS - 40, 0xA000_0000_0000_0000L);
        assertThat(X87Transcendental.trig(new FpEnv(MASKED), x, 0)).isEqualTo(x);
        assertThat(X87Transcendental.trig(new FpEnv(RZ), x, 0)).isEqualTo(new F80(F80.BIAS - 40, 0x9FFF_FFFF_FFFF_FFFFL));
        assertThat(X87Transcendental.trig(new FpEnv(MASKED), x, 1)).as("cos: 1 - x²/2 rounds to 1").isEqualTo(F80.ONE);
    }

    @Test
    void exactCasesRaiseNoPrecisionException() {
        FpEnv env = new FpEnv(MASKED);
        assertThat(X87Transcendental.f2xm1(env, F80.ONE.negate())).isEqualTo(new F80(0xBFFE, F80.INT_BIT));
        assertThat(X87Transcendental.yl2x(env, F80s.fromInt(3), F80s.fromInt(8))).isEqualTo(F80s.fromInt(9));
        assertThat(X87Transcendental.trig(env, F80.ZERO.negate(), 0)).isEqualTo(F80.ZERO.negate());
        assertThat(env.flags).isZero();
    }

    @Test
    void logarithmDomainRules() {
        FpEnv zero = new FpEnv(MASKED);
        assertThat(X87Transcendental.yl2x(zero, F80.ONE, F80.ZERO)).isEqualTo(F80.inf(true));
        assertThat(zero.flags).isEqualTo(FpEnv.ZE);
        FpEnv negative = new FpEnv(MASKED);
        assertThat(X87Transcendental.yl2x(negative, F80.ONE, F80.ONE.negate())).isEqualTo(F80.INDEFINITE);
        assertThat(negative.flags).isEqualTo(FpEnv.IE);
        FpEnv infTimesZero = new FpEnv(MASKED);
        assertThat(X87Transcendental.yl2xp1(infTimesZero, F80.inf(false), F80.ZERO)).isEqualTo(F80.INDEFINITE);
        assertThat(X87Transcendental.trig(new FpEnv(MASKED), F80.inf(false), 0)).isEqualTo(F80.INDEFINITE);
    }

    @Test
    void sineReducesByTheHostsSixtyEightBitPi() {
        // FLDPI's value minus the host's 68-bit π is exactly 2^-64: sin rounds to it (RN) or just below it (RZ).
        F80 pi = new F80(0x4000, 0xC90F_DAA2_2168_C235L);
        assertThat(X87Transcendental.trig(new FpEnv(MASKED), pi, 0)).isEqualTo(new F80(0xBFBF, F80.INT_BIT));
        assertThat(X87Transcendental.trig(new FpEnv(RZ), pi, 0)).isEqualTo(new F80(0xBFBE, -1L));
    }
}
