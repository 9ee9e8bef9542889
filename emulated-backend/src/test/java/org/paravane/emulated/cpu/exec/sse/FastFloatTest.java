package org.paravane.emulated.cpu.exec.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.emulated.cpu.exec.sse.SoftFloat.DOUBLE;
import static org.paravane.emulated.cpu.exec.sse.SoftFloat.SINGLE;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.paravane.emulated.cpu.FpuState;

/**
 * The fast path gives exactly what the exact path gives — result bits, flags, overflow — for operands of every kind
 * (random bit patterns across the whole range, the edges of the fast window, integers whose results are exact,
 * values that round, denormals, NaNs, infinities) under the default MXCSR and the others. Each test also checks that
 * the fast path took a good share of the cases, so it cannot pass by never applying. (The comparison of the same
 * instructions with the host CPU is the difftest module's SSE suite.)
 */
class FastFloatTest {
    /** Default; PE unmasked; DAZ+FTZ; RD; RU; RZ; everything unmasked. */
    private static final int[] MXCSRS = {0x1F80, 0x0F80, 0x9FC0, 0x3F80, 0x5F80, 0x7F80, 0x0000};
    private static final int PAIRS = 8_000;

    private final Random random = new Random(14);
    private final List<String> wrong = new ArrayList<>();
    private int fast, total;

    private interface Op {
        long apply(Mxcsr m);
    }

    @Test
    void doubleArithmeticAndSquareRoot() {
        List<Long> values = doubles();
        for (int mx : MXCSRS) {
            for (int i = 0; i < PAIRS; i++) {
                long a = pick(values), b = pick(values);
                for (int op = 0; op < 4; op++) {
                    int o = op;
                    check("op" + op + "sd", mx, a, b, m -> FastFloat.arith(m, DOUBLE, o, a, b),
                            m -> SoftFloat.arith(m, DOUBLE, o, a, b), m -> SoftFloat.exactArith(m, DOUBLE, o, a, b));
                }
                check("sqrtsd", mx, a, 0, m -> FastFloat.sqrt(m, DOUBLE, a), m -> SoftFloat.sqrt(m, DOUBLE, a),
                        m -> SoftFloat.exactSqrt(m, DOUBLE, a));
            }
        }
        verdict();
    }

    @Test
    void singleArithmeticAndSquareRoot() {
        List<Long> values = singles();
        for (int mx : MXCSRS) {
            for (int i = 0; i < PAIRS; i++) {
                long a = pick(values), b = pick(values);
                for (int op = 0; op < 4; op++) {
                    int o = op;
                    check("op" + op + "ss", mx, a, b, m -> FastFloat.arith(m, SINGLE, o, a, b),
                            m -> SoftFloat.arith(m, SINGLE, o, a, b), m -> SoftFloat.exactArith(m, SINGLE, o, a, b));
                }
                check("sqrtss", mx, a, 0, m -> FastFloat.sqrt(m, SINGLE, a), m -> SoftFloat.sqrt(m, SINGLE, a),
                        m -> SoftFloat.exactSqrt(m, SINGLE, a));
            }
        }
        verdict();
    }

