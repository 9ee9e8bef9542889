package org.paravane.emulated.cpu.exec.x87;

import java.math.BigInteger;

/**
 * x87 arithmetic on {@link F80} values, exactly as the hardware rounds it: the exact result (a big integer times a
 * power of two, a sticky bit for division and square root) rounded once by {@link Rounding}. Operand rules first:
 * unsupported encodings and SNaNs are invalid, NaNs propagate (the larger significand of two), denormal operands
 * flag DE.
 */
public final class X87Math {
    private X87Math() {
    }

    public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    /** The NaN result of a, b (at least one a NaN, neither unsupported): IE for an SNaN. */
    static F80 nan(FpEnv env, F80 a, F80 b) {
        if (a.isSNaN() || b != null && b.isSNaN()) {
            env.flags |= FpEnv.IE;
        }
        if (b == null || !b.isNaN()) {
            return a.quiet();
        }
        if (!a.isNaN()) {
            return b.quiet();
        }
        if (a.isSNaN() != b.isSNaN()) {
            return (a.isSNaN() ? b : a).quiet();          // an SNaN and a QNaN: the QNaN
        }
        long qa = a.sig() | F80.QUIET_BIT, qb = b.sig() | F80.QUIET_BIT;
        int c = Long.compareUnsigned(qa, qb);
        if (c == 0) {
            return (a.se() < b.se() ? a : b).quiet();
        }
        return (c > 0 ? a : b).quiet();
    }

    /** Flags DE for denormal and pseudo-denormal operands. */
    static void denormals(FpEnv env, F80 a, F80 b) {
        if (a.isDenormal() || a.isPseudoDenormal() || b != null && (b.isDenormal() || b.isPseudoDenormal())) {
            env.flags |= FpEnv.DE;
        }
    }

    /** Whether the operation stops before its result: unsupported operands or NaNs are handled by the caller. */
    static boolean special(F80 a, F80 b) {
        return a.isUnsupported() || b != null && b.isUnsupported() || a.isNaN() || b != null && b.isNaN();
    }

    static F80 specialResult(FpEnv env, F80 a, F80 b) {
        if (a.isUnsupported() || b != null && b.isUnsupported()) {
            return env.invalid();
        }
        return nan(env, a, b);
    }

    /** a op b, op one of {@link #ADD} {@link #SUB} {@link #MUL} {@link #DIV}. */
    public static F80 arith(FpEnv env, int op, F80 a, F80 b) {
        if (special(a, b)) {
            return specialResult(env, a, b);
        }
        if (op == SUB) {
            b = b.negate();
        }
        return switch (op) {
            case ADD, SUB -> add(env, a, b);
            case MUL -> mul(env, a, b);
            default -> div(env, a, b);
        };
    }

    private static F80 add(FpEnv env, F80 a, F80 b) {
        if (a.isInf() || b.isInf()) {
            if (a.isInf() && b.isInf() && a.neg() != b.neg()) {
                return env.invalid();
            }
            denormals(env, a, b);
            return a.isInf() ? a : b;
        }
        denormals(env, a, b);
        if (a.isZero() && b.isZero()) {
            return a.neg() == b.neg() ? a : F80.zero(env.rc == FpEnv.RD);
        }
        if (a.isZero() || b.isZero()) {
            F80 x = a.isZero() ? b : a;
            return Rounding.toExtended(env, x.neg(), x.mag(), x.lsbExp(), false);
        }
        BigInteger ma = a.mag(), mb = b.mag();
        int ea = a.lsbExp(), eb = b.lsbExp();
        // An operand far below the other only decides rounding: a single bit well under the larger one's last bit.
        if (ea - eb > 140) {
            mb = BigInteger.ONE;
            eb = ea - 140;
        } else if (eb - ea > 140) {
            ma = BigInteger.ONE;
            ea = eb - 140;
        }
        int e = Math.min(ea, eb);
        BigInteger sa = ma.shiftLeft(ea - e), sb = mb.shiftLeft(eb - e);
        if (a.neg()) {
            sa = sa.negate();
        }
        if (b.neg()) {
            sb = sb.negate();
        }
        BigInteger sum = sa.add(sb);
        if (sum.signum() == 0) {
            return F80.zero(env.rc == FpEnv.RD);
        }
        return Rounding.toExtended(env, sum.signum() < 0, sum.abs(), e, false);
    }

    private static F80 mul(FpEnv env, F80 a, F80 b) {
        boolean neg = a.neg() != b.neg();
        if (a.isInf() || b.isInf()) {
            if (a.isZero() || b.isZero()) {
                return env.invalid();
            }
            denormals(env, a, b);
            return F80.inf(neg);
        }
        denormals(env, a, b);
        if (a.isZero() || b.isZero()) {
            return F80.zero(neg);
        }
        return Rounding.toExtended(env, neg, a.mag().multiply(b.mag()), a.lsbExp() + b.lsbExp(), false);
    }

