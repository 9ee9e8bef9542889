package org.paravane.emulated.cpu.exec.sse;

import java.math.BigInteger;

/**
 * IEEE 754 binary32/binary64 arithmetic as SSE does it, bit for bit: every MXCSR rounding mode, DAZ and FTZ,
 * tininess detected after rounding, x86 NaN rules (the first source's NaN wins, SNaNs are quieted, invalid operations
 * give the negative QNaN "indefinite") and the six exception flags, accumulated in {@link Mxcsr#flags}. Finite
 * nonzero operands go through one exact path: the exact result (a big integer times a power of two, plus a sticky
 * bit for division and square root) rounded once to the target format. Values are raw bits (binary32 in the low 32).
 * The common case (round to nearest, normal values) first tries {@link FastFloat}; the {@code exact*} methods are the
 * exact path alone.
 */
final class SoftFloat {
    private SoftFloat() {
    }

    /** A binary format: precision (with the hidden bit), exponent range, field widths. */
    record Format(int p, int emin, int emax, int expBits) {
        int bias() {
            return emax;
        }

        long signBit() {
            return 1L << (p - 1 + expBits);
        }

        long expMask() {
            return ((1L << expBits) - 1) << (p - 1);
        }

        long fracMask() {
            return (1L << (p - 1)) - 1;
        }

        long quietBit() {
            return 1L << (p - 2);
        }

        /** The QNaN indefinite: sign set, exponent all ones, the quiet bit. */
        long indefinite() {
            return signBit() | expMask() | quietBit();
        }

        long infinity(boolean neg) {
            return (neg ? signBit() : 0) | expMask();
        }

        long zero(boolean neg) {
            return neg ? signBit() : 0;
        }

        long max(boolean neg) {
            return (neg ? signBit() : 0) | (expMask() - (1L << (p - 1))) | fracMask();
        }
    }

    static final Format SINGLE = new Format(24, -126, 127, 8);
    static final Format DOUBLE = new Format(53, -1022, 1023, 11);

    // ---- classification ---------------------------------------------------------------------------------------

    static boolean isNaN(Format f, long x) {
        return (x & f.expMask()) == f.expMask() && (x & f.fracMask()) != 0;
    }

    static boolean isSNaN(Format f, long x) {
        return isNaN(f, x) && (x & f.quietBit()) == 0;
    }

    static boolean isInf(Format f, long x) {
        return (x & (f.expMask() | f.fracMask())) == f.expMask();
    }

    static boolean isZero(Format f, long x) {
        return (x & (f.expMask() | f.fracMask())) == 0;
    }

    static boolean isDenormal(Format f, long x) {
        return (x & f.expMask()) == 0 && (x & f.fracMask()) != 0;
    }

    static boolean negative(Format f, long x) {
        return (x & f.signBit()) != 0;
    }

    /** DAZ and the denormal-operand flag: the operand as the operation sees it. */
    static long operand(Mxcsr m, Format f, long x) {
        if (isDenormal(f, x)) {
            if (m.daz()) {
                return x & f.signBit();
            }
            m.flags |= Mxcsr.DE;
        }
        return x;
    }

    /** The result of an operation with a NaN operand: IE for an SNaN; the first NaN operand, quieted. */
    static long nanResult(Mxcsr m, Format f, long a, long b) {
        if (isSNaN(f, a) || isSNaN(f, b)) {
            m.flags |= Mxcsr.IE;
        }
        return isNaN(f, a) ? a | f.quietBit() : b | f.quietBit();
    }

    // ---- arithmetic ---------------------------------------------------------------------------------------------

    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    /** a op b. DE is raised only when no NaN makes the operation invalid first. */
    static long arith(Mxcsr m, Format f, int op, long a, long b) {
        long fast = FastFloat.arith(m, f, op, a, b);
        if (fast != FastFloat.MISS) {
            return fast;
        }
        return exactArith(m, f, op, a, b);
    }

