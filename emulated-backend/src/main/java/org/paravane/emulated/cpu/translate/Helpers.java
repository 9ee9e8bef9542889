package org.paravane.emulated.cpu.translate;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.mmu.Mmu;

/**
 * Small pieces translated code calls (the JIT inlines them): the flag rules of shifts, rotates and IMUL as the
 * interpreter's {@code ShiftOps} and {@code MulDivOps} define them, and RET's canonical check.
 */
public final class Helpers {
    private Helpers() {
    }

    /** CF and OF of SHL by {@code k} (1..bits-1 after masking) of the zero-extended {@code v}. */
    public static long shlAux(long v, int k, int bits) {
        long res = v << k;
        long cf = (v >>> (bits - k)) & 1;
        long of = ((res >>> (bits - 1)) & 1) ^ cf;
        return cf | (of << 11);
    }

    public static long shrAux(long v, int k, int bits) {
        long cf = (v >>> (k - 1)) & 1;
        return cf | (((v >>> (bits - 1)) & 1) << 11);
    }

    /** CF of SAR by {@code k} of the sign-extended {@code sv}. */
    public static long sarAux(long sv, int k) {
        return (sv >> Math.min(k - 1, 63)) & 1;
    }

    /** The arithmetic flags after ROL/ROR with result {@code res} (zero-extended), from the flags before. */
    public static long rotateFlags(long before, long res, int bits, boolean left) {
        return (before & ~(Cpu.CF | Cpu.OF)) | rotateAux(res, bits, left);
    }

    /**
     * CF and OF (at their RFLAGS positions) after ROL/ROR with result {@code res}, without a branch: the carry of a
     * hash or checksum loop is random, and a mispredicted branch per rotate cost more than the rest of its pass.
     */
    public static long rotateAux(long res, int bits, boolean left) {
        long msb = (res >>> (bits - 1)) & 1;
        long cf = left ? res & 1 : msb;
        long other = left ? msb : (res >>> (bits - 2)) & 1;
        return cf | (cf ^ other) << 11;
    }

    /** CF|OF when the 64-bit signed product overflowed. */
    public static long imul64Aux(long a, long b) {
        return Math.multiplyHigh(a, b) != ((a * b) >> 63) ? Cpu.CF | Cpu.OF : 0;
    }

    /** CF|OF when the product of two sign-extended 32-bit values does not fit 32 bits. */
    public static long imul32Aux(long p) {
        return p != (int) p ? Cpu.CF | Cpu.OF : 0;
    }

    /**
     * Before a 16-byte store that crosses a page: the second page's write translation, so its fault (CR2: its first
     * byte) comes before the first page is written, as {@code SseInsn.store} does.
     */
    public static void checkSecondPage(Cpu c, long a) {
        if ((a & 0xFFF) > 0xFF0) {
            c.mmu.translate((a + 15) & ~0xFFFL, Mmu.WRITE, false);
        }
    }

    /** A return address, #GP(0) when it is not canonical (nothing changed yet). */
    public static long checkedTarget(Cpu c, long target) {
        if (!Mmu.canonical(target)) {
            throw c.gp(0);
        }
        return target;
    }
}
