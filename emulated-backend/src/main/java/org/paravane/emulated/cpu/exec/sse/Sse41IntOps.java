package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * SSE4.1 packed integers and blends: XMM{@link #xmm} = f(XMM{@link #xmm}, r/m, imm8, XMM0). PMOVSX/PMOVZX read only
 * as many bytes as they extend (2, 4 or 8, no alignment rule); PTEST writes only the flags.
 */
final class Sse41IntOps {
    private Sse41IntOps() {
    }

    static final class Binary extends SseInsn {
        private final Mnemonic op;
        private final int imm;

        Binary(Decoded d, int xmm, Operand rm, int imm) {
            super(d, rm, xmm, rm instanceof Operand.Mem m ? m.size() : 16, true);
            this.op = d.mnemonic();
            this.imm = imm & 0xFF;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            long slo = src(c, 0), shi = size == 16 ? src(c, 1) : 0;
            long dlo = x[2 * xmm], dhi = x[2 * xmm + 1];
            if (op == Mnemonic.PTEST) {
                boolean zf = (dlo & slo) == 0 && (dhi & shi) == 0;
                boolean cf = (~dlo & slo) == 0 && (~dhi & shi) == 0;
                c.setArith((zf ? Cpu.ZF : 0) | (cf ? Cpu.CF : 0));
                return;
            }
            long[] out = {dlo, dhi};
            switch (op) {
                case PMOVSXBW, PMOVSXBD, PMOVSXBQ, PMOVSXWD, PMOVSXWQ, PMOVSXDQ,
                     PMOVZXBW, PMOVZXBD, PMOVZXBQ, PMOVZXWD, PMOVZXWQ, PMOVZXDQ -> extend(out, slo);
                case PMULDQ -> {
                    out[0] = (long) (int) slo * (int) dlo;
                    out[1] = (long) (int) shi * (int) dhi;
                }
                case PMULLD -> lanes(out, dlo, dhi, slo, shi, 32, (a, b) -> a * b);
                case PCMPEQQ -> lanes(out, dlo, dhi, slo, shi, 64, (a, b) -> a == b ? -1 : 0);
                case PMINSB -> signedLanes(out, dlo, dhi, slo, shi, 8, Math::min);
                case PMAXSB -> signedLanes(out, dlo, dhi, slo, shi, 8, Math::max);
                case PMINSD -> signedLanes(out, dlo, dhi, slo, shi, 32, Math::min);
                case PMAXSD -> signedLanes(out, dlo, dhi, slo, shi, 32, Math::max);
                case PMINUW, PMINUD -> lanes(out, dlo, dhi, slo, shi, op == Mnemonic.PMINUW ? 16 : 32, Math::min);
                case PMAXUW, PMAXUD -> lanes(out, dlo, dhi, slo, shi, op == Mnemonic.PMAXUW ? 16 : 32, Math::max);
                case PACKUSDW -> {
                    for (int i = 0; i < 8; i++) {
                        long v = i < 4 ? Lanes.signed(dlo, dhi, 32, i) : Lanes.signed(slo, shi, 32, i - 4);
                        Lanes.set(out, 16, i, Lanes.saturate(v, 16, true));
                    }
                }
                case PHMINPOSUW -> {
                    int at = 0;
                    for (int i = 1; i < 8; i++) {
                        if (Lanes.get(slo, shi, 16, i) < Lanes.get(slo, shi, 16, at)) {
                            at = i;
                        }
                    }
                    out[0] = Lanes.get(slo, shi, 16, at) | (long) at << 16;
                    out[1] = 0;
                }
                case MPSADBW -> {
                    int d0 = (imm & 4) != 0 ? 4 : 0, s0 = (imm & 3) * 4;
                    for (int i = 0; i < 8; i++) {
                        long sum = 0;
                        for (int j = 0; j < 4; j++) {
                            sum += Math.abs(Lanes.get(dlo, dhi, 8, d0 + i + j) - Lanes.get(slo, shi, 8, s0 + j));
                        }
                        Lanes.set(out, 16, i, sum);
                    }
                }
                case PBLENDW -> blend(out, slo, shi, 16, imm);
                case BLENDPS -> blend(out, slo, shi, 32, imm);
                case BLENDPD -> blend(out, slo, shi, 64, imm);
                default -> {                                            // PBLENDVB BLENDVPS BLENDVPD: XMM0's sign bits
                    int bits = op == Mnemonic.PBLENDVB ? 8 : op == Mnemonic.BLENDVPS ? 32 : 64;
                    long mlo = x[0], mhi = x[1];
                    int select = 0;
                    for (int i = 0; i < Lanes.count(bits); i++) {
                        select |= (int) (Lanes.get(mlo, mhi, bits, i) >>> (bits - 1)) << i;
                    }
                    blend(out, slo, shi, bits, select);
                }
            }
            x[2 * xmm] = out[0];
            x[2 * xmm + 1] = out[1];
        }

        /** PMOVSX/PMOVZX: the low lanes of the source, each widened. */
        private void extend(long[] out, long s) {
            String name = op.text();
            boolean signed = name.startsWith("pmovsx");
            int from = width(name.charAt(6)), to = width(name.charAt(7));
            for (int i = 0; i < 128 / to; i++) {
                long v = signed ? Lanes.signed(s, 0, from, i) : Lanes.get(s, 0, from, i);
                Lanes.set(out, to, i, v);
            }
        }

        private static int width(char c) {
            return switch (c) {
                case 'b' -> 8;
                case 'w' -> 16;
                case 'd' -> 32;
                default -> 64;
            };
        }
    }

    interface LaneOp {
        long apply(long a, long b);
    }

    static void lanes(long[] out, long dlo, long dhi, long slo, long shi, int bits, LaneOp f) {
        for (int i = 0; i < Lanes.count(bits); i++) {
            Lanes.set(out, bits, i, f.apply(Lanes.get(dlo, dhi, bits, i), Lanes.get(slo, shi, bits, i)));
        }
    }

    static void signedLanes(long[] out, long dlo, long dhi, long slo, long shi, int bits, LaneOp f) {
        for (int i = 0; i < Lanes.count(bits); i++) {
            Lanes.set(out, bits, i, f.apply(Lanes.signed(dlo, dhi, bits, i), Lanes.signed(slo, shi, bits, i)));
        }
    }

    /** The lanes whose bit is set in {@code select} from the source; {@code out} holds the destination. */
    static void blend(long[] out, long slo, long shi, int bits, int select) {
        for (int i = 0; i < Lanes.count(bits); i++) {
            if ((select >>> i & 1) != 0) {
                Lanes.set(out, bits, i, Lanes.get(slo, shi, bits, i));
            }
        }
    }
}
