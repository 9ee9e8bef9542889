package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Atomics;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * ADD OR ADC SBB AND SUB XOR CMP TEST (operation numbers 0..8, the ModRM /digit order plus TEST), INC DEC NOT NEG:
 * register, immediate and memory forms, plus the locked memory forms.
 */
final class AluOps {
    private AluOps() {
    }

    static final int CMP = 7, TEST = 8;

    static boolean writesBack(int op) {
        return op < CMP;
    }

    /** reg op= reg (64-bit: the hot case, without size dispatch). */
    static final class RR64 extends Insn {
        private final int op, dst, src;

        RR64(Decoded d, int op, int dst, int src) {
            super(d);
            this.op = op;
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(Cpu c) {
            long a = c.r[dst], b = c.r[src];
            switch (op) {
                case 0 -> {
                    long res = a + b;
                    c.fOp = Cpu.F_ADD; c.fDst = a; c.fSrc = b; c.fRes = res;
                    c.r[dst] = res;
                }
                case 5 -> {
                    long res = a - b;
                    c.fOp = Cpu.F_SUB; c.fDst = a; c.fSrc = b; c.fRes = res;
                    c.r[dst] = res;
                }
                case 7 -> {
                    c.fOp = Cpu.F_SUB; c.fDst = a; c.fSrc = b; c.fRes = a - b;
                }
                case 6 -> {
                    long res = a ^ b;
                    c.fOp = Cpu.F_LOGIC; c.fRes = res;
                    c.r[dst] = res;
                }
                case 4 -> {
                    long res = a & b;
                    c.fOp = Cpu.F_LOGIC; c.fRes = res;
                    c.r[dst] = res;
                }
                case 1 -> {
                    long res = a | b;
                    c.fOp = Cpu.F_LOGIC; c.fRes = res;
                    c.r[dst] = res;
                }
                case 8 -> {
                    c.fOp = Cpu.F_LOGIC; c.fRes = a & b;
                }
                default -> c.r[dst] = c.alu(op, 8, a, b);
            }
        }
    }

    /** reg op= reg or imm, 32-bit (the other hot case: the upper half of the destination is zeroed). */
    static final class RR32 extends Insn {
        private final int op, dst, src;
        private final long imm;

        /** {@code src} < 0: the immediate. */
        RR32(Decoded d, int op, int dst, int src, long imm) {
            super(d);
            this.op = op;
            this.dst = dst;
            this.src = src;
            this.imm = (int) imm;
        }

        @Override
        public void exec(Cpu c) {
            long a = (int) c.r[dst];
            long b = src >= 0 ? (int) c.r[src] : imm;
            long res;
            switch (op) {
                case 0 -> {
                    res = (int) (a + b);
                    c.fOp = Cpu.F_ADD; c.fDst = a; c.fSrc = b;
                }
                case 5, 7 -> {
                    res = (int) (a - b);
                    c.fOp = Cpu.F_SUB; c.fDst = a; c.fSrc = b;
                }
                case 1 -> {
                    res = a | b;
                    c.fOp = Cpu.F_LOGIC;
                }
                case 4, 8 -> {
                    res = a & b;
                    c.fOp = Cpu.F_LOGIC;
                }
                case 6 -> {
                    res = a ^ b;
                    c.fOp = Cpu.F_LOGIC;
                }
                default -> {
                    c.r[dst] = c.alu(op, 4, a, b) & 0xFFFF_FFFFL;
                    return;
                }
            }
            c.fRes = res;
            if (op < CMP) {
                c.r[dst] = res & 0xFFFF_FFFFL;
            }
        }
    }

    /** reg op= reg at any size. */
    static final class RR extends Insn {
        private final int op, size, dst, src;

        RR(Decoded d, int op, int size, int dst, int src) {
            super(d);
            this.op = op;
            this.size = size;
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(Cpu c) {
            long v = c.alu(op, size, c.reg(size, dst), c.reg(size, src));
            if (writesBack(op)) {
                c.setReg(size, dst, v);
            }
        }
    }

    /** reg op= imm. */
    static final class RI extends Insn {
        private final int op, size, dst;
        private final long imm;

        RI(Decoded d, int op, int size, int dst, long imm) {
            super(d);
            this.op = op;
            this.size = size;
            this.dst = dst;
            this.imm = imm;
        }

