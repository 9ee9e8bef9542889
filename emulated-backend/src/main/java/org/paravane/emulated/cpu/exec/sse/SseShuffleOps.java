package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/** Shuffles, unpacks, packs, whole-register byte shifts and word inserts/extracts. */
final class SseShuffleOps {
    private SseShuffleOps() {
    }

    /** XMM{@link #xmm} = f(XMM{@link #xmm}, r/m, imm8) over the whole 128 bits. */
    static final class Shuffle extends SseInsn implements SseCompute {
        private final Mnemonic op;
        private final int imm;

        Shuffle(Decoded d, int xmm, Operand rm, int imm) {
            super(d, rm, xmm, rm instanceof Operand.Mem m && m.size() == 2 ? 2 : 16, true);
            this.op = d.mnemonic();
            this.imm = imm & 0xFF;
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
            long lo, hi;
            switch (op) {
                case UNPCKLPS, PUNPCKLDQ -> {
                    lo = (dlo & 0xFFFF_FFFFL) | (slo << 32);
                    hi = (dlo >>> 32) | (slo & 0xFFFF_FFFF_0000_0000L);
                }
                case UNPCKHPS, PUNPCKHDQ -> {
                    lo = (dhi & 0xFFFF_FFFFL) | (shi << 32);
                    hi = (dhi >>> 32) | (shi & 0xFFFF_FFFF_0000_0000L);
                }
                case UNPCKLPD, PUNPCKLQDQ -> {
                    lo = dlo;
                    hi = slo;
                }
                case UNPCKHPD, PUNPCKHQDQ -> {
                    lo = dhi;
                    hi = shi;
                }
                case PUNPCKLBW, PUNPCKLWD -> {
                    int w = op == Mnemonic.PUNPCKLBW ? 8 : 16;
                    lo = interleave(dlo, slo, w, 0);
                    hi = interleave(dlo, slo, w, 32);
                }
                case PUNPCKHBW, PUNPCKHWD -> {
                    int w = op == Mnemonic.PUNPCKHBW ? 8 : 16;
                    lo = interleave(dhi, shi, w, 0);
                    hi = interleave(dhi, shi, w, 32);
                }
                case PACKSSWB, PACKUSWB -> {
                    lo = pack(dlo, 16, op == Mnemonic.PACKUSWB) | pack(dhi, 16, op == Mnemonic.PACKUSWB) << 32;
                    hi = pack(slo, 16, op == Mnemonic.PACKUSWB) | pack(shi, 16, op == Mnemonic.PACKUSWB) << 32;
                }
                case PACKSSDW -> {
                    lo = pack(dlo, 32, false) | pack(dhi, 32, false) << 32;
                    hi = pack(slo, 32, false) | pack(shi, 32, false) << 32;
                }
                case SHUFPS -> {
                    lo = dword(dlo, dhi, imm & 3) | dword(dlo, dhi, (imm >>> 2) & 3) << 32;
                    hi = dword(slo, shi, (imm >>> 4) & 3) | dword(slo, shi, (imm >>> 6) & 3) << 32;
                }
                case SHUFPD -> {
                    lo = (imm & 1) == 0 ? dlo : dhi;
                    hi = (imm & 2) == 0 ? slo : shi;
                }
                case PSHUFD -> {
                    lo = dword(slo, shi, imm & 3) | dword(slo, shi, (imm >>> 2) & 3) << 32;
                    hi = dword(slo, shi, (imm >>> 4) & 3) | dword(slo, shi, (imm >>> 6) & 3) << 32;
                }
                case PSHUFLW -> {
                    lo = words(slo, imm);
                    hi = shi;
                }
                case PSHUFHW -> {
                    lo = slo;
                    hi = words(shi, imm);
                }
                case PINSRW -> {
                    long v = rm >= 0 ? c.r[rm] & 0xFFFF : slo & 0xFFFF;
                    int at = (imm & 3) * 16;
                    long m = 0xFFFFL << at;
                    if ((imm & 4) == 0) {
                        lo = (dlo & ~m) | (v << at);
                        hi = dhi;
                    } else {
                        lo = dlo;
                        hi = (dhi & ~m) | (v << at);
                    }
                }
                default -> throw new IllegalStateException(op.text());
            }
            x[2 * xmm] = lo;
            x[2 * xmm + 1] = hi;
        }
    }

    /** PSLLDQ/PSRLDQ by imm8 bytes. */
    static final class ByteShift extends SseInsn implements SseCompute {
        private final boolean left;
        private final int bytes;

        ByteShift(Decoded d, int xmm, boolean left, int bytes) {
            super(d, new Operand.Xmm(xmm), xmm, 16, false);
            this.left = left;
            this.bytes = bytes & 0xFF;
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
            long lo = x[2 * xmm], hi = x[2 * xmm + 1];
            int n = Math.min(bytes, 16) * 8;
            long rlo, rhi;
            if (n == 0) {
                return;
            } else if (n >= 128) {
                rlo = rhi = 0;
            } else if (left) {
                rhi = n >= 64 ? lo << (n - 64) : (hi << n) | (lo >>> (64 - n));
                rlo = n >= 64 ? 0 : lo << n;
            } else {
                rlo = n >= 64 ? hi >>> (n - 64) : (lo >>> n) | (hi << (64 - n));
                rhi = n >= 64 ? 0 : hi >>> n;
            }
            x[2 * xmm] = rlo;
            x[2 * xmm + 1] = rhi;
        }
    }

    /** PEXTRW: word imm8 & 7 of an XMM register into a general register, zero-extended. */
    static final class Pextrw extends SseInsn {
        private final int gpr, imm;

        Pextrw(Decoded d, int gpr, Operand src, int imm) {
            super(d, src, gpr, 16, false);
            this.gpr = gpr;
            this.imm = imm & 7;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long q = c.fpu.xmm[2 * rm + (imm >>> 2)];
            c.r[gpr] = (q >>> ((imm & 3) * 16)) & 0xFFFF;
        }
    }

    private static long dword(long lo, long hi, int i) {
        long q = i < 2 ? lo : hi;
        return (i & 1) == 0 ? q & 0xFFFF_FFFFL : q >>> 32;
    }

    private static long words(long q, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) {
            r |= ((q >>> (((imm >>> (2 * i)) & 3) * 16)) & 0xFFFF) << (16 * i);
        }
        return r;
    }

    /** Lanes of width {@code w} from bits {@code from}..{@code from+31} of a and b, interleaved a0 b0 a1 b1 ... */
    private static long interleave(long a, long b, int w, int from) {
        long mask = (1L << w) - 1;
        long r = 0;
        int lanes = 32 / w;
        for (int i = 0; i < lanes; i++) {
            r |= ((a >>> (from + i * w)) & mask) << (2 * i * w);
            r |= ((b >>> (from + i * w)) & mask) << ((2 * i + 1) * w);
        }
        return r;
    }

    /** The signed lanes of width {@code w} in q, saturated to half width (unsigned for PACKUSWB): 32 bits. */
    private static long pack(long q, int w, boolean unsigned) {
        int half = w / 2;
        long r = 0;
        for (int i = 0; i < 64 / w; i++) {
            long v = (q << (64 - w - i * w)) >> (64 - w);
            long lo = unsigned ? 0 : -(1L << (half - 1)), hi = unsigned ? (1L << half) - 1 : (1L << (half - 1)) - 1;
            r |= (Math.clamp(v, lo, hi) & ((1L << half) - 1)) << (i * half);
        }
        return r;
    }
}
