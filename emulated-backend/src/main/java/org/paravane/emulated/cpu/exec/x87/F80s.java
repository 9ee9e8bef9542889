package org.paravane.emulated.cpu.exec.x87;

import java.math.BigInteger;

/** Conversions between {@link F80} and the memory formats: integers, binary32/64, packed BCD. */
public final class F80s {
    private F80s() {
    }

    static F80 fromBits(long[] bits) {
        return new F80((int) bits[1] & 0xFFFF, bits[0]);
    }

    /** An integer, exactly (FILD; 64-bit integers always fit). */
    public static F80 fromInt(long v) {
        if (v == 0) {
            return F80.ZERO;
        }
        boolean neg = v < 0;
        long m = neg ? -v : v;                   // Long.MIN_VALUE stays 2^63 as an unsigned magnitude
        int lz = Long.numberOfLeadingZeros(m);
        return new F80((neg ? 0x8000 : 0) | (F80.BIAS + 63 - lz), m << lz);
    }

    /**
     * To a signed integer of {@code bits} (16, 32, 64) rounded by the rounding control or truncated (FISTTP): invalid
     * (NaN, infinity, out of range) gives IE and the integer indefinite.
     */
    public static long toInt(FpEnv env, F80 a, int bits, boolean truncate) {
        long indefinite = 1L << (bits - 1);
        if (a.isNaN() || a.isInf() || a.isUnsupported()) {
            env.flags |= FpEnv.IE;
            return indefinite;
        }
        if (a.isZero()) {
            return 0;
        }
        int e = a.lsbExp();
        BigInteger m = a.mag();
        BigInteger q;
        boolean inexact = false, up = false;
        if (e >= 0) {
            q = e > 70 ? BigInteger.ONE.shiftLeft(80) : m.shiftLeft(e);
        } else {
            q = m.shiftRight(-e);
            boolean half = m.testBit(-e - 1);
            boolean rest = m.getLowestSetBit() < -e - 1;
            inexact = half || rest;
            int rc = truncate ? FpEnv.RZ : env.rc;
            up = switch (rc) {
                case FpEnv.RN -> half && (rest || q.testBit(0));
                case FpEnv.RD -> inexact && a.neg();
                case FpEnv.RU -> inexact && !a.neg();
                default -> false;
            };
            if (up) {
                q = q.add(BigInteger.ONE);
            }
        }
        BigInteger limit = BigInteger.ONE.shiftLeft(bits - 1);
        if (a.neg() ? q.compareTo(limit) > 0 : q.compareTo(limit) >= 0) {
            env.flags |= FpEnv.IE;
            return indefinite;
        }
        if (inexact) {
            env.flags |= FpEnv.PE;
            env.roundedUp = up;
        }
        long v = q.longValue();
        return a.neg() ? -v : v;
    }

    /** A binary32 (FLD m32): exact; SNaN → IE and quieted, denormal → DE. */
    public static F80 fromSingle(FpEnv env, int x) {
        return fromBinary(env, x & 0xFFFF_FFFFL, 8, 23);
    }

    /** A binary64 (FLD m64). */
    public static F80 fromDouble(FpEnv env, long x) {
        return fromBinary(env, x, 11, 52);
    }

    private static F80 fromBinary(FpEnv env, long x, int expBits, int fracBits) {
        boolean neg = (x >>> (expBits + fracBits) & 1) != 0;
        int exp = (int) (x >>> fracBits) & ((1 << expBits) - 1);
        long frac = x & ((1L << fracBits) - 1);
        int bias = (1 << (expBits - 1)) - 1;
        int sign = neg ? 0x8000 : 0;
        if (exp == (1 << expBits) - 1) {
            if (frac == 0) {
                return F80.inf(neg);
            }
            if ((frac >>> (fracBits - 1)) == 0) {
                env.flags |= FpEnv.IE;
            }
            return new F80(sign | F80.MAX_EXP, F80.INT_BIT | F80.QUIET_BIT | frac << (63 - fracBits));
        }
        if (exp == 0) {
            if (frac == 0) {
                return F80.zero(neg);
            }
            env.flags |= FpEnv.DE;
            int lz = Long.numberOfLeadingZeros(frac);
            // value = frac · 2^(1 - bias - fracBits); normalized: leading bit at 63
            int leading = 63 - lz + 1 - bias - fracBits;
            return new F80(sign | (leading + F80.BIAS), frac << lz);
        }
        return new F80(sign | (exp - bias + F80.BIAS), F80.INT_BIT | frac << (63 - fracBits));
    }

