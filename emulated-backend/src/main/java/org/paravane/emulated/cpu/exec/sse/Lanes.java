package org.paravane.emulated.cpu.exec.sse;

/**
 * Lanes of a 128-bit value held as two longs (low, high): lane {@code i} of {@code bits} (8, 16, 32 or 64) bits,
 * read zero- or sign-extended, and written into a two-long result.
 */
final class Lanes {
    private Lanes() {
    }

    static long get(long lo, long hi, int bits, int i) {
        int perHalf = 64 / bits;
        long q = i < perHalf ? lo : hi;
        if (bits == 64) {
            return q;
        }
        return (q >>> ((i % perHalf) * bits)) & ((1L << bits) - 1);
    }

    static long signed(long lo, long hi, int bits, int i) {
        long v = get(lo, hi, bits, i);
        return bits == 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }

    /** Sets lane {@code i} of {@code out} (two longs) to the low {@code bits} of {@code v}. */
    static void set(long[] out, int bits, int i, long v) {
        int perHalf = 64 / bits;
        int h = i < perHalf ? 0 : 1;
        if (bits == 64) {
            out[h] = v;
            return;
        }
        int at = (i % perHalf) * bits;
        long mask = ((1L << bits) - 1) << at;
        out[h] = (out[h] & ~mask) | ((v << at) & mask);
    }

    static long saturate(long v, int bits, boolean unsigned) {
        long min = unsigned ? 0 : -(1L << (bits - 1));
        long max = unsigned ? (1L << bits) - 1 : (1L << (bits - 1)) - 1;
        return Math.clamp(v, min, max);
    }

    static int count(int bits) {
        return 128 / bits;
    }
}
