package org.paravane.emulated.cpu.exec.x87;

import java.math.BigInteger;

/**
 * Rounds an exact value, (-1)^neg · mag · 2^exp2 plus a sticky bit for nonzero bits below mag, to a binary format as
 * the x87 does: to the precision and rounding control of the {@link FpEnv}, tininess detected after rounding (with
 * an unbounded exponent), underflow flagged when tiny and inexact (masked) or tiny (unmasked), overflow and underflow
 * with their masked responses or, unmasked, the bias-adjusted result (exponent ∓ 24576) for a register destination.
 */
final class Rounding {
    private Rounding() {
    }

    /** A binary format: significand bits p (with the integer bit), leading-bit exponent range, exponent bias. */
    record Format(int p, int emin, int emax, int bias) {
        int denormLsb() {
            return emin - (p - 1);
        }
    }

    static final Format SINGLE = new Format(24, -126, 127, 127);
    static final Format DOUBLE = new Format(53, -1022, 1023, 1023);
    static final Format EXTENDED = new Format(64, -16382, 16383, 16383);
    static final int BIAS_ADJUST = 24576;

    /** q · 2^lsb, from rounding; inexact and whether the magnitude went up. */
    private record Rounded(BigInteger q, int lsb, boolean inexact, boolean up) {
        int leading() {
            return lsb + q.bitLength() - 1;
        }
    }

    private static Rounded round(int rc, boolean neg, BigInteger mag, int exp2, boolean sticky, int p, long denormLsb) {
        int leading = exp2 + mag.bitLength() - 1;
        int lsb = (int) Math.max(leading - p + 1, denormLsb);
        int shift = lsb - exp2;
        if (shift <= 0) {
            return new Rounded(mag.shiftLeft(-shift), lsb, sticky, false);    // sticky only comes with > p + 1 bits
        }
        BigInteger q = mag.shiftRight(shift);
        boolean half = mag.testBit(shift - 1);
        boolean rest = sticky || mag.getLowestSetBit() < shift - 1;
        boolean inexact = half || rest;
        boolean up = switch (rc) {
            case FpEnv.RN -> half && (rest || q.testBit(0));
            case FpEnv.RD -> inexact && neg;
            case FpEnv.RU -> inexact && !neg;
            default -> false;
        };
        if (up) {
            q = q.add(BigInteger.ONE);
            if (q.bitLength() > p) {
                q = q.shiftRight(1);
                lsb++;
            }
        }
        return new Rounded(q, lsb, inexact, up);
    }

    /** The value rounded to the register format (precision control applies). */
    static F80 toExtended(FpEnv env, boolean neg, BigInteger mag, int exp2, boolean sticky) {
        // Precision control narrows the format: denormals keep the same fixed significand positions (bits 63..64-p).
        Format f = env.precision == 64 ? EXTENDED : new Format(env.precision, EXTENDED.emin(), EXTENDED.emax(), EXTENDED.bias());
        long[] bits = toFormat(env, f, env.precision, neg, mag, exp2, sticky, true);
        return F80s.fromBits(bits);
    }

