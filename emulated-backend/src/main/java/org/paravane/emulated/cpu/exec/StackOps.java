package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.CpuSignal;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/** PUSH, POP (register, immediate, memory), ENTER, LEAVE. PUSHF/POPF live with the flag instructions. */
final class StackOps {
    private StackOps() {
    }

    static final class PushReg extends Insn {
        private final int size, reg;

        PushReg(Decoded d, int size, int reg) {
            super(d);
            this.size = size;
            this.reg = reg;
        }

        @Override
        public void exec(Cpu c) {
            if (size == 8) {
                c.push64(c.r[reg]);
            } else {
                c.push(2, c.r[reg]);
            }
        }

        @Override
        public boolean stackSegment() {
            return true;
        }
    }

    static final class PushImm extends Insn {
        private final int size;
        private final long imm;

        PushImm(Decoded d, int size, long imm) {
            super(d);
            this.size = size;
            this.imm = imm;
        }

        @Override
        public void exec(Cpu c) {
            c.push(size, imm);
        }

        @Override
        public boolean stackSegment() {
            return true;
        }
    }

    static final class PushMem extends MemInsn {
        private final int size;

        PushMem(Decoded d, int size, Operand src) {
            super(d, src);
            this.size = size;
        }

        @Override
        public void exec(Cpu c) {
            c.push(size, getRm(c, size));
        }
    }

    static final class PopReg extends Insn {
        private final int size, reg;

        PopReg(Decoded d, int size, int reg) {
            super(d);
            this.size = size;
            this.reg = reg;
        }

        @Override
        public void exec(Cpu c) {
            if (size == 8) {
                long v = c.pop64();
                c.r[reg] = v;
            } else {
                long v = c.pop(2);
                c.setReg(2, reg, v);
            }
        }

        @Override
        public boolean stackSegment() {
            return true;
        }
    }

    /** POP to memory: the address is computed with RSP already incremented. */
    static final class PopMem extends MemInsn {
        private final int size;

        PopMem(Decoded d, int size, Operand dst) {
            super(d, dst);
            this.size = size;
        }

        @Override
        public void exec(Cpu c) {
            long sp = c.r[Cpu.RSP];
            long v = c.readStack(size, sp);
            c.r[Cpu.RSP] = sp + size;
            try {
                setRm(c, size, v);
            } catch (CpuSignal s) {
                c.r[Cpu.RSP] = sp;
                throw s;
            }
        }
    }

    /** ENTER size, level. */
    static final class Enter extends Insn {
        private final int opSize, alloc, level;

        Enter(Decoded d, int opSize, int alloc, int level) {
            super(d);
            this.opSize = opSize;
            this.alloc = alloc;
            this.level = level & 0x1F;
        }

        @Override
        public void exec(Cpu c) {
            long rsp0 = c.r[Cpu.RSP], rbp0 = c.r[Cpu.RBP];
            try {
                c.push(opSize, rbp0);
                long frame = c.r[Cpu.RSP];
                if (level > 0) {
                    long bp = rbp0;
                    for (int i = 1; i < level; i++) {
                        bp -= opSize;
                        c.push(opSize, c.readStack(opSize, bp));
                    }
                    c.push(opSize, frame);
                }
                long newSp = c.r[Cpu.RSP] - alloc;
                c.mmu.translate(newSp, org.paravane.emulated.mmu.Mmu.WRITE, true);   // the final RSP must be writable
                c.r[Cpu.RSP] = newSp;
                c.setReg(opSize, Cpu.RBP, frame);
            } catch (CpuSignal s) {
                c.r[Cpu.RSP] = rsp0;
                c.r[Cpu.RBP] = rbp0;
                throw s;
            }
        }

        @Override
        public boolean stackSegment() {
            return true;
        }
    }

    static final class Leave extends Insn {
        private final int size;

        Leave(Decoded d, int size) {
            super(d);
            this.size = size;
        }

        @Override
        public void exec(Cpu c) {
            long v = c.readStack(size, c.r[Cpu.RBP]);
            c.r[Cpu.RSP] = c.r[Cpu.RBP] + size;
            c.setReg(size, Cpu.RBP, v);
        }

        @Override
        public boolean stackSegment() {
            return true;
        }
    }
}
