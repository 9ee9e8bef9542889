package org.paravane.emulated.cpu.exec.x87;

import java.math.BigInteger;

/**
 * An 80-bit extended-precision value as the x87 holds it: {@code se} the sign (bit 15) and the biased exponent
 * (bits 0-14), {@code sig} the 64-bit significand with its explicit integer bit (bit 63).
 */
public record F80(int se, long sig) {
    public static final int BIAS = 16383, MAX_EXP = 0x7FFF;
    public static final long INT_BIT = 1L << 63, QUIET_BIT = 1L << 62;
    /** The QNaN floating-point indefinite (a masked invalid operation's result). */
    public static final F80 INDEFINITE = new F80(0xFFFF, 0xC000_0000_0000_0000L);
    public static final F80 ZERO = new F80(0, 0), ONE = new F80(BIAS, INT_BIT);

    public int exp() {
        return se & MAX_EXP;
    }

    public boolean neg() {
        return (se & 0x8000) != 0;
    }

    public boolean isZero() {
        return exp() == 0 && sig == 0;
    }

    /** Exponent zero, integer bit clear, nonzero. */
    public boolean isDenormal() {
        return exp() == 0 && sig != 0 && sig > 0;
    }

    /** Exponent zero with the integer bit set: read as a denormal operand of exponent 1. */
    public boolean isPseudoDenormal() {
        return exp() == 0 && sig < 0;
    }

    public boolean isInf() {
        return exp() == MAX_EXP && sig == INT_BIT;
    }

    public boolean isNaN() {
        return exp() == MAX_EXP && sig < 0 && sig != INT_BIT;
    }

    public boolean isSNaN() {
        return isNaN() && (sig & QUIET_BIT) == 0;
    }

    /** Unnormals, pseudo-NaNs and pseudo-infinities (nonzero exponent, integer bit clear): invalid operands. */
    public boolean isUnsupported() {
        return exp() != 0 && sig >= 0;
    }

    public boolean isFiniteNonzero() {
        return exp() != MAX_EXP && !isZero() && !isUnsupported();
    }

    public F80 negate() {
        return new F80(se ^ 0x8000, sig);
    }

    public F80 abs() {
        return new F80(se & MAX_EXP, sig);
    }

    public F80 withSign(boolean negative) {
        return new F80(negative ? se | 0x8000 : se & MAX_EXP, sig);
    }

    public F80 quiet() {
        return new F80(se, sig | QUIET_BIT);
    }

    /** The significand as an unsigned integer. */
    BigInteger mag() {
        return new BigInteger(1, new byte[] {(byte) (sig >>> 56), (byte) (sig >>> 48), (byte) (sig >>> 40),
                (byte) (sig >>> 32), (byte) (sig >>> 24), (byte) (sig >>> 16), (byte) (sig >>> 8), (byte) sig});
    }

    /** The power of two of the significand's last bit: value = mag * 2^lsbExp (denormals use exponent 1). */
    int lsbExp() {
        return Math.max(exp(), 1) - BIAS - 63;
    }

    static F80 zero(boolean neg) {
        return new F80(neg ? 0x8000 : 0, 0);
    }

    static F80 inf(boolean neg) {
        return new F80(neg ? 0xFFFF : MAX_EXP, INT_BIT);
    }

    @Override
    public String toString() {
        return String.format("%04x_%016x", se, sig);
    }
}
