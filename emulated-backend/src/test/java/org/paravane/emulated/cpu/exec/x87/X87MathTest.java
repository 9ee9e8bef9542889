package org.paravane.emulated.cpu.exec.x87;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The 80-bit arithmetic library against results measured on the host CPU (AMD EPYC, with a C probe using
 * FLDT/FMULP/FXSAVE): precision control, tininess after rounding, the denormal and unsupported operand rules, the
 * conversions, the constants' rounding. (Every form is also compared instruction by instruction in difftest.)
 */
class X87MathTest {
    static final int RN = 0x37F, PC24 = 0x07F;

    static F80 v(int se, long sig) {
        return new F80(se, sig);
    }

    @Test
    void precisionControlRoundsTinyProductsAndTininessIsDetectedAfterRounding() {
        F80 a = v(16382, 0xFFFF_FFFC_0000_0000L);               // 1 - 2^-30
        F80 b = v(1, 0x8000_0000_0000_0000L);                   // 2^-16382
        FpEnv e24 = new FpEnv(PC24);
        assertThat(X87Math.arith(e24, X87Math.MUL, a, b)).isEqualTo(v(1, 0x8000_0000_0000_0000L));
        assertThat(e24.flags).as("rounded up to the smallest normal: not tiny, no UE").isEqualTo(FpEnv.PE);
        assertThat(e24.roundedUp).isTrue();
        FpEnv e64 = new FpEnv(RN);
        assertThat(X87Math.arith(e64, X87Math.MUL, a, b)).isEqualTo(v(0, 0x7FFF_FFFE_0000_0000L));
        assertThat(e64.flags).as("tiny but exact: masked underflow is not flagged").isZero();
        FpEnv e = new FpEnv(RN);
        assertThat(X87Math.arith(e, X87Math.MUL, v(16382, -1L), b)).isEqualTo(v(1, 0x8000_0000_0000_0000L));
        assertThat(e.flags).isEqualTo(FpEnv.UE | FpEnv.PE);
    }

    @Test
    void denormalsUnderPrecisionControlKeepTheirFixedSignificandBits() {
        FpEnv e = new FpEnv(0x87F);                             // PC 24, round up
        F80 r = X87Math.arith(e, X87Math.MUL, v(16382, 0xFFFF_FFFF_FFFF_FFFFL), v(0x8000, 0x7FFF_FFFF_FFFF_FFFFL));
        assertThat(r).isEqualTo(v(0x8000, 0x7FFF_FF00_0000_0000L));
    }

    @Test
    void pseudoDenormalsAreDenormalOperandsAndUnnormalsAreInvalid() {
        FpEnv e = new FpEnv(RN);
        assertThat(X87Math.arith(e, X87Math.MUL, v(0, 0x8000_0000_0000_0000L), F80.ONE)).isEqualTo(v(1, 0x8000_0000_0000_0000L));
        assertThat(e.flags).isEqualTo(FpEnv.DE);
        e = new FpEnv(RN);
        assertThat(X87Math.arith(e, X87Math.MUL, v(0, 1), F80.ONE)).isEqualTo(v(0, 1));
        assertThat(e.flags).isEqualTo(FpEnv.DE);
        e = new FpEnv(RN);
        assertThat(X87Math.arith(e, X87Math.MUL, v(0x3FFF, 1), F80.ONE)).isEqualTo(F80.INDEFINITE);
        assertThat(e.flags).isEqualTo(FpEnv.IE);
    }

    @Test
    void nanPropagationPrefersTheQuietNaNThenTheLargerSignificand() {
        F80 snan = v(0x7FFF, 0x8000_0000_0000_0001L), qnan = v(0x7FFF, 0xC000_0000_0000_0002L);
        FpEnv e = new FpEnv(RN);
        assertThat(X87Math.arith(e, X87Math.ADD, snan, qnan)).isEqualTo(qnan);
        assertThat(e.flags).isEqualTo(FpEnv.IE);
        e = new FpEnv(RN);
        assertThat(X87Math.arith(e, X87Math.ADD, F80.INDEFINITE, qnan)).isEqualTo(qnan);
        assertThat(X87Math.arith(e, X87Math.SUB, F80.INDEFINITE.withSign(false), F80.INDEFINITE))
                .as("equal significands: the positive one").isEqualTo(F80.INDEFINITE.withSign(false));
    }