    @Test
    void conversions() {
        List<Long> doubles = doubles(), singles = singles();
        List<Long> ints = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ints.add(random.nextLong());
            ints.add(random.nextLong() >> random.nextInt(64));
            ints.add((1L << random.nextInt(63)) + random.nextInt(5) - 2);
            ints.add(-(1L << random.nextInt(63)) + random.nextInt(5) - 2);
        }
        ints.addAll(List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53, (1L << 53) + 1, 1L << 24, (1L << 24) + 1));
        for (int mx : MXCSRS) {
            for (long v : ints) {
                check("cvtsi2sd", mx, v, 0, m -> FastFloat.fromInteger(m, DOUBLE, v),
                        m -> SoftFloat.fromInteger(m, DOUBLE, v), m -> SoftFloat.exactFromInteger(m, DOUBLE, v));
                check("cvtsi2ss", mx, v, 0, m -> FastFloat.fromInteger(m, SINGLE, v),
                        m -> SoftFloat.fromInteger(m, SINGLE, v), m -> SoftFloat.exactFromInteger(m, SINGLE, v));
                int w = (int) v;
                check("cvtdq2pd", mx, w, 0, m -> FastFloat.fromInteger(m, DOUBLE, w),
                        m -> SoftFloat.fromInteger(m, DOUBLE, w), m -> SoftFloat.exactFromInteger(m, DOUBLE, w));
            }
            for (int i = 0; i < PAIRS; i++) {
                long d = pick(doubles), s = pick(singles);
                check("cvtsd2ss", mx, d, 0, m -> FastFloat.convert(m, DOUBLE, d),
                        m -> SoftFloat.convert(m, DOUBLE, SINGLE, d), m -> SoftFloat.exactConvert(m, DOUBLE, SINGLE, d));
                check("cvtss2sd", mx, s, 0, m -> FastFloat.convert(m, SINGLE, s),
                        m -> SoftFloat.convert(m, SINGLE, DOUBLE, s), m -> SoftFloat.exactConvert(m, SINGLE, DOUBLE, s));
                for (int bits : new int[] {32, 64}) {
                    for (boolean t : new boolean[] {false, true}) {
                        check("cvt" + (t ? "t" : "") + "sd2si" + bits, mx, d, 0,
                                m -> FastFloat.toInteger(m, DOUBLE, d, bits, t),
                                m -> SoftFloat.toInteger(m, DOUBLE, d, bits, t),
                                m -> SoftFloat.exactToInteger(m, DOUBLE, d, bits, t));
                        check("cvt" + (t ? "t" : "") + "ss2si" + bits, mx, s, 0,
                                m -> FastFloat.toInteger(m, SINGLE, s, bits, t),
                                m -> SoftFloat.toInteger(m, SINGLE, s, bits, t),
                                m -> SoftFloat.exactToInteger(m, SINGLE, s, bits, t));
                    }
                }
            }
        }
        verdict();
    }

    // ---- the comparison -----------------------------------------------------------------------------------------

    private void check(String what, int mx, long a, long b, Op fastOnly, Op combined, Op exact) {
        total++;
        if (fastOnly.apply(mxcsr(mx)) != FastFloat.MISS) {
            fast++;
        }
        Mxcsr mc = mxcsr(mx), me = mxcsr(mx);
        long rc = combined.apply(mc), re = exact.apply(me);
        if ((rc != re || mc.flags != me.flags || mc.overflowed != me.overflowed) && wrong.size() < 20) {
            wrong.add(String.format("%s mxcsr %04x a %016x b %016x: fast %016x flags %02x, exact %016x flags %02x",
                    what, mx, a, b, rc, mc.flags, re, me.flags));
        }
    }

    private void verdict() {
        assertThat(wrong).isEmpty();
        assertThat(fast).as("cases the fast path took, of %d", total).isGreaterThan(total / 10);
    }

    private static Mxcsr mxcsr(int value) {
        FpuState f = new FpuState();
        f.mxcsr = value;
        return new Mxcsr(f);
    }

    private long pick(List<Long> values) {
        return values.get(random.nextInt(values.size()));
    }

    // ---- operands -----------------------------------------------------------------------------------------------

    private List<Long> doubles() {
        List<Long> v = new ArrayList<>(List.of(0L, 0x8000_0000_0000_0000L, 1L, 0x800F_FFFF_FFFF_FFFFL,
                0x0010_0000_0000_0000L, 0x7FEF_FFFF_FFFF_FFFFL, 0x7FF0_0000_0000_0000L, 0xFFF0_0000_0000_0000L,
                0x7FF8_0000_0000_0001L, 0x7FF0_0000_0000_0001L, bits(0x1p-900), bits(0x1p900), bits(0x1p-450),
                bits(Math.nextDown(0x1p-900)), bits(Math.nextUp(0x1p900)), bits(0x1p62), bits(-0x1p62),
                bits(Math.nextDown(0x1p62)), bits(0x1p30), bits(Math.nextDown(0x1p30)), bits(2.5), bits(3.5), bits(-2.5)));
        for (int i = 0; i < 400; i++) {
            v.add(random.nextLong());
            v.add(bits(random.nextInt(2000) - 1000.0));
            v.add(bits((random.nextInt(2000) - 1000) / 4.0));
            v.add(bits(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20)));
            v.add(bits(sign() * Math.scalb(1 + random.nextDouble(), 895 + random.nextInt(10))));
            v.add(bits(sign() * Math.scalb(1 + random.nextDouble(), -906 + random.nextInt(12))));
            v.add(bits(sign() * Math.scalb(1.0, random.nextInt(2100) - 1075)));
            v.add(bits(sign() * Math.scalb(1 + random.nextDouble(), random.nextInt(70) - 5)));
        }
        return v;
    }

    private List<Long> singles() {
        List<Long> v = new ArrayList<>(List.of(0L, 0x8000_0000L, 1L, 0x807F_FFFFL, 0x0080_0000L, 0x7F7F_FFFFL,
                0x7F80_0000L, 0xFF80_0000L, 0x7FC0_0001L, 0x7F80_0001L, fbits(0x1p-63f), fbits(0x1p63f), fbits(2.5f)));
        for (int i = 0; i < 400; i++) {
            v.add(random.nextLong() & 0xFFFF_FFFFL);
            v.add(fbits(random.nextInt(2000) - 1000f));
            v.add(fbits((float) (random.nextDouble() * Math.pow(10, random.nextInt(20) - 10))));
            v.add(fbits((float) (sign() * Math.scalb(1 + random.nextDouble(), random.nextInt(280) - 150))));
            v.add(fbits((float) (sign() * Math.scalb(1 + random.nextDouble(), random.nextInt(40) - 5))));
        }
        return v;
    }

    private double sign() {
        return random.nextBoolean() ? 1 : -1;
    }

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    private static long fbits(float f) {
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }
}