    /** {@link #arith} without the fast path. */
    static long exactArith(Mxcsr m, Format f, int op, long a, long b) {
        if (isNaN(f, a) || isNaN(f, b)) {
            return nanResult(m, f, a, b);
        }
        int before = m.flags;
        a = operand(m, f, a);
        b = operand(m, f, b);
        if (op == SUB) {
            b ^= f.signBit();
        }
        boolean na = negative(f, a), nb = negative(f, b);
        boolean ia = isInf(f, a), ib = isInf(f, b), za = isZero(f, a), zb = isZero(f, b);
        switch (op) {
            case ADD, SUB -> {
                if (ia || ib) {
                    if (ia && ib && na != nb) {
                        return invalid(m, f);
                    }
                    return ia ? a : b;
                }
                if (za && zb) {
                    return na == nb ? a : f.zero(m.mode() == Mxcsr.RD);
                }
                if (za || zb) {
                    long r = za ? b : a;                  // exact, but a denormal result is still tiny (FTZ, UE)
                    return isDenormal(f, r) ? round(m, f, negative(f, r), BigInteger.valueOf(significand(f, r)),
                            exponent(f, r), false) : r;
                }
            }
            case MUL -> {
                boolean neg = na != nb;
                if (ia || ib) {
                    return za || zb ? invalid(m, f) : f.infinity(neg);
                }
                if (za || zb) {
                    return f.zero(neg);
                }
            }
            default -> {
                boolean neg = na != nb;
                if (ia) {
                    return ib ? invalid(m, f) : f.infinity(neg);
                }
                if (ib) {
                    return f.zero(neg);
                }
                if (zb) {
                    if (za) {
                        return invalid(m, f);
                    }
                    m.flags = before | Mxcsr.ZE;           // a denormal dividend: ZE alone (hardware)
                    return f.infinity(neg);
                }
                if (za) {
                    return f.zero(neg);
                }
            }
        }
        long ma = significand(f, a), mb = significand(f, b);
        int ea = exponent(f, a), eb = exponent(f, b);
        return switch (op) {
            case ADD, SUB -> {
                int e = Math.min(ea, eb);
                BigInteger x = BigInteger.valueOf(ma).shiftLeft(ea - e);
                BigInteger y = BigInteger.valueOf(mb).shiftLeft(eb - e);
                BigInteger s = (na ? x.negate() : x).add(nb ? y.negate() : y);
                if (s.signum() == 0) {
                    yield f.zero(m.mode() == Mxcsr.RD);
                }
                yield round(m, f, s.signum() < 0, s.abs(), e, false);
            }
            case MUL -> round(m, f, na != nb, BigInteger.valueOf(ma).multiply(BigInteger.valueOf(mb)), ea + eb, false);
            default -> {
                int k = 2 * f.p() + 2;
                BigInteger[] qr = BigInteger.valueOf(ma).shiftLeft(k).divideAndRemainder(BigInteger.valueOf(mb));
                yield round(m, f, na != nb, qr[0], ea - eb - k, qr[1].signum() != 0);
            }
        };
    }

    static long sqrt(Mxcsr m, Format f, long a) {
        long fast = FastFloat.sqrt(m, f, a);
        return fast != FastFloat.MISS ? fast : exactSqrt(m, f, a);
    }

    static long exactSqrt(Mxcsr m, Format f, long a) {
        if (isNaN(f, a)) {
            return nanResult(m, f, a, a);
        }
        if (negative(f, a) && isDenormal(f, a) && !m.daz()) {
            return invalid(m, f);                        // invalid outranks the denormal operand
        }
        a = operand(m, f, a);
        if (isZero(f, a)) {
            return a;
        }
        if (negative(f, a)) {
            return invalid(m, f);
        }
        if (isInf(f, a)) {
            return a;
        }
        long ma = significand(f, a);
        int ea = exponent(f, a);
        int k = 2 * f.p() + 4 + (ea & 1);                   // an even total exponent, ample precision
        BigInteger n = BigInteger.valueOf(ma).shiftLeft(k);
        BigInteger r = n.sqrt();
        return round(m, f, false, r, (ea - k) / 2, !r.multiply(r).equals(n));
    }

    private static long invalid(Mxcsr m, Format f) {
        m.flags |= Mxcsr.IE;
        return f.indefinite();
    }

    /** The significand of a finite nonzero value, as an integer (hidden bit included for normals). */
    static long significand(Format f, long x) {
        long frac = x & f.fracMask();
        return (x & f.expMask()) == 0 ? frac : frac | (1L << (f.p() - 1));
    }

    /** The exponent of the significand's least significant bit. */
    static int exponent(Format f, long x) {
        int biased = (int) ((x & f.expMask()) >>> (f.p() - 1));
        return Math.max(biased, 1) - f.bias() - (f.p() - 1);
    }

    // ---- rounding -----------------------------------------------------------------------------------------------