    /** To binary32 (FST m32), rounded by the rounding control (precision control does not apply). */
    public static int toSingle(FpEnv env, F80 a) {
        return (int) toBinary(env, a, Rounding.SINGLE, 8);
    }

    public static long toDouble(FpEnv env, F80 a) {
        return toBinary(env, a, Rounding.DOUBLE, 11);
    }

    private static long toBinary(FpEnv env, F80 a, Rounding.Format f, int expBits) {
        int fracBits = f.p() - 1;
        long signBit = a.neg() ? 1L << (expBits + fracBits) : 0;
        long expAll = ((1L << expBits) - 1) << fracBits;
        if (a.isUnsupported()) {
            env.flags |= FpEnv.IE;
            return (1L << (expBits + fracBits)) | expAll | 1L << (fracBits - 1);
        }
        if (a.isNaN()) {
            if (a.isSNaN()) {
                env.flags |= FpEnv.IE;
            }
            return signBit | expAll | 1L << (fracBits - 1) | (a.sig() << 1 >>> (64 - fracBits));
        }
        if (a.isInf()) {
            return signBit | expAll;
        }
        if (a.isZero()) {
            return signBit;
        }
        return Rounding.toFormat(env, f, f.p(), a.neg(), a.mag(), a.lsbExp(), false, false)[0];
    }

    /** From packed BCD (FBLD): 18 digits in bytes 0-8, the sign in bit 15 of {@code high}; exact. */
    public static F80 fromBcd(long low, int high) {
        BigInteger v = BigInteger.ZERO;
        for (int i = 8; i >= 0; i--) {
            int b = i == 8 ? high & 0xFF : (int) (low >>> (8 * i)) & 0xFF;
            v = v.multiply(BigInteger.valueOf(100)).add(BigInteger.valueOf((b >>> 4) * 10L + (b & 0xF)));
        }
        F80 r = fromInt(v.longValueExact());
        return (high & 0x8000) != 0 ? r.withSign(true) : r;
    }

    /** To packed BCD (FBSTP): rounded by the rounding control; beyond 18 digits or not a number: IE, the BCD indefinite. */
    public static long[] toBcd(FpEnv env, F80 a) {
        long[] indefinite = {0xC000_0000_0000_0000L, 0xFFFF};
        if (a.isNaN() || a.isInf() || a.isUnsupported()) {
            env.flags |= FpEnv.IE;
            return indefinite;
        }
        FpEnv probe = new FpEnv(env.rc, 64, env.masks);
        long v = toInt(probe, a, 64, false);
        if ((probe.flags & FpEnv.IE) != 0 || v == Long.MIN_VALUE || Math.abs(v) > 999_999_999_999_999_999L) {
            env.flags |= FpEnv.IE;
            return indefinite;
        }
        env.flags |= probe.flags;
        env.roundedUp = probe.roundedUp;
        long m = Math.abs(v), low = 0;
        int high = 0;
        for (int i = 0; i < 9; i++) {
            int pair = (int) (m % 100);
            m /= 100;
            int b = (pair / 10) << 4 | pair % 10;
            if (i < 8) {
                low |= (long) b << (8 * i);
            } else {
                high = b;
            }
        }
        return new long[] {low, high | (a.neg() ? 0x8000 : 0)};
    }
}
