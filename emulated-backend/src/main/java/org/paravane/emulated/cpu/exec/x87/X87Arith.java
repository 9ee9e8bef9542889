package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/**
 * FADD FMUL FSUB FSUBR FDIV FDIVR in all forms: ST(0) op memory (binary32, binary64, 16- and 32-bit integers: the FI*
 * forms), ST(0) op ST(i), ST(i) op ST(0) and the popping forms. An unmasked invalid, denormal or zero-divide leaves the
 * destination and the stack alone.
 */
final class X87Arith {
    private X87Arith() {
    }

    /** Where the second operand comes from. */
    enum Source { M32FP, M64FP, M16INT, M32INT, REG }

    static final class Arith extends X87Insn {
        private final int op;
        private final boolean reverse;
        private final Source source;
        /** The register form's destination: 0 (ST(0) op ST(i)) or i (ST(i) op ST(0)). */
        private final boolean toSti;
        private final boolean pop;

        /** {@code kind}: the ModRM.reg operation 0-7 of D8 (ADD MUL COM COMP SUB SUBR DIV DIVR). */
        Arith(Decoded d, int kind, Source source, boolean toSti, boolean pop) {
            super(d);
            this.op = switch (kind) {
                case 0 -> X87Math.ADD;
                case 1 -> X87Math.MUL;
                case 4, 5 -> X87Math.SUB;
                default -> X87Math.DIV;
            };
            this.reverse = kind == 5 || kind == 7;
            this.source = source;
            this.toSti = toSti;
            this.pop = pop;
        }

        @Override
        void run(Cpu c, FpuState f) {
            FpEnv env = new FpEnv(f.fcw);
            FpEnv load = new FpEnv(f.fcw);
            F80 other = switch (source) {
                case M32FP -> F80s.fromSingle(load, (int) c.read32(ea(c)));
                case M64FP -> F80s.fromDouble(load, c.read64(ea(c)));
                case M16INT -> F80s.fromInt((short) c.read16(ea(c)));
                case M32INT -> F80s.fromInt((int) c.read32(ea(c)));
                case REG -> null;
            };
            if ((load.flags & FpEnv.IE) != 0) {
                other = new F80(other.se(), other.sig() & ~F80.QUIET_BIT);     // an SNaN: judged by the operation
                load.flags &= ~FpEnv.IE;
            }
            F80 st0 = source(f, env, 0);
            // The memory operand's denormal counts only when ST(0) is a number (a NaN operand comes first).
            env.flags |= st0 == null || X87Math.special(st0, null) ? load.flags & FpEnv.IE : load.flags;
            if (source == Source.REG) {
                other = source(f, env, sti);
            }
            int dest = toSti ? sti : 0;
            F80 result;
            if (st0 == null || other == null) {
                result = F80.INDEFINITE;
            } else {
                // The destination is the left operand: ST(i) op ST(0) for the toSti forms.
                F80 left = toSti ? other : st0, right = toSti ? st0 : other;
                result = reverse ? X87Math.arith(env, op, right, left) : X87Math.arith(env, op, left, right);
                if ((env.flags & FpEnv.ZE) != 0) {
                    env.flags &= ~FpEnv.DE;                // nor a denormal memory dividend of a division by zero
                }
            }
            if (!env.unmaskedPreResult()) {
                set(f, dest, result);
                if (pop) {
                    pop(f);
                }
            }
            status(f, env);
        }
    }
}