    /**
     * The value rounded to {@code f} at {@code p} bits: the encoding in the low bits (extended: sign and exponent in
     * bits 64-79 of the two-long result's second word, see {@link F80s#fromBits}). {@code register}: unmasked overflow and
     * underflow give the bias-adjusted result (else the caller stores nothing).
     */
    static long[] toFormat(FpEnv env, Format f, int p, boolean neg, BigInteger mag, int exp2, boolean sticky,
                           boolean register) {
        if (mag.signum() == 0) {
            return encode(f, neg, BigInteger.ZERO, 0);
        }
        Rounded r = round(env.rc, neg, mag, exp2, sticky, p, f.denormLsb());
        Rounded unbounded = round(env.rc, neg, mag, exp2, sticky, p, Long.MIN_VALUE);
        boolean tiny = unbounded.leading() < f.emin();
        if (tiny) {
            if (!env.masked(FpEnv.UE) && (!register || unbounded.leading() + BIAS_ADJUST >= f.emin())) {
                env.flags |= FpEnv.UE | (unbounded.inexact() ? FpEnv.PE : 0);
                env.roundedUp = unbounded.up();
                return adjusted(f, neg, unbounded, register ? BIAS_ADJUST : 0);
            }
            if (!env.masked(FpEnv.UE)) {
                // Beyond what the bias adjustment brings back (FSCALE): the masked response, flagged unmasked.
                env.flags |= FpEnv.UE | FpEnv.PE;
                return encode(f, neg, BigInteger.ZERO, 0);
            }
            if (r.inexact()) {
                env.flags |= FpEnv.UE;
            }
        } else if (r.leading() > f.emax()) {
            if (!env.masked(FpEnv.OE) && (!register || r.leading() - BIAS_ADJUST <= f.emax())) {
                env.flags |= FpEnv.OE | (r.inexact() ? FpEnv.PE : 0);
                env.roundedUp = r.up();
                return adjusted(f, neg, r, register ? -BIAS_ADJUST : 0);
            }
            env.flags |= FpEnv.OE | FpEnv.PE;
            boolean toInf = switch (env.rc) {
                case FpEnv.RN -> true;
                case FpEnv.RD -> neg;
                case FpEnv.RU -> !neg;
                default -> false;
            };
            env.roundedUp = toInf;
            if (toInf) {
                return infinity(f, neg);
            }
            BigInteger max = BigInteger.ONE.shiftLeft(p).subtract(BigInteger.ONE);
            return encode(f, neg, max, f.emax() - p + 1);
        }
        if (r.inexact()) {
            env.flags |= FpEnv.PE;
            env.roundedUp = r.up();
        }
        return encode(f, neg, r.q(), r.lsb());
    }

    private static long[] adjusted(Format f, boolean neg, Rounded r, int adjust) {
        return encode(f, neg, r.q(), r.lsb() + adjust);
    }

    /** The register format at any precision: integer bit explicit, denormals at exponent field 0 (2^-16382 scale). */
    private static long[] encodeExtended(Format f, boolean neg, BigInteger q, int lsb) {
        int sign = neg ? 0x8000 : 0;
        if (q.signum() == 0) {
            return new long[] {0, sign};
        }
        int leading = lsb + q.bitLength() - 1;
        if (leading >= EXTENDED.emin()) {
            return new long[] {q.shiftLeft(64 - q.bitLength()).longValue(), sign | ((leading + EXTENDED.bias()) & 0x7FFF)};
        }
        return new long[] {q.shiftLeft(lsb - EXTENDED.denormLsb()).longValue(), sign};
    }

    private static long[] infinity(Format f, boolean neg) {
        if (f.bias() == EXTENDED.bias()) {
            return new long[] {F80.INT_BIT, neg ? 0xFFFF : 0x7FFF};
        }
        long exp = (1L << (f == SINGLE ? 8 : 11)) - 1;
        return new long[] {(neg ? 1L << (f == SINGLE ? 31 : 63) : 0) | exp << (f.p() - 1), 0};
    }

    /** Encodes q · 2^lsb (already in range, or bias-adjusted) in {@code f}. */
    static long[] encode(Format f, boolean neg, BigInteger q, int lsb) {
        if (f.bias() == EXTENDED.bias()) {
            return encodeExtended(f, neg, q, lsb);
        }
        int expBits = f == SINGLE ? 8 : 11;
        long expMask = (1L << expBits) - 1;
        if (q.signum() == 0) {
            return new long[] {neg ? 1L << (f.p() - 1 + expBits) : 0, 0};
        }
        int leading = lsb + q.bitLength() - 1;
        long biased;
        long sig;
        if (leading >= f.emin()) {
            biased = (leading + f.bias()) & expMask;
            sig = q.shiftLeft(f.p() - q.bitLength()).longValue();      // p bits, integer bit at p - 1
        } else {
            biased = 0;
            sig = q.shiftLeft(lsb - f.denormLsb()).longValue();
        }
        long frac = sig & ((1L << (f.p() - 1)) - 1);
        return new long[] {(neg ? 1L << (f.p() - 1 + expBits) : 0) | biased << (f.p() - 1) | frac, 0};
    }
}
