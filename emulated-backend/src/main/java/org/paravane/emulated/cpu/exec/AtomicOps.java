package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Atomics;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.mmu.Mmu;

/**
 * XCHG with memory (always locked), XADD, CMPXCHG, CMPXCHG8B/16B. Their memory forms are atomic with or without
 * LOCK: the emulator gives the stronger guarantee for free.
 */
final class AtomicOps {
    private AtomicOps() {
    }

    static final class XchgMem extends MemInsn {
        private final int size, reg;
        private final Atomics.Update update;

        XchgMem(Decoded d, int size, Operand mem, int reg) {
            super(d, mem);
            this.size = size;
            this.reg = reg;
            this.update = (c, old) -> c.reg(this.size, this.reg);
        }

        @Override
        public void exec(Cpu c) {
            long old = Atomics.rmw(c, ea(c), size, update);
            c.setReg(size, reg, old);
        }
    }

    static final class Xadd extends MemInsn {
        private final int size, reg;
        private final Atomics.Update update;

        Xadd(Decoded d, int size, Operand dst, int reg) {
            super(d, dst);
            this.size = size;
            this.reg = reg;
            this.update = (c, old) -> c.add(this.size, old, c.reg(this.size, this.reg));
        }

        @Override
        public void exec(Cpu c) {
            if (rm >= 0) {
                long d = c.reg(size, rm), s = c.reg(size, reg);
                long sum = c.add(size, d, s);
                c.setReg(size, reg, d);
                c.setReg(size, rm, sum);
                return;
            }
            long old = Atomics.rmw(c, ea(c), size, update);
            c.setReg(size, reg, old);
        }
    }

    /**
     * CMPXCHG: compares the accumulator with the destination. A failed compare loads the accumulator and leaves a
     * register destination untouched (its upper half too, as the hardware does); memory sees a locked write back.
     */
    static final class Cmpxchg extends MemInsn {
        private final int size, reg;
        private final Atomics.Update update;

        Cmpxchg(Decoded d, int size, Operand dst, int reg) {
            super(d, dst);
            this.size = size;
            this.reg = reg;
            this.update = (c, old) -> {
                long acc = c.reg(this.size, Cpu.RAX);
                c.sub(this.size, acc, old);
                return acc == old ? c.reg(this.size, this.reg) : old;
            };
        }

        @Override
        public void exec(Cpu c) {
            long acc = c.reg(size, Cpu.RAX);
            if (rm >= 0) {
                long d = c.reg(size, rm);
                c.sub(size, acc, d);
                if (acc == d) {
                    c.setReg(size, rm, c.reg(size, reg));
                } else {
                    c.setReg(size, Cpu.RAX, d);
                }
                return;
            }
            long old = Atomics.rmw(c, ea(c), size, update);
            if (old != acc) {
                c.setReg(size, Cpu.RAX, old);
            }
        }
    }

    /** CMPXCHG8B (EDX:EAX against m64) and CMPXCHG16B (RDX:RAX against a 16-byte aligned m128). Only ZF changes. */
    static final class CmpxchgWide extends MemInsn {
        private final boolean wide;
        private final Atomics.Update update;

        CmpxchgWide(Decoded d, Operand mem, boolean wide) {
            super(d, mem);
            this.wide = wide;
            this.update = (c, old) -> {
                long expect = (c.r[Cpu.RDX] << 32) | (c.r[Cpu.RAX] & 0xFFFF_FFFFL);
                return old == expect ? (c.r[Cpu.RCX] << 32) | (c.r[Cpu.RBX] & 0xFFFF_FFFFL) : old;
            };
        }

        private static void setZf(Cpu c, boolean equal) {
            c.setArith((c.arithFlags() & ~Cpu.ZF) | (equal ? Cpu.ZF : 0));
        }

        @Override
        public void exec(Cpu c) {
            long a = ea(c);
            if (!wide) {
                long expect = (c.r[Cpu.RDX] << 32) | (c.r[Cpu.RAX] & 0xFFFF_FFFFL);
                long old = Atomics.rmw(c, a, 8, update);
                setZf(c, old == expect);
                if (old != expect) {
                    c.r[Cpu.RAX] = old & 0xFFFF_FFFFL;
                    c.r[Cpu.RDX] = old >>> 32;
                }
                return;
            }
            if ((a & 0xF) != 0) {
                throw c.gp(0);
            }
            c.mmu.translate(a, Mmu.WRITE, false);
            c.mmu.translate(a + 15, Mmu.WRITE, false);
            c.exclusive.enter(c);
            try {
                long lo = c.read64(a), hi = c.read64(a + 8);
                boolean equal = lo == c.r[Cpu.RAX] && hi == c.r[Cpu.RDX];
                if (equal) {
                    c.write64(a, c.r[Cpu.RBX]);
                    c.write64(a + 8, c.r[Cpu.RCX]);
                } else {
                    c.write64(a, lo);
                    c.write64(a + 8, hi);
                    c.r[Cpu.RAX] = lo;
                    c.r[Cpu.RDX] = hi;
                }
                setZf(c, equal);
            } finally {
                c.exclusive.exit(c);
            }
        }
    }
}