        @Override
        public void exec(Cpu c) {
            if (size == 8) {
                long a = c.r[dst];
                switch (op) {
                    case 0 -> {
                        long res = a + imm;
                        c.fOp = Cpu.F_ADD; c.fDst = a; c.fSrc = imm; c.fRes = res;
                        c.r[dst] = res;
                        return;
                    }
                    case 5 -> {
                        long res = a - imm;
                        c.fOp = Cpu.F_SUB; c.fDst = a; c.fSrc = imm; c.fRes = res;
                        c.r[dst] = res;
                        return;
                    }
                    case 7 -> {
                        c.fOp = Cpu.F_SUB; c.fDst = a; c.fSrc = imm; c.fRes = a - imm;
                        return;
                    }
                    default -> {
                    }
                }
            }
            long v = c.alu(op, size, c.reg(size, dst), imm);
            if (writesBack(op)) {
                c.setReg(size, dst, v);
            }
        }
    }

    /** reg op= [mem]. */
    static final class RM extends MemInsn {
        private final int op, size, dst;

        RM(Decoded d, int op, int size, int dst, Operand mem) {
            super(d, mem);
            this.op = op;
            this.size = size;
            this.dst = dst;
        }

        @Override
        public void exec(Cpu c) {
            long v = c.alu(op, size, c.reg(size, dst), c.read(size, ea(c)));
            if (writesBack(op)) {
                c.setReg(size, dst, v);
            }
        }
    }

    /** [mem] op= reg, or [mem] op= imm when {@code src} is negative. */
    static final class MR extends MemInsn {
        private final int op, size, src;
        private final long imm;

        MR(Decoded d, int op, int size, Operand mem, int src, long imm) {
            super(d, mem);
            this.op = op;
            this.size = size;
            this.src = src;
            this.imm = imm;
        }

        @Override
        public void exec(Cpu c) {
            long a = ea(c);
            long s = src >= 0 ? c.reg(size, src) : imm;
            long v = c.alu(op, size, writesBack(op) ? c.readForWrite(size, a) : c.read(size, a), s);
            if (writesBack(op)) {
                c.write(size, a, v);
            }
        }
    }

    /** LOCK [mem] op= reg/imm. */
    static final class Locked extends MemInsn {
        private final int op, size, src;
        private final long imm;
        private final Atomics.Update update;

        Locked(Decoded d, int op, int size, Operand mem, int src, long imm) {
            super(d, mem);
            this.op = op;
            this.size = size;
            this.src = src;
            this.imm = imm;
            this.update = (c, old) -> c.alu(this.op, this.size, old, this.src >= 0 ? c.reg(this.size, this.src) : this.imm);
        }

        @Override
        public void exec(Cpu c) {
            Atomics.rmw(c, ea(c), size, update);
        }
    }

    /** INC, DEC, NOT, NEG on a register or memory (optionally locked). */
    static final class Unary extends MemInsn {
        static final int INC = 0, DEC = 1, NOT = 2, NEG = 3;
        private final int kind, size;
        private final boolean locked;
        private final Atomics.Update update;

        Unary(Decoded d, int kind, int size, Operand operand, boolean locked) {
            super(d, operand);
            this.kind = kind;
            this.size = size;
            this.locked = locked;
            this.update = (c, old) -> apply(c, old);
        }

        private long apply(Cpu c, long v) {
            return switch (kind) {
                case INC -> c.inc(size, v);
                case DEC -> c.dec(size, v);
                case NOT -> ~v;
                default -> c.sub(size, 0, v);
            };
        }

        @Override
        public void exec(Cpu c) {
            if (rm >= 0) {
                if (size == 8 && kind == DEC) {
                    long a = c.r[rm];
                    long carry = c.cf() ? Cpu.CF : 0;
                    long res = a - 1;
                    c.fOp = Cpu.F_DEC; c.fDst = a; c.fSrc = 1; c.fRes = res; c.fAux = carry;
                    c.r[rm] = res;
                    return;
                }
                c.setReg(size, rm, apply(c, c.reg(size, rm)));
            } else if (locked) {
                Atomics.rmw(c, ea(c), size, update);
            } else {
                long a = ea(c);
                c.write(size, a, apply(c, c.readForWrite(size, a)));
            }
        }
    }
}
