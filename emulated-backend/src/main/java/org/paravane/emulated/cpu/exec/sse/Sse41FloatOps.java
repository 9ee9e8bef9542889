package org.paravane.emulated.cpu.exec.sse;

import static org.paravane.emulated.cpu.exec.sse.SoftFloat.DOUBLE;
import static org.paravane.emulated.cpu.exec.sse.SoftFloat.SINGLE;

import java.math.BigInteger;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * SSE4.1 floating point: ROUNDPS/PD/SS/SD (to an integral value, in the mode imm8 names or MXCSR's, PE suppressed by
 * imm8[3]) and the dot products DPPS/DPPD (products and sums each rounded, in the order the SDM gives). Results are
 * written only after {@link Mxcsr#commit}.
 */
final class Sse41FloatOps {
    private Sse41FloatOps() {
    }

    static final class Round extends SseInsn {
        private final boolean single, scalar;
        private final int imm;

        Round(Decoded d, int xmm, Operand rm, int imm) {
            super(d, rm, xmm, switch (d.mnemonic()) {
                case ROUNDSS -> 4;
                case ROUNDSD -> 8;
                default -> 16;
            }, true);
            this.single = d.mnemonic() == Mnemonic.ROUNDPS || d.mnemonic() == Mnemonic.ROUNDSS;
            this.scalar = size < 16;
            this.imm = imm & 0xFF;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            long slo = src(c, 0), shi = scalar ? 0 : src(c, 1);
            Mxcsr m = new Mxcsr(c.fpu);
            int mode = (imm & 4) != 0 ? m.mode() : imm & 3;
            int bits = single ? 32 : 64;
            SoftFloat.Format f = single ? SINGLE : DOUBLE;
            long[] out = {x[2 * xmm], x[2 * xmm + 1]};
            int n = scalar ? 1 : Lanes.count(bits);
            for (int i = 0; i < n; i++) {
                Lanes.set(out, bits, i, integral(m, f, Lanes.get(slo, shi, bits, i), mode, (imm & 8) == 0));
            }
            m.commit(c);
            x[2 * xmm] = out[0];
            x[2 * xmm + 1] = out[1];
        }
    }

    /** {@code a} rounded to an integral value by {@code mode}; IE for an SNaN, PE when inexact and {@code precision}. */
    static long integral(Mxcsr m, SoftFloat.Format f, long a, int mode, boolean precision) {
        if (SoftFloat.isNaN(f, a)) {
            return SoftFloat.nanResult(m, f, a, a);
        }
        if (m.daz() && SoftFloat.isDenormal(f, a)) {
            a &= f.signBit();
        }
        if (SoftFloat.isInf(f, a) || SoftFloat.isZero(f, a)) {
            return a;
        }
        int exp = SoftFloat.exponent(f, a);
        if (exp >= 0) {
            return a;                                           // no fraction bits
        }
        boolean neg = SoftFloat.negative(f, a);
        long sig = SoftFloat.significand(f, a);
        int shift = -exp;
        long whole = shift >= 63 ? 0 : sig >>> shift;
        long rest = shift >= 63 ? sig : sig - (whole << shift);
        if (rest != 0) {
            long half = shift >= 64 ? Long.MAX_VALUE : 1L << (shift - 1);
            boolean up = switch (mode) {
                case Mxcsr.RN -> Long.compareUnsigned(rest, half) > 0 || rest == half && (whole & 1) != 0;
                case Mxcsr.RD -> neg;
                case Mxcsr.RU -> !neg;
                default -> false;
            };
            if (up) {
                whole++;
            }
            if (precision) {
                m.flags |= Mxcsr.PE;
            }
        }
        if (whole == 0) {
            return f.zero(neg);
        }
        Mxcsr exact = new Mxcsr(0x1F80);                     // an integer of at most p bits: exact in f
        return SoftFloat.round(exact, f, neg, BigInteger.valueOf(whole), 0, false);
    }

    /** DPPS/DPPD: the products imm8[7:4] selects, summed pairwise; the sum to the elements imm8[3:0] selects, +0.0 elsewhere. */
    static final class Dot extends SseInsn {
        private final boolean single;
        private final int imm;

        Dot(Decoded d, int xmm, Operand rm, int imm) {
            super(d, rm, xmm, 16, true);
            this.single = d.mnemonic() == Mnemonic.DPPS;
            this.imm = imm & 0xFF;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            long slo = src(c, 0), shi = src(c, 1);
            long dlo = x[2 * xmm], dhi = x[2 * xmm + 1];
            int bits = single ? 32 : 64;
            int n = Lanes.count(bits);
            SoftFloat.Format f = single ? SINGLE : DOUBLE;
            Mxcsr m = new Mxcsr(c.fpu);
            long[] p = new long[n];
            for (int i = 0; i < n; i++) {
                p[i] = (imm >>> (4 + i) & 1) == 0 ? 0 : SoftFloat.arith(m, f, SoftFloat.MUL, Lanes.get(dlo, dhi, bits, i),
                        Lanes.get(slo, shi, bits, i)) & mask(bits);
            }
            if (m.unmaskedRaised()) {
                m.commit(c);                                    // the products fault before the sums run
            }
            long sum;
            if (single) {
                long t2 = SoftFloat.arith(m, f, SoftFloat.ADD, p[0], p[1]) & mask(bits);
                long t3 = SoftFloat.arith(m, f, SoftFloat.ADD, p[2], p[3]) & mask(bits);
                sum = SoftFloat.arith(m, f, SoftFloat.ADD, t2, t3);
            } else {
                sum = SoftFloat.arith(m, f, SoftFloat.ADD, p[0], p[1]);
            }
            long[] out = new long[2];
            for (int i = 0; i < n; i++) {
                Lanes.set(out, bits, i, (imm >>> i & 1) == 0 ? 0 : sum);
            }
            m.commit(c);
            x[2 * xmm] = out[0];
            x[2 * xmm + 1] = out[1];
        }

        private static long mask(int bits) {
            return bits == 64 ? -1L : 0xFFFF_FFFFL;
        }
    }
}