    private static F80 div(FpEnv env, F80 a, F80 b) {
        boolean neg = a.neg() != b.neg();
        if (a.isInf()) {
            if (b.isInf()) {
                return env.invalid();
            }
            denormals(env, a, b);
            return F80.inf(neg);
        }
        if (b.isInf()) {
            denormals(env, a, b);
            return F80.zero(neg);
        }
        if (b.isZero()) {
            if (a.isZero()) {
                return env.invalid();
            }
            env.flags |= FpEnv.ZE;                        // a denormal dividend is not flagged
            return F80.inf(neg);
        }
        denormals(env, a, b);
        if (a.isZero()) {
            return F80.zero(neg);
        }
        BigInteger ma = a.mag(), mb = b.mag();
        int k = Math.max(0, 68 + mb.bitLength() - ma.bitLength());
        BigInteger[] qr = ma.shiftLeft(k).divideAndRemainder(mb);
        return Rounding.toExtended(env, neg, qr[0], a.lsbExp() - b.lsbExp() - k, qr[1].signum() != 0);
    }

    public static F80 sqrt(FpEnv env, F80 a) {
        if (special(a, null)) {
            return specialResult(env, a, null);
        }
        if (a.isZero()) {
            return a;
        }
        if (a.neg()) {
            return env.invalid();
        }
        if (a.isInf()) {
            return a;
        }
        denormals(env, a, null);
        BigInteger m = a.mag();
        int e = a.lsbExp();
        int s = Math.max(0, 140 - m.bitLength());
        if (((e - s) & 1) != 0) {
            s++;
        }
        BigInteger x = m.shiftLeft(s);
        BigInteger r = x.sqrt();
        return Rounding.toExtended(env, false, r, (e - s) / 2, !r.multiply(r).equals(x));
    }

    /** Rounds to an integer in the rounding control (FRNDINT); precision control does not apply. */
    public static F80 roundToInt(FpEnv env, F80 a) {
        if (special(a, null)) {
            return specialResult(env, a, null);
        }
        if (a.isInf() || a.isZero()) {
            return a;
        }
        denormals(env, a, null);
        int e = a.lsbExp();
        if (e >= 0) {
            return a;
        }
        BigInteger m = a.mag();
        BigInteger q = m.shiftRight(-e);
        boolean half = m.testBit(-e - 1);
        boolean rest = m.getLowestSetBit() < -e - 1;
        boolean inexact = half || rest;
        boolean up = switch (env.rc) {
            case FpEnv.RN -> half && (rest || q.testBit(0));
            case FpEnv.RD -> inexact && a.neg();
            case FpEnv.RU -> inexact && !a.neg();
            default -> false;
        };
        if (inexact) {
            env.flags |= FpEnv.PE;
            env.roundedUp = up;
        }
        if (up) {
            q = q.add(BigInteger.ONE);
        }
        if (q.signum() == 0) {
            return F80.zero(a.neg());
        }
        long[] bits = Rounding.encode(Rounding.EXTENDED, a.neg(), q, 0);
        return F80s.fromBits(bits);
    }

    /** Total order of finite/infinite values: -1, 0, 1 (neither may be a NaN or unsupported). */
    static int compareValues(F80 a, F80 b) {
        if (a.isZero() && b.isZero()) {
            return 0;
        }
        BigInteger va = exact(a), vb = exact(b);
        return Integer.signum(va.compareTo(vb));
    }

    /** The value scaled to an integer (only for comparisons: infinities as huge numbers). */
    private static BigInteger exact(F80 a) {
        BigInteger m = a.isInf() ? BigInteger.ONE.shiftLeft(40000) : a.mag().shiftLeft(a.lsbExp() + 16445 + 64);
        return a.neg() ? m.negate() : m;
    }

    /** Comparison result: {@link #LESS} {@link #EQUAL} {@link #GREATER} or {@link #UNORDERED}. */
    public static final int LESS = 0, EQUAL = 1, GREATER = 2, UNORDERED = 3;

    /** FCOM (signalling: any NaN is invalid) and FUCOM (only SNaNs are) compare. */
    public static int compare(FpEnv env, F80 a, F80 b, boolean signalling) {
        if (a.isUnsupported() || b.isUnsupported()) {
            env.flags |= FpEnv.IE;
            return UNORDERED;
        }
        if (a.isNaN() || b.isNaN()) {
            if (signalling || a.isSNaN() || b.isSNaN()) {
                env.flags |= FpEnv.IE;
            }
            return UNORDERED;
        }
        denormals(env, a, b);
        int c = compareValues(a, b);
        return c < 0 ? LESS : c == 0 ? EQUAL : GREATER;
    }
}
