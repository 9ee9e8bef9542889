package org.paravane.emulated.cpu.exec.x87;

import java.math.BigInteger;

/**
 * The transcendental functions' values to {@link #P} bits (far beyond the 64 the x87 keeps, so rounding the
 * truncated value once with a sticky bit gives the correctly rounded result): a value is m · 2^e, m a signed big
 * integer kept to P bits. The reduction for sin/cos/tan is exact with the host's 68-bit π ({@link #PI_HOST_FIX}),
 * as the hardware reduces, not with the true π.
 */
record Approx(BigInteger m, int e) {
    static final int P = 256, FIX = 600;
    private static final BigInteger PI_FIX = pi(FIX + 16).shiftRight(16);
    private static final BigInteger LN2_FIX = ln2(FIX + 16).shiftRight(16);
    static final Approx PI = new Approx(PI_FIX, -FIX).norm(), LN2 = new Approx(LN2_FIX, -FIX).norm();
    /**
     * The π the host (AMD EPYC, like Intel's 66-bit one) reduces by: 68 bits, 0xC90FDAA22168C234C · 2^-66. Measured:
     * sin of FLDPI's value is exactly -2^-64 on the host (π - this constant), -0.92 · 2^-64 with an exact π.
     */
    private static final BigInteger PI_HOST_FIX = new BigInteger("C90FDAA22168C234C", 16).shiftLeft(FIX - 66);
    static final Approx ONE = new Approx(BigInteger.ONE, 0), TWO = new Approx(BigInteger.TWO, 0);

    static Approx of(F80 a) {
        BigInteger m = a.mag();
        return new Approx(a.neg() ? m.negate() : m, a.lsbExp()).norm();
    }

    static Approx of(long v) {
        return new Approx(BigInteger.valueOf(v), 0);
    }

    boolean neg() {
        return m.signum() < 0;
    }

    /** The exponent of the leading bit (meaningless for zero). */
    int top() {
        return e + m.bitLength() - 1;
    }

    Approx norm() {
        int excess = m.bitLength() - P;
        if (excess <= 0) {
            return this;
        }
        BigInteger q = m.abs().shiftRight(excess);
        return new Approx(m.signum() < 0 ? q.negate() : q, e + excess);
    }

    Approx negate() {
        return new Approx(m.negate(), e);
    }

    Approx mul(Approx b) {
        return new Approx(m.multiply(b.m), e + b.e).norm();
    }

    Approx add(Approx b) {
        if (m.signum() == 0) {
            return b;
        }
        if (b.m.signum() == 0) {
            return this;
        }
        Approx x = this, y = b;
        // An addend far below the other only nudges it (a sticky bit well below the P bits kept).
        if (x.top() - y.top() > P + 8) {
            y = new Approx(BigInteger.valueOf(y.m.signum()), x.top() - P - 8);
        } else if (y.top() - x.top() > P + 8) {
            x = new Approx(BigInteger.valueOf(x.m.signum()), y.top() - P - 8);
        }
        int lo = Math.min(x.e, y.e);
        return new Approx(x.m.shiftLeft(x.e - lo).add(y.m.shiftLeft(y.e - lo)), lo).norm();
    }

    Approx sub(Approx b) {
        return add(b.negate());
    }

    Approx div(Approx b) {
        int shift = P + 8 + b.m.bitLength() - m.bitLength();
        return new Approx(m.shiftLeft(shift).divide(b.m), e - shift - b.e).norm();
    }

    Approx half() {
        return new Approx(m, e - 1);
    }

    Approx sqrt() {
        int shift = 2 * P + 2 - m.bitLength();
        if (((e - shift) & 1) != 0) {
            shift++;
        }
        return new Approx(m.shiftLeft(shift).sqrt(), (e - shift) / 2).norm();
    }

    /** Whether a series term t no longer changes a sum of leading exponent {@code top}. */
    private static boolean negligible(Approx t, int top) {
        return t.m.signum() == 0 || t.top() < top - P - 4;
    }

    /** sin r and cos r for |r| ≤ π/4 (Taylor). */
    static Approx[] sinCos(Approx r) {
        Approx r2 = r.mul(r), s = r, c = ONE, ts = r, tc = ONE;
        for (int n = 1; ; n++) {
            ts = ts.mul(r2).div(of(-(2L * n) * (2L * n + 1)));
            tc = tc.mul(r2).div(of(-(2L * n - 1) * (2L * n)));
            s = s.add(ts);
            c = c.add(tc);
            if (negligible(ts, s.top()) && negligible(tc, -1)) {
                return new Approx[] {s, c};
            }
        }
    }