    @Test
    void divisionSquareRootAndOverflowResponses() {
        FpEnv e = new FpEnv(RN);
        assertThat(X87Math.arith(e, X87Math.DIV, F80.ONE, F80.ZERO)).isEqualTo(F80.inf(false));
        assertThat(e.flags).isEqualTo(FpEnv.ZE);
        e = new FpEnv(RN);
        assertThat(X87Math.sqrt(e, v(0x4000, 0x8000_0000_0000_0000L))).isEqualTo(v(0x3FFF, 0xB504_F333_F9DE_6484L));
        assertThat(e.flags).isEqualTo(FpEnv.PE);
        F80 max = v(0x7FFE, -1L);
        e = new FpEnv(0xF7F);                                   // round toward zero: the largest finite
        assertThat(X87Math.arith(e, X87Math.ADD, max, max)).isEqualTo(max);
        assertThat(e.flags).isEqualTo(FpEnv.OE | FpEnv.PE);
        e = new FpEnv(0x377);                                   // overflow unmasked: bias-adjusted by 2^-24576
        assertThat(X87Math.arith(e, X87Math.ADD, max, max)).isEqualTo(v(0x7FFF - 24576, -1L));
        assertThat(e.flags).isEqualTo(FpEnv.OE);
    }

    @Test
    void conversionsRoundByTheRoundingControl() {
        FpEnv e = new FpEnv(RN);
        assertThat(F80s.toInt(e, v(0x4000, 0xA000_0000_0000_0000L), 32, false)).isEqualTo(2);          // 2.5: even
        assertThat(e.flags).isEqualTo(FpEnv.PE);
        e = new FpEnv(0x77F);
        assertThat(F80s.toInt(e, v(0xC000, 0xA000_0000_0000_0000L), 32, false)).isEqualTo(-3);
        assertThat(e.roundedUp).isTrue();
        e = new FpEnv(RN);
        assertThat(F80s.toInt(e, v(0x403E, 0x8000_0000_0000_0000L), 64, false)).isEqualTo(Long.MIN_VALUE);
        assertThat(e.flags).as("2^63 is out of range").isEqualTo(FpEnv.IE);
        e = new FpEnv(RN);
        assertThat(F80s.toDouble(e, F80s.fromDouble(e, Double.doubleToRawLongBits(0.1))))
                .isEqualTo(Double.doubleToRawLongBits(0.1));
        assertThat(F80s.toSingle(e, v(0x3FFF, 0x8000_0002_0000_0000L))).isEqualTo(Float.floatToRawIntBits(1f));
        assertThat(e.flags).isEqualTo(FpEnv.PE);
        assertThat(F80s.fromInt(Long.MIN_VALUE)).isEqualTo(v(0xC03E, 0x8000_0000_0000_0000L));
        long[] bcd = F80s.toBcd(new FpEnv(RN), F80s.fromInt(-123456789012345678L));
        assertThat(bcd).containsExactly(0x3456_7890_1234_5678L, 0x8012);
        assertThat(F80s.fromBcd(bcd[0], (int) bcd[1])).isEqualTo(F80s.fromInt(-123456789012345678L));
    }

    @Test
    void constantsFollowTheRoundingControl() {
        assertThat(X87Load.constant(0, 3)).isEqualTo(v(0x4000, 0xC90F_DAA2_2168_C235L));
        assertThat(X87Load.constant(3, 3)).isEqualTo(v(0x4000, 0xC90F_DAA2_2168_C234L));
        assertThat(X87Load.constant(0, 1)).isEqualTo(v(0x4000, 0xD49A_784B_CD1B_8AFEL));
        assertThat(X87Load.constant(2, 1)).isEqualTo(v(0x4000, 0xD49A_784B_CD1B_8AFFL));
        assertThat(X87Load.constant(0, 5)).isEqualTo(v(0x3FFE, 0xB172_17F7_D1CF_79ACL));
    }
}
