package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * SSE2 packed integer arithmetic, comparisons and shifts, and the bitwise logic of both sets (ANDPS & co, PAND & co):
 * XMM{@link #xmm} = XMM{@link #xmm} op r/m, lane by lane within each 64-bit half.
 */
final class SsePackedIntOps {
    private SsePackedIntOps() {
    }

    static final class Binary extends SseInsn implements SseCompute {
        private final Mnemonic op;

        Binary(Decoded d, int xmm, Operand rm) {
            super(d, rm, xmm, 16, true);
            this.op = d.mnemonic();
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            compute(c, src(c, 0), src(c, 1));
        }

        @Override
        public void compute(Cpu c, long slo, long shi) {
            long[] x = x(c);
            long dlo = x[2 * xmm], dhi = x[2 * xmm + 1];
            switch (op) {
                case PMULUDQ -> {
                    x[2 * xmm] = (dlo & 0xFFFF_FFFFL) * (slo & 0xFFFF_FFFFL);
                    x[2 * xmm + 1] = (dhi & 0xFFFF_FFFFL) * (shi & 0xFFFF_FFFFL);
                }
                case PSADBW -> {
                    x[2 * xmm] = sad(dlo, slo);
                    x[2 * xmm + 1] = sad(dhi, shi);
                }
                case PSLLW, PSLLD, PSLLQ, PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD -> {
                    long count = slo;                      // the low quadword only
                    x[2 * xmm] = shift(op, dlo, count);
                    x[2 * xmm + 1] = shift(op, dhi, count);
                }
                default -> {
                    x[2 * xmm] = half(op, dlo, slo);
                    x[2 * xmm + 1] = half(op, dhi, shi);
                }
            }
        }
    }

    /** PSLLW/D/Q, PSRLW/D/Q, PSRAW/D by an immediate. */
    static final class ShiftImm extends SseInsn implements SseCompute {
        private final Mnemonic op;
        private final long count;

        ShiftImm(Decoded d, int xmm, long count) {
            super(d, new Operand.Xmm(xmm), xmm, 16, false);
            this.op = d.mnemonic();
            this.count = count & 0xFF;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            compute(c, 0, 0);
        }

        /** No r/m source: {@code slo}, {@code shi} are not used. */
        @Override
        public void compute(Cpu c, long slo, long shi) {
            long[] x = x(c);
            x[2 * xmm] = shift(op, x[2 * xmm], count);
            x[2 * xmm + 1] = shift(op, x[2 * xmm + 1], count);
        }
    }

    static long sad(long a, long b) {
        long s = 0;
        for (int i = 0; i < 64; i += 8) {
            s += Math.abs((int) ((a >>> i) & 0xFF) - (int) ((b >>> i) & 0xFF));
        }
        return s;
    }

    static int laneBits(Mnemonic op) {
        return switch (op) {
            case PADDB, PSUBB, PADDSB, PSUBSB, PADDUSB, PSUBUSB, PAVGB, PMINUB, PMAXUB, PCMPEQB, PCMPGTB -> 8;
            case PADDW, PSUBW, PADDSW, PSUBSW, PADDUSW, PSUBUSW, PAVGW, PMINSW, PMAXSW, PCMPEQW, PCMPGTW, PMULLW,
                 PMULHW, PMULHUW, PSLLW, PSRLW, PSRAW -> 16;
            case PADDD, PSUBD, PCMPEQD, PCMPGTD, PSLLD, PSRLD, PSRAD, PMADDWD -> 32;
            default -> 64;
        };
    }

    static long shift(Mnemonic op, long v, long count) {
        int bits = laneBits(op);
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        long r = 0;
        for (int i = 0; i < 64; i += bits) {
            long lane = (v >>> i) & mask;
            long out = switch (op) {
                case PSLLW, PSLLD, PSLLQ -> Long.compareUnsigned(count, bits) >= 0 ? 0 : lane << count;
                case PSRLW, PSRLD, PSRLQ -> Long.compareUnsigned(count, bits) >= 0 ? 0 : lane >>> count;
                default -> {
                    long s = (lane << (64 - bits)) >> (64 - bits);
                    yield s >> (int) Math.min(Long.compareUnsigned(count, bits) >= 0 ? bits - 1 : count, 63);
                }
            };
            r |= (out & mask) << i;
        }
        return r;
    }

    /** One 64-bit half of a lane-wise operation. */
    static long half(Mnemonic op, long a, long b) {
        switch (op) {
            case PAND, ANDPS, ANDPD -> {
                return a & b;
            }
            case PANDN, ANDNPS, ANDNPD -> {
                return ~a & b;
            }
            case POR, ORPS, ORPD -> {
                return a | b;
            }
            case PXOR, XORPS, XORPD -> {
                return a ^ b;
            }
            case PADDQ -> {
                return a + b;
            }
            case PSUBQ -> {
                return a - b;
            }
            default -> {
            }
        }
        int bits = laneBits(op);
        long mask = (1L << bits) - 1;
        long r = 0;
        for (int i = 0; i < 64; i += bits) {
            long ua = (a >>> i) & mask, ub = (b >>> i) & mask;
            long sa = (ua << (64 - bits)) >> (64 - bits), sb = (ub << (64 - bits)) >> (64 - bits);
            long smin = -(1L << (bits - 1)), smax = (1L << (bits - 1)) - 1;
            long out = switch (op) {
                case PADDB, PADDW, PADDD -> ua + ub;
                case PSUBB, PSUBW, PSUBD -> ua - ub;
                case PADDSB, PADDSW -> Math.clamp(sa + sb, smin, smax);
                case PSUBSB, PSUBSW -> Math.clamp(sa - sb, smin, smax);
                case PADDUSB, PADDUSW -> Math.min(ua + ub, mask);
                case PSUBUSB, PSUBUSW -> Math.max(ua - ub, 0);
                case PAVGB, PAVGW -> (ua + ub + 1) >>> 1;
                case PMINUB -> Math.min(ua, ub);
                case PMAXUB -> Math.max(ua, ub);
                case PMINSW -> Math.min(sa, sb);
                case PMAXSW -> Math.max(sa, sb);
                case PCMPEQB, PCMPEQW, PCMPEQD -> ua == ub ? -1 : 0;
                case PCMPGTB, PCMPGTW, PCMPGTD -> sa > sb ? -1 : 0;
                case PMULLW -> sa * sb;
                case PMULHW -> (sa * sb) >> 16;
                case PMULHUW -> (ua * ub) >>> 16;
                case PMADDWD -> (long) (short) ua * (short) ub + (long) (short) (ua >>> 16) * (short) (ub >>> 16);
                default -> throw new IllegalStateException(op.text());
            };
            r |= (out & mask) << i;
        }
        return r;
    }
}
