package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/** Data movement between XMM registers, memory and general registers. */
final class SseMoveOps {
    private SseMoveOps() {
    }

    /** MOVAPS MOVUPS MOVAPD MOVUPD MOVDQA MOVDQU MOVNT*: a whole register, loaded or stored. */
    static final class Full extends SseInsn {
        private final boolean load;

        Full(Decoded d, int xmm, Operand rm, boolean load, boolean aligned) {
            super(d, rm, xmm, 16, aligned);
            this.load = load;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            if (load) {
                long lo = src(c, 0), hi = src(c, 1);
                x[2 * xmm] = lo;
                x[2 * xmm + 1] = hi;
            } else {
                store(c, x[2 * xmm], x[2 * xmm + 1]);
            }
        }
    }

    /**
     * MOVSS/MOVSD (size 4/8), MOVQ xmm, xmm/m64 and MOVQ xmm/m64, xmm: the low element. A load from memory and the MOVQ
     * forms clear the rest of the destination; MOVSS/MOVSD between registers keep it.
     */
    static final class Low extends SseInsn {
        private final boolean load, zeroRest;

        Low(Decoded d, int xmm, Operand rm, int size, boolean load, boolean zeroRest) {
            super(d, rm, xmm, size, false);
            this.load = load;
            this.zeroRest = zeroRest;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            long mask = size == 4 ? 0xFFFF_FFFFL : -1L;
            if (load) {
                long v = src(c, 0) & mask;
                boolean clear = zeroRest || rm < 0;
                x[2 * xmm] = clear ? v : (x[2 * xmm] & ~mask) | v;
                if (clear) {
                    x[2 * xmm + 1] = 0;
                }
            } else {
                store(c, x[2 * xmm], 0);
            }
        }
    }

    /** MOVLPS/MOVLPD/MOVHPS/MOVHPD (memory), MOVHLPS/MOVLHPS (registers): one quadword into or out of a half. */
    static final class Half extends SseInsn {
        private final int to, from;
        private final boolean load;

        /** Load: quadword {@code from} of r/m into half {@code to}; store: half {@code from} to memory. */
        Half(Decoded d, int xmm, Operand rm, boolean load, int to, int from) {
            super(d, rm, xmm, rm instanceof Operand.Mem ? 8 : 16, false);
            this.load = load;
            this.to = to;
            this.from = from;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            if (load) {
                x[2 * xmm + to] = src(c, from);
            } else {
                store(c, x[2 * xmm + from], 0);
            }
        }
    }

    /** MOVD/MOVQ between a general register or memory and an XMM register. */
    static final class Gpr extends SseInsn {
        private final boolean toXmm;

        Gpr(Decoded d, int xmm, Operand rm, int size, boolean toXmm) {
            super(d, rm, xmm, size, false);
            this.toXmm = toXmm;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            if (toXmm) {
                long v = rm >= 0 ? c.reg(size, rm) : c.read(size, ea(c));
                x[2 * xmm] = v;
                x[2 * xmm + 1] = 0;
            } else if (rm >= 0) {
                c.setReg(size, rm, x[2 * xmm]);
            } else {
                c.write(size, ea(c), x[2 * xmm]);
            }
        }
    }

    /** MOVMSKPS (32-bit lanes), MOVMSKPD (64), PMOVMSKB (8): the lanes' sign bits into a general register. */
    static final class Mask extends SseInsn implements SseResult {
        private final int laneBits;

        Mask(Decoded d, int gpr, Operand rm, int laneBits) {
            super(d, rm, gpr, 16, false);
            this.laneBits = laneBits;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            c.r[xmm] = result(c, src(c, 0), src(c, 1));
        }

        @Override
        public long result(Cpu c, long lo, long hi) {
            int lanes = 64 / laneBits;
            long m = 0;
            for (int i = 0; i < lanes; i++) {
                int bit = (i + 1) * laneBits - 1;
                m |= ((lo >>> bit) & 1) << i;
                m |= ((hi >>> bit) & 1) << (i + lanes);
            }
            return m;
        }
    }

    /** MOVNTI: a general register to memory. */
    static final class Movnti extends SseInsn {
        Movnti(Decoded d, Operand mem, int gpr, int size) {
            super(d, mem, gpr, size, false);
        }

        @Override
        public void exec(Cpu c) {
            c.write(size, ea(c), c.reg(size, xmm));
        }
    }

    /** MASKMOVDQU: the bytes of XMM{@link #xmm} whose mask byte has its top bit set, to [RDI]. */
    static final class MaskMove extends SseInsn {
        MaskMove(Decoded d, int xmm, Operand mask) {
            super(d, mask, xmm, 16, false);
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            long base = decoded.addressSize() == 4 ? c.r[Cpu.RDI] & 0xFFFF_FFFFL : c.r[Cpu.RDI];
            if (decoded.segment() == Cpu.FS || decoded.segment() == Cpu.GS) {
                base += decoded.segment() == Cpu.FS ? c.fsBase : c.gsBase;
            }
            long mlo = x[2 * rm], mhi = x[2 * rm + 1];
            if (((mlo | mhi) & 0x8080_8080_8080_8080L) == 0) {
                return;
            }
            c.mmu.translate(base, org.paravane.emulated.mmu.Mmu.WRITE, false);
            c.mmu.translate((base + 15) & ~0xFFFL, org.paravane.emulated.mmu.Mmu.WRITE, false);
            for (int i = 0; i < 16; i++) {
                long m = i < 8 ? mlo >>> (8 * i) : mhi >>> (8 * (i - 8));
                if ((m & 0x80) != 0) {
                    long v = i < 8 ? x[2 * xmm] >>> (8 * i) : x[2 * xmm + 1] >>> (8 * (i - 8));
                    c.write8(base + i, v);
                }
            }
        }
    }
}
