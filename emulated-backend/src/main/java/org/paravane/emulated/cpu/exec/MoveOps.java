package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/** MOV and its relatives: MOVZX/MOVSX/MOVSXD, LEA, XCHG of registers, CMOVcc, SETcc, BSWAP, MOVBE, CBW/CWD, XLAT, LAHF/SAHF. */
final class MoveOps {
    private MoveOps() {
    }

    static final class RR extends Insn {
        private final int size, dst, src;

        RR(Decoded d, int size, int dst, int src) {
            super(d);
            this.size = size;
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(Cpu c) {
            if (size == 8) {
                c.r[dst] = c.r[src];
            } else if (size == 4) {
                c.r[dst] = c.r[src] & 0xFFFF_FFFFL;
            } else {
                c.setReg(size, dst, c.reg(size, src));
            }
        }
    }

    static final class RI extends Insn {
        private final int size, dst;
        private final long imm;

        RI(Decoded d, int size, int dst, long imm) {
            super(d);
            this.size = size;
            this.dst = dst;
            this.imm = imm;
        }

        @Override
        public void exec(Cpu c) {
            c.setReg(size, dst, imm);
        }
    }

    /** A load: reg = [mem]. */
    static final class Load extends MemInsn {
        private final int size, dst;

        Load(Decoded d, int size, int dst, Operand mem) {
            super(d, mem);
            this.size = size;
            this.dst = dst;
        }

        @Override
        public void exec(Cpu c) {
            switch (size) {
                case 8 -> c.r[dst] = c.read64(ea(c));
                case 4 -> c.r[dst] = c.read32(ea(c));
                default -> c.setReg(size, dst, c.read(size, ea(c)));
            }
        }
    }

    /** A store: [mem] = reg, or [mem] = imm when {@code src} is negative. */
    static final class Store extends MemInsn {
        private final int size, src;
        private final long imm;

        Store(Decoded d, int size, Operand mem, int src, long imm) {
            super(d, mem);
            this.size = size;
            this.src = src;
            this.imm = imm;
        }

        @Override
        public void exec(Cpu c) {
            long v = src >= 0 ? (size == 1 ? c.reg8(src) : c.r[src]) : imm;
            switch (size) {
                case 8 -> c.write64(ea(c), v);
                case 4 -> c.write32(ea(c), v);
                case 1 -> c.write8(ea(c), v);
                default -> c.write16(ea(c), v);
            }
        }
    }

    /** MOVZX, MOVSX, MOVSXD: {@code dstSize} from {@code srcSize}. */
    static final class Extend extends MemInsn {
        private final int dstSize, srcSize, dst;
        private final boolean signed;

        Extend(Decoded d, int dstSize, int srcSize, int dst, Operand src, boolean signed) {
            super(d, src);
            this.dstSize = dstSize;
            this.srcSize = srcSize;
            this.dst = dst;
            this.signed = signed;
        }

        @Override
        public void exec(Cpu c) {
            long v = rm >= 0 ? c.reg(srcSize, rm) : c.read(srcSize, ea(c));
            c.setReg(dstSize, dst, signed ? Cpu.sx(srcSize, v) : v);
        }
    }

    /** LEA: the offset (no segment base), truncated to the address and operand size. */
    static final class Lea extends Insn {
        private final int size, dst, base, index, scale;
        private final long disp;
        private final boolean addr32;

        Lea(Decoded d, int size, int dst, Operand.Mem m) {
            super(d);
            this.size = size;
            this.dst = dst;
            if (m.ripRelative()) {
                base = index = Cpu.ZERO_REG;
                disp = d.ripRelative(m);
            } else {
                base = m.base() < 0 ? Cpu.ZERO_REG : m.base();
                index = m.index() < 0 ? Cpu.ZERO_REG : m.index();
                disp = m.disp();
            }
            scale = m.scale();
            addr32 = m.addressSize() == 4;
        }

        @Override
        public void exec(Cpu c) {
            long a = c.r[base] + (c.r[index] << scale) + disp;
            if (size == 8 && !addr32) {
                c.r[dst] = a;
            } else {
                c.setReg(size, dst, addr32 ? a & 0xFFFF_FFFFL : a);
            }
        }
    }

    /** XCHG of two registers. */
    static final class XchgRR extends Insn {
        private final int size, a, b;

        XchgRR(Decoded d, int size, int a, int b) {
            super(d);
            this.size = size;
            this.a = a;
            this.b = b;
        }

