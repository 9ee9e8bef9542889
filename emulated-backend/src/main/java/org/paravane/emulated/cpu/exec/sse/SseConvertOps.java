package org.paravane.emulated.cpu.exec.sse;

import static org.paravane.emulated.cpu.exec.sse.SoftFloat.DOUBLE;
import static org.paravane.emulated.cpu.exec.sse.SoftFloat.SINGLE;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * The CVT family: between binary32 and binary64, from 32/64-bit integers, and to integers rounded by MXCSR or
 * truncated (CVTT*), where NaN and out-of-range values give the integer indefinite with IE.
 */
final class SseConvertOps {
    private SseConvertOps() {
    }

    /** XMM destination, XMM or memory source. */
    static final class ToXmm extends SseInsn implements SseCompute {
        private final Mnemonic op;

        ToXmm(Decoded d, int xmm, Operand rm, int size) {
            super(d, rm, xmm, size, size == 16);
            this.op = d.mnemonic();
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long slo = src(c, 0);
            compute(c, slo, size == 16 ? src(c, 1) : 0);
        }

        @Override
        public void compute(Cpu c, long slo, long shi) {
            long[] x = x(c);
            long dlo = x[2 * xmm], dhi = x[2 * xmm + 1];
            Mxcsr m = new Mxcsr(c.fpu);
            long lo, hi;
            switch (op) {
                case CVTSS2SD -> {
                    lo = SoftFloat.convert(m, SINGLE, DOUBLE, slo & 0xFFFF_FFFFL);
                    hi = dhi;
                }
                case CVTSD2SS -> {
                    lo = (dlo & 0xFFFF_FFFF_0000_0000L) | SoftFloat.convert(m, DOUBLE, SINGLE, slo);
                    hi = dhi;
                }
                case CVTPS2PD -> {
                    lo = SoftFloat.convert(m, SINGLE, DOUBLE, slo & 0xFFFF_FFFFL);
                    hi = SoftFloat.convert(m, SINGLE, DOUBLE, slo >>> 32);
                }
                case CVTPD2PS -> {
                    lo = SoftFloat.convert(m, DOUBLE, SINGLE, slo) | SoftFloat.convert(m, DOUBLE, SINGLE, shi) << 32;
                    hi = 0;
                }
                case CVTDQ2PD -> {
                    lo = SoftFloat.fromInteger(m, DOUBLE, (int) slo);
                    hi = SoftFloat.fromInteger(m, DOUBLE, (int) (slo >>> 32));
                }
                case CVTDQ2PS -> {
                    lo = SoftFloat.fromInteger(m, SINGLE, (int) slo) | SoftFloat.fromInteger(m, SINGLE, (int) (slo >>> 32)) << 32;
                    hi = SoftFloat.fromInteger(m, SINGLE, (int) shi) | SoftFloat.fromInteger(m, SINGLE, (int) (shi >>> 32)) << 32;
                }
                case CVTPS2DQ, CVTTPS2DQ -> {
                    boolean t = op == Mnemonic.CVTTPS2DQ;
                    lo = SoftFloat.toInteger(m, SINGLE, slo & 0xFFFF_FFFFL, 32, t)
                            | SoftFloat.toInteger(m, SINGLE, slo >>> 32, 32, t) << 32;
                    hi = SoftFloat.toInteger(m, SINGLE, shi & 0xFFFF_FFFFL, 32, t)
                            | SoftFloat.toInteger(m, SINGLE, shi >>> 32, 32, t) << 32;
                }
                case CVTPD2DQ, CVTTPD2DQ -> {
                    boolean t = op == Mnemonic.CVTTPD2DQ;
                    lo = SoftFloat.toInteger(m, DOUBLE, slo, 32, t) | SoftFloat.toInteger(m, DOUBLE, shi, 32, t) << 32;
                    hi = 0;
                }
                default -> throw new IllegalStateException(op.text());
            }
            m.commit(c);
            x[2 * xmm] = lo;
            x[2 * xmm + 1] = hi;
        }
    }

    /** CVTSI2SS/CVTSI2SD: a 32- or 64-bit signed integer (register or memory) into the low element. */
    static final class FromGpr extends SseInsn implements SseCompute {
        private final boolean single;

        FromGpr(Decoded d, int xmm, Operand rm, int intSize) {
            super(d, rm, xmm, intSize, false);
            this.single = d.mnemonic() == Mnemonic.CVTSI2SS;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            compute(c, rm >= 0 ? c.reg(size, rm) : c.read(size, ea(c)), 0);
        }

        /** {@code slo}: the integer source, zero-extended from its {@link #size} bytes. */
        @Override
        public void compute(Cpu c, long slo, long shi) {
            long v = size == 4 ? (int) slo : slo;
            Mxcsr m = new Mxcsr(c.fpu);
            long r = SoftFloat.fromInteger(m, single ? SINGLE : DOUBLE, v);
            m.commit(c);
            long[] x = x(c);
            x[2 * xmm] = single ? (x[2 * xmm] & 0xFFFF_FFFF_0000_0000L) | r : r;
        }
    }

    /** CVT(T)SS2SI/CVT(T)SD2SI: the low element into a 32- or 64-bit general register. */
    static final class ToGpr extends SseInsn implements SseResult {
        private final boolean single, truncate;
        private final int intSize;

        ToGpr(Decoded d, int gpr, Operand rm, int intSize) {
            super(d, rm, gpr, d.mnemonic() == Mnemonic.CVTSS2SI || d.mnemonic() == Mnemonic.CVTTSS2SI ? 4 : 8, false);
            this.single = size == 4;
            this.truncate = d.mnemonic() == Mnemonic.CVTTSS2SI || d.mnemonic() == Mnemonic.CVTTSD2SI;
            this.intSize = intSize;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            c.setReg(intSize, xmm, result(c, src(c, 0), 0));
        }

        @Override
        public long result(Cpu c, long slo, long shi) {
            long v = slo & (single ? 0xFFFF_FFFFL : -1L);
            Mxcsr m = new Mxcsr(c.fpu);
            long r = SoftFloat.toInteger(m, single ? SINGLE : DOUBLE, v, intSize * 8, truncate);
            m.commit(c);
            return r;
        }
    }
}