    /**
     * Rounds (-1)^neg × mag × 2^exp (plus a little more when {@code sticky}) to {@code f} under MXCSR: overflow,
     * underflow (tiny after rounding, FTZ when UM is masked) and inexact flags.
     */
    static long round(Mxcsr m, Format f, boolean neg, BigInteger mag, int exp, boolean sticky) {
        int n = mag.bitLength();
        int e = exp + n - 1;                                 // the value lies in [2^e, 2^(e+1))
        int lsb = Math.max(e - f.p() + 1, f.emin() - f.p() + 1);
        long[] kept = new long[1];
        boolean inexact = roundAt(m.mode(), neg, mag, exp, sticky, lsb, kept);
        long k = kept[0];
        if (k == (1L << f.p())) {                           // carried out: one more exponent
            k >>>= 1;
            lsb++;
        }
        // Rounded to full precision with an unbounded exponent: tininess, and the inexactness an unmasked OE/UE reports
        // (the handler would get that bias-adjusted result).
        long[] unbounded = new long[1];
        boolean inexactUnbounded = roundAt(m.mode(), neg, mag, exp, sticky, e - f.p() + 1, unbounded);
        boolean carried = unbounded[0] == (1L << f.p());
        boolean tiny = e < f.emin() && !(carried && e + 1 >= f.emin());
        if (lsb + f.p() - 1 > f.emax()) {
            m.flags |= m.masked(Mxcsr.OE) ? Mxcsr.OE | Mxcsr.PE : Mxcsr.OE | (inexactUnbounded ? Mxcsr.PE : 0);
            m.overflowed = true;
            int mode = m.mode();
            boolean toInf = mode == Mxcsr.RN || mode == Mxcsr.RD && neg || mode == Mxcsr.RU && !neg;
            return toInf ? f.infinity(neg) : f.max(neg);
        }
        if (tiny) {
            if (!m.masked(Mxcsr.UE)) {
                m.flags |= Mxcsr.UE | (inexactUnbounded ? Mxcsr.PE : 0);
                return 0;                                    // not written: #XM follows
            } else if (m.ftz()) {
                m.flags |= Mxcsr.UE | Mxcsr.PE;
                return f.zero(neg);
            } else if (inexact) {
                m.flags |= Mxcsr.UE;
            }
        }
        if (inexact) {
            m.flags |= Mxcsr.PE;
        }
        long bits = ((long) (lsb - (f.emin() - f.p() + 1)) << (f.p() - 1)) + k;
        return neg ? bits | f.signBit() : bits;
    }

    /** Keeps the bits of mag × 2^exp from 2^lsb up, rounded by {@code mode}; whether anything was lost. */
    private static boolean roundAt(int mode, boolean neg, BigInteger mag, int exp, boolean sticky, int lsb, long[] out) {
        int shift = lsb - exp;
        if (shift <= 0) {
            out[0] = mag.shiftLeft(-shift).longValueExact();
            return sticky;
        }
        BigInteger k = mag.shiftRight(shift);
        BigInteger rest = mag.subtract(k.shiftLeft(shift));
        boolean lost = rest.signum() != 0 || sticky;
        long kept = k.longValueExact();
        if (lost) {
            int half = rest.compareTo(BigInteger.ONE.shiftLeft(shift - 1));
            boolean up = switch (mode) {
                case Mxcsr.RN -> half > 0 || half == 0 && (sticky || (kept & 1) != 0);
                case Mxcsr.RD -> neg;
                case Mxcsr.RU -> !neg;
                default -> false;
            };
            if (up) {
                kept++;
            }
        }
        out[0] = kept;
        return lost;
    }

    /** An exact integer value rounded to {@code f} (CVTSI2SS/SD, CVTDQ2PS). */
    static long fromInteger(Mxcsr m, Format f, long v) {
        long fast = FastFloat.fromInteger(m, f, v);
        return fast != FastFloat.MISS ? fast : exactFromInteger(m, f, v);
    }

    static long exactFromInteger(Mxcsr m, Format f, long v) {
        if (v == 0) {
            return 0;
        }
        boolean neg = v < 0;
        BigInteger mag = BigInteger.valueOf(v).abs();
        return round(m, f, neg, mag, 0, false);
    }

    /** Conversion between the formats (CVTSS2SD, CVTSD2SS, CVTPS2PD, CVTPD2PS). */
    static long convert(Mxcsr m, Format from, Format to, long x) {
        long fast = from == to ? FastFloat.MISS : FastFloat.convert(m, from, x);
        return fast != FastFloat.MISS ? fast : exactConvert(m, from, to, x);
    }