        @Override
        public void exec(Cpu c) {
            long va = c.reg(size, a), vb = c.reg(size, b);
            c.setReg(size, a, vb);
            c.setReg(size, b, va);
        }
    }

    /** CMOVcc: the source is always read; a 32-bit destination is always written (zero-extended). */
    static final class Cmov extends MemInsn {
        private final int cc, size, dst;

        Cmov(Decoded d, int cc, int size, int dst, Operand src) {
            super(d, src);
            this.cc = cc;
            this.size = size;
            this.dst = dst;
        }

        @Override
        public void exec(Cpu c) {
            long v = getRm(c, size);
            if (c.cond(cc)) {
                c.setReg(size, dst, v);
            } else if (size == 4) {
                c.r[dst] &= 0xFFFF_FFFFL;
            }
        }
    }

    static final class Setcc extends MemInsn {
        private final int cc;

        Setcc(Decoded d, int cc, Operand dst) {
            super(d, dst);
            this.cc = cc;
        }

        @Override
        public void exec(Cpu c) {
            setRm(c, 1, c.cond(cc) ? 1 : 0);
        }
    }

    static final class Bswap extends Insn {
        private final int size, reg;

        Bswap(Decoded d, int size, int reg) {
            super(d);
            this.size = size;
            this.reg = reg;
        }

        @Override
        public void exec(Cpu c) {
            switch (size) {
                case 8 -> c.r[reg] = Long.reverseBytes(c.r[reg]);
                case 4 -> c.r[reg] = Integer.reverseBytes((int) c.r[reg]) & 0xFFFF_FFFFL;
                default -> c.setReg(2, reg, 0);      // undefined by the SDM; hardware clears the word
            }
        }
    }

    /** MOVBE: a load or store with the bytes reversed. */
    static final class Movbe extends MemInsn {
        private final int size, reg;
        private final boolean load;

        Movbe(Decoded d, int size, int reg, Operand mem, boolean load) {
            super(d, mem);
            this.size = size;
            this.reg = reg;
            this.load = load;
        }

        private long swap(long v) {
            return switch (size) {
                case 2 -> Short.reverseBytes((short) v) & 0xFFFFL;
                case 4 -> Integer.reverseBytes((int) v) & 0xFFFF_FFFFL;
                default -> Long.reverseBytes(v);
            };
        }

        @Override
        public void exec(Cpu c) {
            if (load) {
                c.setReg(size, reg, swap(c.read(size, ea(c))));
            } else {
                c.write(size, ea(c), swap(c.reg(size, reg)));
            }
        }
    }

    /** CBW/CWDE/CDQE ({@code widen}) and CWD/CDQ/CQO. */
    static final class Convert extends Insn {
        private final int size;
        private final boolean widen;

        Convert(Decoded d, int size, boolean widen) {
            super(d);
            this.size = size;
            this.widen = widen;
        }

        @Override
        public void exec(Cpu c) {
            long a = c.r[Cpu.RAX];
            if (widen) {
                c.setReg(size, Cpu.RAX, Cpu.sx(size / 2, a));
            } else {
                c.setReg(size, Cpu.RDX, Cpu.sx(size, a) < 0 ? -1 : 0);
            }
        }
    }

    static final class Xlat extends Insn {
        private final int seg;
        private final boolean addr32;

        Xlat(Decoded d) {
            super(d);
            this.seg = d.segment();
            this.addr32 = d.addressSize() == 4;
        }

        @Override
        public void exec(Cpu c) {
            long a = c.r[Cpu.RBX] + (c.r[Cpu.RAX] & 0xFF);
            if (addr32) {
                a &= 0xFFFF_FFFFL;
            }
            a += seg == Cpu.FS ? c.fsBase : seg == Cpu.GS ? c.gsBase : 0;
            c.setReg8(Cpu.RAX, c.read8(a));
        }
    }

    static final class Lahf extends Insn {
        Lahf(Decoded d) {
            super(d);
        }

        @Override
        public void exec(Cpu c) {
            c.setReg8(16, (c.arithFlags() & 0xD5) | 2);
        }
    }

    static final class Sahf extends Insn {
        Sahf(Decoded d) {
            super(d);
        }

        @Override
        public void exec(Cpu c) {
            c.setArith((c.arithFlags() & ~0xD5L) | (c.reg8(16) & 0xD5));
        }
    }
}
