package org.paravane.emulated.cpu.exec.sse;

import static org.paravane.emulated.cpu.exec.sse.SoftFloat.DOUBLE;
import static org.paravane.emulated.cpu.exec.sse.SoftFloat.SINGLE;

/**
 * The common case of {@link SoftFloat} without big integers: round to nearest, normal operands of moderate size and
 * a normal result, computed with Java's own IEEE arithmetic (which rounds to nearest, as SSE does under the default
 * MXCSR). In that window no operation can overflow, underflow or see a denormal, so the only flag left is PE, found
 * by an exactness check: the rounding error of a sum by TwoSum, of a product, quotient or square root by one FMA
 * (the error of a correctly rounded result is representable when nothing underflows, hence the window).
 * <p>
 * binary32 goes through binary64: a float operation computed in double and rounded once more is correctly rounded
 * (53 ≥ 2 × 24 + 2, Figueroa), and it is exact only when both steps are. Every method answers {@link #MISS} when its
 * case is not one of these; the caller then takes the exact path. {@code FastFloatTest} checks the two paths agree.
 */
final class FastFloat {
    private FastFloat() {
    }

    /** An SNaN: never a result here, where results are normal numbers or (conversions) integers below 2^62. */
    static final long MISS = 0x7FF4_0000_0000_0001L;

    private static final double LOW = 0x1p-900, HIGH = 0x1p900;

    static long arith(Mxcsr m, SoftFloat.Format f, int op, long a, long b) {
        if (m.mode() != Mxcsr.RN) {
            return MISS;
        }
        if (f == DOUBLE) {
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
            if (!moderate(x) || !moderate(y)) {
                return MISS;
            }
            double r = compute(op, x, y);
            if (!moderate(r)) {
                return MISS;
            }
            if (!exact(op, x, y, r)) {
                m.flags |= Mxcsr.PE;
            }
            return Double.doubleToRawLongBits(r);
        }
        if (!normalSingle(a) || !normalSingle(b)) {
            return MISS;
        }
        double x = Float.intBitsToFloat((int) a), y = Float.intBitsToFloat((int) b);
        double d = compute(op, x, y);
        return single(m, d, exact(op, x, y, d));
    }

    static long sqrt(Mxcsr m, SoftFloat.Format f, long a) {
        if (m.mode() != Mxcsr.RN) {
            return MISS;
        }
        if (f == DOUBLE) {
            double x = Double.longBitsToDouble(a);
            if (!moderate(x) || x < 0) {
                return MISS;
            }
            double r = Math.sqrt(x);
            if (Math.fma(r, r, -x) != 0) {
                m.flags |= Mxcsr.PE;
            }
            return Double.doubleToRawLongBits(r);
        }
        if (!normalSingle(a) || (a & 0x8000_0000L) != 0) {
            return MISS;
        }
        double x = Float.intBitsToFloat((int) a);
        double d = Math.sqrt(x);
        return single(m, d, Math.fma(d, d, -x) == 0);
    }

    /** CVTSI2SD/SS: Java's long-to-floating conversions round to nearest. Zero stays with the exact path. */
    static long fromInteger(Mxcsr m, SoftFloat.Format f, long v) {
        if (m.mode() != Mxcsr.RN || v == 0) {
            return MISS;
        }
        if (f == DOUBLE) {
            double d = v;
            if (d == 0x1p63 || (long) d != v) {
                m.flags |= Mxcsr.PE;
            }
            return Double.doubleToRawLongBits(d);
        }
        float s = v;
        if (s == 0x1p63f || (long) s != v) {
            m.flags |= Mxcsr.PE;
        }
        return Float.floatToRawIntBits(s) & 0xFFFF_FFFFL;
    }

    /** CVTSS2SD is exact for every normal float (any mode); CVTSD2SS rounds to nearest. */
    static long convert(Mxcsr m, SoftFloat.Format from, long x) {
        if (from == SINGLE) {
            return normalSingle(x) ? Double.doubleToRawLongBits(Float.intBitsToFloat((int) x)) : MISS;
        }
        double d = Double.longBitsToDouble(x);
        if (m.mode() != Mxcsr.RN || !moderate(d)) {
            return MISS;
        }
        return single(m, d, true);
    }

    /** CVT(T)SD2SI/CVT(T)SS2SI of normal values well inside the integer's range. */
    static long toInteger(Mxcsr m, SoftFloat.Format f, long x, int bits, boolean truncate) {
        if (!truncate && m.mode() != Mxcsr.RN) {
            return MISS;
        }
        double d;
        if (f == DOUBLE) {
            d = Double.longBitsToDouble(x);
            if (!normalDouble(x)) {
                return MISS;
            }
        } else {
            if (!normalSingle(x)) {
                return MISS;
            }
            d = Float.intBitsToFloat((int) x);
        }
        if (Math.abs(d) >= (bits == 32 ? 0x1p30 : 0x1p62)) {
            return MISS;
        }
        double whole = truncate ? (double) (long) d : Math.rint(d);
        if (whole != d) {
            m.flags |= Mxcsr.PE;
        }
        long r = (long) whole;
        return bits == 32 ? r & 0xFFFF_FFFFL : r;
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static double compute(int op, double x, double y) {
        return switch (op) {
            case SoftFloat.ADD -> x + y;
            case SoftFloat.SUB -> x - y;
            case SoftFloat.MUL -> x * y;
            default -> x / y;
        };
    }

    /** Whether r is op(x, y) exactly, r being its correctly rounded value and nothing underflowing. */
    private static boolean exact(int op, double x, double y, double r) {
        return switch (op) {
            case SoftFloat.ADD -> twoSumError(x, y, r) == 0;
            case SoftFloat.SUB -> twoSumError(x, -y, r) == 0;
            case SoftFloat.MUL -> Math.fma(x, y, -r) == 0;
            default -> Math.fma(r, y, -x) == 0;
        };
    }

    /** Knuth's TwoSum: the exact x + y − s for s = fl(x + y), without overflow. */
    private static double twoSumError(double x, double y, double s) {
        double yy = s - x;
        double xx = s - yy;
        return (x - xx) + (y - yy);
    }

    /** d (a double holding a float operation's result) rounded to binary32 when that result is normal. */
    private static long single(Mxcsr m, double d, boolean exactSoFar) {
        float r = (float) d;
        if (!(Math.abs(r) > Float.MIN_NORMAL) || Float.isInfinite(r)) {
            return MISS;
        }
        if (!exactSoFar || r != d) {
            m.flags |= Mxcsr.PE;
        }
        return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
    }

    private static boolean moderate(double v) {
        double a = Math.abs(v);
        return a >= LOW && a <= HIGH;
    }

    private static boolean normalDouble(long x) {
        long e = x & 0x7FF0_0000_0000_0000L;
        return e != 0 && e != 0x7FF0_0000_0000_0000L;
    }

    private static boolean normalSingle(long x) {
        long e = x & 0x7F80_0000L;
        return e != 0 && e != 0x7F80_0000L;
    }
}