    /** x = k · π/2 + r with |r| ≤ π/4 (|x| < 2^63, at most 64 significant bits): {k mod 4, r}. */
    static Object[] reduce(F80 x) {
        Approx a = of(x);
        if (x.exp() < F80.BIAS - 1) {                     // |x| < 1/2: no reduction
            return new Object[] {0, a};
        }
        BigInteger fixed = a.m.shiftLeft(a.e + FIX), halfPi = PI_HOST_FIX.shiftRight(1);
        BigInteger k = fixed.add(halfPi.shiftRight(1)).divide(halfPi);
        if (fixed.signum() < 0) {
            k = fixed.subtract(halfPi.shiftRight(1)).divide(halfPi);
        }
        BigInteger r = fixed.subtract(k.multiply(halfPi));
        return new Object[] {k.intValue() & 3, new Approx(r, -FIX).norm()};
    }

    /** atan t for 0 ≤ t ≤ 1: two argument halvings, then the series. */
    static Approx atan(Approx t) {
        for (int i = 0; i < 2; i++) {
            t = t.div(ONE.add(ONE.add(t.mul(t)).sqrt()));
        }
        Approx t2 = t.mul(t), sum = t, term = t;
        for (long n = 1; ; n++) {
            term = term.mul(t2).negate();
            Approx q = term.div(of(2 * n + 1));
            sum = sum.add(q);
            if (negligible(q, sum.top())) {
                return new Approx(sum.m, sum.e + 2);
            }
        }
    }

    /** ln(1 + x) = 2 atanh(x / (2 + x)) for x > -1 of modest size (relative precision for tiny x). */
    static Approx log1p(Approx x) {
        Approx s = x.div(TWO.add(x)), s2 = s.mul(s), sum = s, pow = s;
        for (long n = 1; ; n++) {
            pow = pow.mul(s2);
            Approx q = pow.div(of(2 * n + 1));
            sum = sum.add(q);
            if (negligible(q, sum.top())) {
                return new Approx(sum.m, sum.e + 1);
            }
        }
    }

    /** log2 x for x > 0: its binary exponent plus log2 of the significand scaled into [√½, √2). */
    static Approx log2(F80 x) {
        return log2(of(x));
    }

    static Approx log2(Approx x) {
        BigInteger m = x.m;
        int exp = x.top();
        Approx sig = new Approx(m, 1 - m.bitLength());        // [1, 2)
        if (m.pow(2).compareTo(BigInteger.ONE.shiftLeft(2 * m.bitLength() - 1)) >= 0) {
            sig = sig.half();                                  // sig ≥ √2
            exp++;
        }
        return of(exp).add(log1p(sig.sub(ONE)).div(LN2));
    }

    /**
     * 2^x - 1: expm1(x ln 2) for |x| ≤ 1 (Taylor; relative precision for tiny x); beyond (undefined for F2XM1),
     * 2^n · 2^(x-n) - 1 with n the nearest integer, the exponent clamped far outside the extended range.
     */
    static Approx exp2m1(Approx x) {
        if (x.top() >= 1) {
            if (x.top() > 20) {
                return x.neg() ? ONE.negate().add(new Approx(BigInteger.ONE, -(1 << 20))) : new Approx(BigInteger.ONE, 1 << 20);
            }
            int k = x.e >= 0 ? x.m.shiftLeft(x.e).intValueExact()
                    : x.m.shiftLeft(1).add(BigInteger.ONE.shiftLeft(-x.e)).shiftRight(1 - x.e).intValueExact();  // round(x)
            Approx pow = exp2m1(x.sub(of(k))).add(ONE);
            return new Approx(pow.m, pow.e + k).sub(ONE);
        }
        Approx z = x.mul(LN2), sum = z, term = z;
        for (long n = 2; ; n++) {
            term = term.mul(z).div(of(n));
            sum = sum.add(term);
            if (negligible(term, sum.top())) {
                return sum;
            }
        }
    }

    /** π · 2^bits by Machin: 16 atan(1/5) - 4 atan(1/239). */
    private static BigInteger pi(int bits) {
        return atanInv(5, bits).shiftLeft(4).subtract(atanInv(239, bits).shiftLeft(2));
    }

    private static BigInteger atanInv(int n, int bits) {
        BigInteger one = BigInteger.ONE.shiftLeft(bits), nn = BigInteger.valueOf((long) n * n);
        BigInteger pow = one.divide(BigInteger.valueOf(n)), sum = pow;
        for (int k = 1; pow.signum() != 0; k++) {
            pow = pow.divide(nn);
            BigInteger t = pow.divide(BigInteger.valueOf(2L * k + 1));
            sum = (k & 1) != 0 ? sum.subtract(t) : sum.add(t);
        }
        return sum;
    }

    /** ln 2 · 2^bits = Σ 1/(k 2^k). */
    private static BigInteger ln2(int bits) {
        BigInteger sum = BigInteger.ZERO;
        for (int k = 1; k < bits + 8; k++) {
            sum = sum.add(BigInteger.ONE.shiftLeft(bits - k).divide(BigInteger.valueOf(k)));
        }
        return sum;
    }
}