    static long exactConvert(Mxcsr m, Format from, Format to, long x) {
        if (isNaN(from, x)) {
            if (isSNaN(from, x)) {
                m.flags |= Mxcsr.IE;
            }
            long payload = (x & from.fracMask()) >>> Math.max(0, from.p() - to.p());
            payload <<= Math.max(0, to.p() - from.p());
            return (negative(from, x) ? to.signBit() : 0) | to.expMask() | to.quietBit() | payload;
        }
        x = operand(m, from, x);
        boolean neg = negative(from, x);
        if (isInf(from, x)) {
            return to.infinity(neg);
        }
        if (isZero(from, x)) {
            return to.zero(neg);
        }
        return round(m, to, neg, BigInteger.valueOf(significand(from, x)), exponent(from, x), false);
    }

    /**
     * To a signed integer of {@code bits} (32 or 64), rounded by MXCSR or truncated: NaN and out of range give the
     * integer indefinite (the most negative value) with IE.
     */
    static long toInteger(Mxcsr m, Format f, long x, int bits, boolean truncate) {
        long fast = FastFloat.toInteger(m, f, x, bits, truncate);
        return fast != FastFloat.MISS ? fast : exactToInteger(m, f, x, bits, truncate);
    }

    static long exactToInteger(Mxcsr m, Format f, long x, int bits, boolean truncate) {
        long indefinite = bits == 32 ? 0x8000_0000L : Long.MIN_VALUE;
        if (isNaN(f, x) || isInf(f, x)) {
            m.flags |= Mxcsr.IE;
            return indefinite;
        }
        if (m.daz() && isDenormal(f, x)) {
            return 0;                                    // no denormal-operand flag on conversions to integers
        }
        if (isZero(f, x)) {
            return 0;
        }
        boolean neg = negative(f, x);
        BigInteger mag = BigInteger.valueOf(significand(f, x));
        int exp = exponent(f, x);
        BigInteger whole;
        boolean lost;
        if (exp >= 0) {
            whole = mag.shiftLeft(Math.min(exp, 200));
            lost = false;
        } else {
            whole = mag.shiftRight(-exp);
            BigInteger rest = mag.subtract(whole.shiftLeft(-exp));
            lost = rest.signum() != 0;
            if (lost && !truncate) {
                int half = rest.compareTo(BigInteger.ONE.shiftLeft(-exp - 1));
                boolean up = switch (m.mode()) {
                    case Mxcsr.RN -> half > 0 || half == 0 && whole.testBit(0);
                    case Mxcsr.RD -> neg;
                    case Mxcsr.RU -> !neg;
                    default -> false;
                };
                if (up) {
                    whole = whole.add(BigInteger.ONE);
                }
            }
        }
        BigInteger v = neg ? whole.negate() : whole;
        if (v.bitLength() > bits - 1) {
            m.flags |= Mxcsr.IE;
            return indefinite;
        }
        if (lost) {
            m.flags |= Mxcsr.PE;
        }
        long r = v.longValue();
        return bits == 32 ? r & 0xFFFF_FFFFL : r;
    }

    // ---- comparisons, min/max -----------------------------------------------------------------------------------

    /** -1, 0, 1, or 2 for unordered; IE for an SNaN, or for a QNaN when {@code signalling}. */
    static int compare(Mxcsr m, Format f, long a, long b, boolean signalling) {
        if (isNaN(f, a) || isNaN(f, b)) {
            if (signalling || isSNaN(f, a) || isSNaN(f, b)) {
                m.flags |= Mxcsr.IE;
            }
            return 2;
        }
        a = operand(m, f, a);
        b = operand(m, f, b);
        double x = value(f, a), y = value(f, b);
        return x < y ? -1 : x > y ? 1 : 0;
    }

    /** MINPS/MAXPS & co: the second operand when either is a NaN (IE) or both are zeros, else the smaller/larger. */
    static long minMax(Mxcsr m, Format f, long a, long b, boolean max) {
        if (isNaN(f, a) || isNaN(f, b)) {
            m.flags |= Mxcsr.IE;
            return m.daz() && isDenormal(f, b) ? b & f.signBit() : b;
        }
        long da = operand(m, f, a), db = operand(m, f, b);
        double x = value(f, da), y = value(f, db);
        boolean first = max ? x > y : x < y;
        return first ? da : db;
    }

    static double value(Format f, long x) {
        return f == DOUBLE ? Double.longBitsToDouble(x) : Float.intBitsToFloat((int) x);
    }
}
