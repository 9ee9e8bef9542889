package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * SSSE3 on XMM registers: PSHUFB, PALIGNR, the horizontal adds and subtracts, PMADDUBSW, PMULHRSW, PSIGN and PABS.
 * XMM{@link #xmm} = f(XMM{@link #xmm}, r/m (16 bytes, aligned), imm8).
 */
final class Ssse3Ops {
    private Ssse3Ops() {
    }

    static final class Binary extends SseInsn implements SseCompute {
        private final Mnemonic op;
        private final int imm;

        Binary(Decoded d, int xmm, Operand rm, int imm) {
            super(d, rm, xmm, 16, true);
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
            long[] out = new long[2];
            switch (op) {
                case PSHUFB -> pshufb(out, dlo, dhi, slo, shi);
                case PALIGNR -> palignr(out, dlo, dhi, slo, shi, imm);
                case PHADDW, PHADDSW, PHSUBW, PHSUBSW -> horizontal(out, dlo, dhi, slo, shi, 16);
                case PHADDD, PHSUBD -> horizontal(out, dlo, dhi, slo, shi, 32);
                case PMADDUBSW -> {
                    for (int i = 0; i < 8; i++) {
                        long p = Lanes.get(dlo, dhi, 8, 2 * i) * Lanes.signed(slo, shi, 8, 2 * i)
                                + Lanes.get(dlo, dhi, 8, 2 * i + 1) * Lanes.signed(slo, shi, 8, 2 * i + 1);
                        Lanes.set(out, 16, i, Lanes.saturate(p, 16, false));
                    }
                }
                case PMULHRSW -> {
                    for (int i = 0; i < 8; i++) {
                        long p = Lanes.signed(dlo, dhi, 16, i) * Lanes.signed(slo, shi, 16, i);
                        Lanes.set(out, 16, i, ((p >> 14) + 1) >> 1);
                    }
                }
                case PSIGNB, PSIGNW, PSIGND -> {
                    int bits = op == Mnemonic.PSIGNB ? 8 : op == Mnemonic.PSIGNW ? 16 : 32;
                    for (int i = 0; i < Lanes.count(bits); i++) {
                        long s = Lanes.signed(slo, shi, bits, i), v = Lanes.get(dlo, dhi, bits, i);
                        Lanes.set(out, bits, i, s < 0 ? -v : s == 0 ? 0 : v);
                    }
                }
                default -> {                                            // PABSB PABSW PABSD
                    int bits = op == Mnemonic.PABSB ? 8 : op == Mnemonic.PABSW ? 16 : 32;
                    for (int i = 0; i < Lanes.count(bits); i++) {
                        Lanes.set(out, bits, i, Math.abs(Lanes.signed(slo, shi, bits, i)));
                    }
                }
            }
            x[2 * xmm] = out[0];
            x[2 * xmm + 1] = out[1];
        }

        /** Pairs of adjacent lanes, the destination's pairs to the low half and the source's to the high half. */
        private void horizontal(long[] out, long dlo, long dhi, long slo, long shi, int bits) {
            boolean sub = op == Mnemonic.PHSUBW || op == Mnemonic.PHSUBSW || op == Mnemonic.PHSUBD;
            boolean saturate = op == Mnemonic.PHADDSW || op == Mnemonic.PHSUBSW;
            int pairs = Lanes.count(bits) / 2;
            for (int i = 0; i < 2 * pairs; i++) {
                boolean fromDst = i < pairs;
                long lo = fromDst ? dlo : slo, hi = fromDst ? dhi : shi;
                int k = 2 * (i % pairs);
                long a = Lanes.signed(lo, hi, bits, k), b = Lanes.signed(lo, hi, bits, k + 1);
                long r = sub ? a - b : a + b;
                Lanes.set(out, bits, i, saturate ? Lanes.saturate(r, bits, false) : r);
            }
        }
    }

    /** Byte i of the result: byte (s[i] & 15) of the destination, or 0 when bit 7 of s[i] is set. */
    static void pshufb(long[] out, long dlo, long dhi, long slo, long shi) {
        for (int h = 0; h < 2; h++) {
            long sel = h == 0 ? slo : shi;
            long r = 0;
            for (int i = 0; i < 8; i++) {
                int s = (int) (sel >>> (8 * i)) & 0xFF;
                if (s < 0x80) {
                    long q = (s & 8) == 0 ? dlo : dhi;
                    r |= ((q >>> (8 * (s & 7))) & 0xFF) << (8 * i);
                }
            }
            out[h] = r;
        }
    }

    /** The 32 bytes destination:source shifted right by {@code n} bytes; the low 16 remain. */
    static void palignr(long[] out, long dlo, long dhi, long slo, long shi, int n) {
        long[] w = {slo, shi, dlo, dhi, 0, 0};
        int q = n / 8, bit = (n % 8) * 8;
        for (int h = 0; h < 2; h++) {
            int k = q + h;
            long a = k < 4 ? w[k] : 0, b = k + 1 < 4 ? w[k + 1] : 0;
            out[h] = bit == 0 ? a : (a >>> bit) | (b << (64 - bit));
        }
    }
}
