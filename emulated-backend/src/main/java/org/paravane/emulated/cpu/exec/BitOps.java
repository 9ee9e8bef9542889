package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Atomics;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/** BT/BTS/BTR/BTC, BSF/BSR/TZCNT/LZCNT/POPCNT, SHLD/SHRD and the BMI1 instructions. */
final class BitOps {
    private BitOps() {
    }

    /**
     * BT (0), BTS (1), BTR (2), BTC (3). A register bit offset addresses memory beyond the operand (signed, in
     * operand-size units); an immediate one is taken modulo the operand size. CF receives the bit; the other flags
     * are left as they were.
     */
    static final class BitTest extends MemInsn {
        private final int kind, size, src;
        private final long imm;
        private final boolean locked;

        BitTest(Decoded d, int kind, int size, Operand dst, int src, long imm, boolean locked) {
            super(d, dst);
            this.kind = kind;
            this.size = size;
            this.src = src;
            this.imm = imm;
            this.locked = locked;
        }

        private long modify(long v, int bit) {
            return switch (kind) {
                case 1 -> v | (1L << bit);
                case 2 -> v & ~(1L << bit);
                case 3 -> v ^ (1L << bit);
                default -> v;
            };
        }

        private void setCf(Cpu c, long v, int bit) {
            c.setArith((c.arithFlags() & ~Cpu.CF) | ((v >>> bit) & 1));
        }

        @Override
        public void exec(Cpu c) {
            int bits = size * 8;
            long offset = src >= 0 ? Cpu.sx(size, c.reg(size, src)) : imm;
            int bit = (int) (offset & (bits - 1));
            if (rm >= 0) {
                long v = c.reg(size, rm);
                setCf(c, v, bit);
                if (kind != 0) {
                    c.setReg(size, rm, modify(v, bit));
                }
                return;
            }
            long a = ea(c);
            if (src >= 0) {
                a += (offset >> Integer.numberOfTrailingZeros(bits)) * size;
            }
            if (kind == 0) {
                setCf(c, c.read(size, a), bit);
            } else if (locked) {
                long old = Atomics.rmw(c, a, size, (cpu, v) -> modify(v, bit));
                setCf(c, old, bit);
            } else {
                long v = c.readForWrite(size, a);
                c.write(size, a, modify(v, bit));
                setCf(c, v, bit);
            }
        }
    }

    /** BSF (0), BSR (1), TZCNT (2), LZCNT (3), POPCNT (4). */
    static final class Scan extends MemInsn {
        private final int kind, size, dst;

        Scan(Decoded d, int kind, int size, int dst, Operand src) {
            super(d, src);
            this.kind = kind;
            this.size = size;
            this.dst = dst;
        }

        @Override
        public void exec(Cpu c) {
            long v = getRm(c, size);
            int bits = size * 8;
            long flags = c.arithFlags();
            switch (kind) {
                case 0, 1 -> {
                    if (v == 0) {
                        c.setArith(flags | Cpu.ZF);
                        return;
                    }
                    long idx = kind == 0 ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v);
                    c.setReg(size, dst, idx);
                    c.setArith(flags & ~Cpu.ZF);
                }
                case 2, 3 -> {
                    long n = v == 0 ? bits : kind == 2 ? Long.numberOfTrailingZeros(v)
                            : Long.numberOfLeadingZeros(v) - (64 - bits);
                    c.setReg(size, dst, n);
                    c.setArith((flags & ~(Cpu.CF | Cpu.ZF)) | (v == 0 ? Cpu.CF : 0) | (n == 0 ? Cpu.ZF : 0));
                }
                default -> {
                    c.setReg(size, dst, Long.bitCount(v));
                    c.setArith(v == 0 ? Cpu.ZF : 0);
                }
            }
        }
    }

    /** SHLD/SHRD dst, src, imm8 or CL ({@code count < 0}). */
    static final class DoubleShift extends MemInsn {
        private final boolean left;
        private final int size, src, count;

        DoubleShift(Decoded d, boolean left, int size, Operand dst, int src, int count) {
            super(d, dst);
            this.left = left;
            this.size = size;
            this.src = src;
            this.count = count;
        }

        @Override
        public void exec(Cpu c) {
            int bits = size * 8;
            int n = (int) ((count >= 0 ? count : c.r[Cpu.RCX]) & (size == 8 ? 0x3F : 0x1F));
            long a = rm < 0 ? ea(c) : 0;
            long d = rm >= 0 ? c.reg(size, rm) : c.read(size, a);
            if (n == 0) {
                if (rm >= 0 && size == 4) {
                    c.setReg(4, rm, d);                  // a 32-bit register is written (zero-extended) even so
                }
                return;
            }
            long s = c.reg(size, src);
            long res;
            long cf;
            if (size == 2) {
                // 16-bit operands shift through the 32-bit d:s (s:d) pair; counts above 16 are undefined in the SDM.
                long w = left ? (d << 16) | s : (s << 16) | d;
                res = (left ? (w << n) >>> 16 : w >>> n) & 0xFFFF;
                cf = left ? (w >>> (32 - n)) & 1 : (w >>> (n - 1)) & 1;
            } else if (left) {
                res = Cpu.zx(size, (d << n) | (s >>> (bits - n)));
                cf = (d >>> (bits - n)) & 1;
            } else {
                res = Cpu.zx(size, (d >>> n) | (s << (bits - n)));
                cf = (d >>> (n - 1)) & 1;
            }
            long msbBit = 1L << (bits - 1);
            long of = ((res ^ d) & msbBit) != 0 ? Cpu.OF : 0;
            if (rm >= 0) {
                c.setReg(size, rm, res);
            } else {
                c.write(size, a, res);
            }
            c.resultFlags(size, res, cf | of);
        }
    }

    /** ANDN (0), BEXTR (1), BLSI (2), BLSMSK (3), BLSR (4); {@code other} is VEX.vvvv. */
    static final class Bmi extends MemInsn {
        private final int kind, size, dst, other;

        Bmi(Decoded d, int kind, int size, int dst, int other, Operand src) {
            super(d, src);
            this.kind = kind;
            this.size = size;
            this.dst = dst;
            this.other = other;
        }

        @Override
        public void exec(Cpu c) {
            long s = getRm(c, size);
            int bits = size * 8;
            switch (kind) {
                case 0 -> c.setReg(size, dst, c.logic(size, ~c.reg(size, other) & s));
                case 1 -> {
                    long ctl = c.reg(size, other);
                    int start = (int) (ctl & 0xFF), len = (int) ((ctl >>> 8) & 0xFF);
                    long v = start >= bits ? 0 : s >>> start;
                    if (len < bits) {
                        v &= (1L << len) - 1;
                    }
                    c.setReg(size, dst, c.logic(size, Cpu.zx(size, v)));
                }
                case 2 -> {
                    long r = Cpu.zx(size, -s & s);
                    c.setReg(size, other, r);
                    c.resultFlags(size, r, s != 0 ? Cpu.CF : 0);
                }
                case 3 -> {
                    long r = Cpu.zx(size, (s - 1) ^ s);
                    c.setReg(size, other, r);
                    c.resultFlags(size, r, s == 0 ? Cpu.CF : 0);
                }
                default -> {
                    long r = Cpu.zx(size, (s - 1) & s);
                    c.setReg(size, other, r);
                    c.resultFlags(size, r, s == 0 ? Cpu.CF : 0);
                }
            }
        }
    }
}
