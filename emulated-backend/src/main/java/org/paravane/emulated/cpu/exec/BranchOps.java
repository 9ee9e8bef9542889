package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.mmu.Mmu;

/**
 * Near branches: JMP, Jcc, CALL, RET, JRCXZ, LOOP*. A target that is not canonical raises #GP(0) at the branch,
 * before anything (the return address included) is pushed. Each ends its block.
 */
final class BranchOps {
    private BranchOps() {
    }

    abstract static class Branch extends Insn {
        Branch(Decoded d) {
            super(d);
        }

        @Override
        public final boolean endsBlock() {
            return true;
        }

        static long checked(Cpu c, long target) {
            if (!Mmu.canonical(target)) {
                throw c.gp(0);
            }
            return target;
        }
    }

    static final class Jmp extends Branch {
        private final long target;

        Jmp(Decoded d, long target) {
            super(d);
            this.target = target;
        }

        @Override
        public void exec(Cpu c) {
            c.rip = checked(c, target);
        }
    }

    static final class Jcc extends Branch {
        private final int cc;
        private final long target;
        private final boolean canonical;

        Jcc(Decoded d, int cc, long target) {
            super(d);
            this.cc = cc;
            this.target = target;
            this.canonical = Mmu.canonical(target);
        }

        @Override
        public void exec(Cpu c) {
            if (c.cond(cc)) {
                if (!canonical) {
                    throw c.gp(0);
                }
                c.rip = target;
            }
        }
    }

    static final class JmpIndirect extends MemInsn {
        JmpIndirect(Decoded d, Operand target) {
            super(d, target);
        }

        @Override
        public void exec(Cpu c) {
            c.rip = Branch.checked(c, getRm(c, 8));
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    static final class Call extends Branch {
        private final long target;

        Call(Decoded d, long target) {
            super(d);
            this.target = target;
        }

        @Override
        public void exec(Cpu c) {
            long t = checked(c, target);
            c.push64(next);
            c.rip = t;
        }

        @Override
        public boolean stackSegment() {
            return true;
        }
    }

    static final class CallIndirect extends MemInsn {
        CallIndirect(Decoded d, Operand target) {
            super(d, target);
        }

        @Override
        public void exec(Cpu c) {
            long t = Branch.checked(c, getRm(c, 8));
            c.push64(next);
            c.rip = t;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    static final class Ret extends Branch {
        private final int release;

        Ret(Decoded d, int release) {
            super(d);
            this.release = release;
        }

        @Override
        public void exec(Cpu c) {
            long sp = c.r[Cpu.RSP];
            long t = checked(c, c.readStack(8, sp));
            c.r[Cpu.RSP] = sp + 8 + release;
            c.rip = t;
        }

        @Override
        public boolean stackSegment() {
            return true;
        }
    }

    /** JRCXZ/JECXZ and LOOP, LOOPE, LOOPNE: the count register is RCX, or ECX under the address-size prefix. */
    static final class Loop extends Branch {
        static final int JRCXZ = 0, LOOP = 1, LOOPE = 2, LOOPNE = 3;
        private final int kind;
        private final long target;
        private final boolean ecx;

        Loop(Decoded d, int kind, long target) {
            super(d);
            this.kind = kind;
            this.target = target;
            this.ecx = d.addressSize() == 4;
        }

        @Override
        public void exec(Cpu c) {
            long count = ecx ? c.r[Cpu.RCX] & 0xFFFF_FFFFL : c.r[Cpu.RCX];
            boolean taken;
            if (kind == JRCXZ) {
                taken = count == 0;
            } else {
                count = ecx ? (count - 1) & 0xFFFF_FFFFL : count - 1;
                taken = count != 0 && (kind == LOOP || (kind == LOOPE) == c.zf());
                if (taken) {
                    checked(c, target);
                }
                c.r[Cpu.RCX] = count;
            }
            if (taken) {
                c.rip = checked(c, target);
            }
        }
    }
}
