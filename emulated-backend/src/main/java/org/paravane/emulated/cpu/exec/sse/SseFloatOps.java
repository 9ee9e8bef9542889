package org.paravane.emulated.cpu.exec.sse;

import static org.paravane.emulated.cpu.exec.sse.SoftFloat.DOUBLE;
import static org.paravane.emulated.cpu.exec.sse.SoftFloat.SINGLE;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * Floating-point arithmetic, square root, min/max, compares (CMPccPS/PD/SS/SD, COMIS, UCOMIS) and the reciprocal
 * estimates: packed forms work on every element, scalar forms on the low one and keep the rest. Results are computed
 * first and written only after {@link Mxcsr#commit} found no unmasked exception.
 */
final class SseFloatOps {
    private SseFloatOps() {
    }

    enum Kind { ADD, SUB, MUL, DIV, MIN, MAX, SQRT, CMP, RCP, RSQRT }

    static final class Arith extends SseInsn implements SseCompute {
        private final Kind kind;
        private final boolean single, scalar;
        private final int predicate;

        Arith(Decoded d, int xmm, Operand rm, Kind kind, boolean single, boolean scalar, int predicate) {
            super(d, rm, xmm, scalar ? (single ? 4 : 8) : 16, !scalar);
            this.kind = kind;
            this.single = single;
            this.scalar = scalar;
            this.predicate = predicate & 7;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long slo = src(c, 0);
            compute(c, slo, scalar ? 0 : src(c, 1));
        }

        @Override
        public void compute(Cpu c, long slo, long shi) {
            long[] x = x(c);
            long dlo = x[2 * xmm], dhi = x[2 * xmm + 1];
            Mxcsr m = new Mxcsr(c.fpu);
            long lo, hi;
            if (single) {
                long e0 = one(m, dlo & 0xFFFF_FFFFL, slo & 0xFFFF_FFFFL);
                if (scalar) {
                    lo = (dlo & 0xFFFF_FFFF_0000_0000L) | e0;
                    hi = dhi;
                } else {
                    lo = e0 | one(m, dlo >>> 32, slo >>> 32) << 32;
                    hi = one(m, dhi & 0xFFFF_FFFFL, shi & 0xFFFF_FFFFL) | one(m, dhi >>> 32, shi >>> 32) << 32;
                }
            } else {
                lo = one(m, dlo, slo);
                hi = scalar ? dhi : one(m, dhi, shi);
            }
            m.commit(c);
            x[2 * xmm] = lo;
            x[2 * xmm + 1] = hi;
        }

        private long one(Mxcsr m, long a, long b) {
            SoftFloat.Format f = single ? SINGLE : DOUBLE;
            long mask = single ? 0xFFFF_FFFFL : -1L;
            return mask & switch (kind) {
                case ADD -> SoftFloat.arith(m, f, SoftFloat.ADD, a, b);
                case SUB -> SoftFloat.arith(m, f, SoftFloat.SUB, a, b);
                case MUL -> SoftFloat.arith(m, f, SoftFloat.MUL, a, b);
                case DIV -> SoftFloat.arith(m, f, SoftFloat.DIV, a, b);
                case MIN -> SoftFloat.minMax(m, f, a, b, false);
                case MAX -> SoftFloat.minMax(m, f, a, b, true);
                case SQRT -> SoftFloat.sqrt(m, f, b);
                case CMP -> compare(m, f, a, b) ? -1L : 0;
                case RCP -> estimate(m, b, false);
                case RSQRT -> estimate(m, b, true);
            };
        }

        /** CMPccPS & co: EQ LT LE UNORD NEQ NLT NLE ORD; LT LE NLT NLE signal on QNaNs. */
        private boolean compare(Mxcsr m, SoftFloat.Format f, long a, long b) {
            boolean signalling = predicate == 1 || predicate == 2 || predicate == 5 || predicate == 6;
            int r = SoftFloat.compare(m, f, a, b, signalling);
            return switch (predicate) {
                case 0 -> r == 0;
                case 1 -> r == -1;
                case 2 -> r == -1 || r == 0;
                case 3 -> r == 2;
                case 4 -> r != 0;
                case 5 -> r != -1;
                case 6 -> r == 1 || r == 2;
                default -> r != 2;
            };
        }

        /**
         * RCPPS/RSQRTPS and the scalar forms: architecturally an approximation (relative error at most 1.5 × 2^-12)
         * whose exact bits are the processor's own table. Here: the correctly rounded value cut to 12 fraction bits,
         * within the bound but not bit-identical to any particular processor. No flags (as on hardware).
         */
        private long estimate(Mxcsr m, long b, boolean rsqrt) {
            float v = Float.intBitsToFloat((int) b);
            if (Float.isNaN(v)) {
                return b | 0x0040_0000L;
            }
            if (SoftFloat.isDenormal(SINGLE, b)) {
                v = Math.copySign(0f, v);                  // denormal inputs count as zero
            }
            double r = rsqrt ? (v < 0 ? Double.NaN : 1 / Math.sqrt(v)) : 1 / (double) v;
            if (Double.isNaN(r)) {
                return SINGLE.indefinite();
            }
            float out = (float) r;
            if (Float.isFinite(out) && Math.abs(out) < Float.MIN_NORMAL) {
                out = Math.copySign(0f, out);
            }
            int bits = Float.floatToRawIntBits(out);
            if (Float.isFinite(out) && out != 0) {
                bits = (bits + 0x400) & ~0x7FF;             // 12 fraction bits, rounded
            }
            return bits & 0xFFFF_FFFFL;
        }
    }

    /** COMISS/COMISD (signal on QNaNs) and UCOMISS/UCOMISD: ZF PF CF from the comparison, OF SF AF cleared. */
    static final class Comis extends SseInsn implements SseResult {
        private final boolean single, signalling;

        Comis(Decoded d, int xmm, Operand rm) {
            super(d, rm, xmm, d.mnemonic() == Mnemonic.COMISS || d.mnemonic() == Mnemonic.UCOMISS ? 4 : 8, false);
            this.single = size == 4;
            this.signalling = d.mnemonic() == Mnemonic.COMISS || d.mnemonic() == Mnemonic.COMISD;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            c.setArith(result(c, src(c, 0), 0));
        }

        /** The arithmetic flags (ZF PF CF; OF SF AF clear). */
        @Override
        public long result(Cpu c, long slo, long shi) {
            long mask = single ? 0xFFFF_FFFFL : -1L;
            long b = slo & mask, a = c.fpu.xmm[2 * xmm] & mask;
            Mxcsr m = new Mxcsr(c.fpu);
            int r = SoftFloat.compare(m, single ? SINGLE : DOUBLE, a, b, signalling);
            m.commit(c);
            return switch (r) {
                case 2 -> Cpu.ZF | Cpu.PF | Cpu.CF;
                case -1 -> Cpu.CF;
                case 0 -> Cpu.ZF;
                default -> 0;
            };
        }
    }
}
