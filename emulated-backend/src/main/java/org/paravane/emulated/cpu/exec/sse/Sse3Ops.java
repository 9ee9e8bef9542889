package org.paravane.emulated.cpu.exec.sse;

import static org.paravane.emulated.cpu.exec.sse.SoftFloat.DOUBLE;
import static org.paravane.emulated.cpu.exec.sse.SoftFloat.SINGLE;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * SSE3: ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD (IEEE arithmetic through {@link SoftFloat}, results written only after
 * {@link Mxcsr#commit}) and the duplicating loads MOVDDUP, MOVSHDUP, MOVSLDUP. LDDQU is bound as MOVDQU.
 */
final class Sse3Ops {
    private Sse3Ops() {
    }

    static final class Horizontal extends SseInsn {
        private final Mnemonic op;
        private final boolean single;

        Horizontal(Decoded d, int xmm, Operand rm) {
            super(d, rm, xmm, 16, true);
            this.op = d.mnemonic();
            this.single = op == Mnemonic.ADDSUBPS || op == Mnemonic.HADDPS || op == Mnemonic.HSUBPS;
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
            long[] out = new long[2];
            for (int i = 0; i < n; i++) {
                long a, b;
                int kind;
                if (op == Mnemonic.ADDSUBPS || op == Mnemonic.ADDSUBPD) {
                    a = Lanes.get(dlo, dhi, bits, i);
                    b = Lanes.get(slo, shi, bits, i);
                    kind = i % 2 == 0 ? SoftFloat.SUB : SoftFloat.ADD;
                } else {
                    boolean fromDst = i < n / 2;
                    long lo = fromDst ? dlo : slo, hi = fromDst ? dhi : shi;
                    int k = 2 * (i % (n / 2));
                    a = Lanes.get(lo, hi, bits, k);
                    b = Lanes.get(lo, hi, bits, k + 1);
                    kind = op == Mnemonic.HADDPS || op == Mnemonic.HADDPD ? SoftFloat.ADD : SoftFloat.SUB;
                }
                Lanes.set(out, bits, i, SoftFloat.arith(m, f, kind, a, b));
            }
            m.commit(c);
            x[2 * xmm] = out[0];
            x[2 * xmm + 1] = out[1];
        }
    }

    /** MOVDDUP (the low quadword twice; memory: 8 bytes), MOVSLDUP/MOVSHDUP (even/odd dwords twice). */
    static final class Dup extends SseInsn {
        private final Mnemonic op;

        Dup(Decoded d, int xmm, Operand rm) {
            super(d, rm, xmm, d.mnemonic() == Mnemonic.MOVDDUP ? 8 : 16, true);
            this.op = d.mnemonic();
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            long lo = src(c, 0);
            if (op == Mnemonic.MOVDDUP) {
                x[2 * xmm] = lo;
                x[2 * xmm + 1] = lo;
                return;
            }
            long hi = src(c, 1);
            x[2 * xmm] = dup(lo, op == Mnemonic.MOVSHDUP);
            x[2 * xmm + 1] = dup(hi, op == Mnemonic.MOVSHDUP);
        }

        private static long dup(long q, boolean odd) {
            long v = odd ? q >>> 32 : q & 0xFFFF_FFFFL;
            return v | v << 32;
        }
    }
}
