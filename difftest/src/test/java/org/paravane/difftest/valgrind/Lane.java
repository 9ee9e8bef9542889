package org.paravane.difftest.valgrind;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A lane type of Valgrind's {@code .def} operands ({@code .ub}, {@code .sd}, {@code .ps}, ...): how a value written in
 * the file becomes bytes, and how a result is compared with the file's expectation. Integers compare exactly (both sides
 * cut to the lane width, as the C test's initialisers do); {@code ps}/{@code pd} compare as Valgrind's generated tests
 * compare them ({@code eq_float}/{@code eq_double}: equal, or within a relative 1.5/4096, because the file writes
 * rounded decimals and RCP/RSQRT are approximations). The two CPUs are also compared with each other bit for bit, so
 * this tolerance only applies to the file's decimals.
 */
enum Lane {
    SB(1), UB(1), SW(2), UW(2), SD(4), UD(4), SQ(8), UQ(8), PS(4), PD(8);

    final int bytes;

    Lane(int bytes) {
        this.bytes = bytes;
    }

    static Lane of(String suffix) {
        try {
            return valueOf(suffix.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown lane type ." + suffix);
        }
    }

    boolean floating() {
        return this == PS || this == PD;
    }

    /** The bits of {@code text} (a C literal as the file writes it) for one lane. */
    long bits(String text) {
        return switch (this) {
            case PS -> Float.floatToRawIntBits(Float.parseFloat(text)) & 0xFFFF_FFFFL;
            case PD -> Double.doubleToRawLongBits(Double.parseDouble(text));
            default -> integer(text) & mask();
        };
    }

    private long mask() {
        return bytes == 8 ? -1L : (1L << (8 * bytes)) - 1;
    }

    /** A C integer literal: decimal, 0x hexadecimal or 0 octal, with an optional sign. */
    static long integer(String text) {
        String t = text.trim();
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        BigInteger v;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            v = new BigInteger(t.substring(2), 16);
        } else if (t.length() > 1 && t.startsWith("0")) {
            v = new BigInteger(t.substring(1), 8);
        } else {
            v = new BigInteger(t);
        }
        return (negative ? v.negate() : v).longValue();
    }

    void put(ByteBuffer b, int index, String text) {
        long v = bits(text);
        int at = index * bytes;
        switch (bytes) {
            case 1 -> b.put(at, (byte) v);
            case 2 -> b.putShort(at, (short) v);
            case 4 -> b.putInt(at, (int) v);
            default -> b.putLong(at, v);
        }
    }

    long get(byte[] value, int index) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        int at = index * bytes;
        return switch (bytes) {
            case 1 -> b.get(at) & 0xFFL;
            case 2 -> b.getShort(at) & 0xFFFFL;
            case 4 -> b.getInt(at) & 0xFFFF_FFFFL;
            default -> b.getLong(at);
        };
    }

    /** Whether lane {@code index} of {@code value} is what the file expects, compared as Valgrind's test does. */
    boolean matches(byte[] value, int index, String expected) {
        long actual = get(value, index);
        return switch (this) {
            case PS -> {
                float f1 = Float.intBitsToFloat((int) actual), f2 = Float.parseFloat(expected);
                yield f1 == f2 || Math.abs(f1 - f2) < Math.abs(f1) * 1.5 / 4096.0;
            }
            case PD -> {
                double d1 = Double.longBitsToDouble(actual), d2 = Double.parseDouble(expected);
                yield d1 == d2 || Math.abs(d1 - d2) < Math.abs(d1) * 1.5 / 4096.0;
            }
            default -> actual == bits(expected);
        };
    }

    /** Lane {@code index} of {@code value} as the file would write it. */
    String show(byte[] value, int index) {
        long v = get(value, index);
        return switch (this) {
            case PS -> Float.intBitsToFloat((int) v) + String.format(" (0x%08x)", v);
            case PD -> Double.longBitsToDouble(v) + String.format(" (0x%016x)", v);
            case SB -> Long.toString((byte) v);
            case SW -> Long.toString((short) v);
            case SD -> Long.toString((int) v);
            case SQ -> Long.toString(v);
            case UQ -> Long.toUnsignedString(v) + " (0x" + Long.toHexString(v) + ")";
            default -> v + " (0x" + Long.toHexString(v) + ")";
        };
    }
}
