package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/**
 * The compares: FCOM/FCOMP/FCOMPP and FUCOM/FUCOMP/FUCOMPP (C3 C2 C0), FICOM/FICOMP, FCOMI/FCOMIP and
 * FUCOMI/FUCOMIP (ZF PF CF), FTST, FXAM.
 */
final class X87Compare {
    private X87Compare() {
    }

    enum Source { M32FP, M64FP, M16INT, M32INT, REG, ZERO }

    static final class Compare extends X87Insn {
        private final Source source;
        private final boolean signalling, toFlags;
        private final int pops;

        Compare(Decoded d, Source source, boolean signalling, boolean toFlags, int pops) {
            super(d);
            this.source = source;
            this.signalling = signalling;
            this.toFlags = toFlags;
            this.pops = pops;
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
                case ZERO -> F80.ZERO;
                case REG -> null;
            };
            if (source == Source.M32FP || source == Source.M64FP) {
                if ((load.flags & FpEnv.IE) != 0) {    // an SNaN: the compare itself judges it, unquieted
                    load.flags &= ~FpEnv.IE;
                    other = new F80(other.se(), other.sig() & ~F80.QUIET_BIT);
                }
            }
            F80 st0 = source(f, env, 0);
            // The memory operand's denormal counts only when ST(0) is a number (a NaN operand comes first).
            env.flags |= st0 == null || X87Math.special(st0, null) ? load.flags & FpEnv.IE : load.flags;
            if (source == Source.REG) {
                other = source(f, env, sti);
            }
            int c1 = f.fsw & C1;
            int r;
            if (st0 == null || other == null) {
                r = X87Math.UNORDERED;
            } else {
                r = X87Math.compare(env, st0, other, signalling);
            }
            {
                int c3 = r == X87Math.EQUAL || r == X87Math.UNORDERED ? 1 : 0;
                int c2 = r == X87Math.UNORDERED ? 1 : 0;
                int c0 = r == X87Math.LESS || r == X87Math.UNORDERED ? 1 : 0;
                if (toFlags) {
                    c.setArith((c.arithFlags() & ~0x8D5L) | (c3 != 0 ? 0x40 : 0) | (c2 != 0 ? 4 : 0) | c0);
                } else {
                    conditions(f, c3, c2, 0, c0);
                }
                for (int i = 0; i < pops && !env.unmaskedPreResult(); i++) {
                    pop(f);
                }
            }
            status(f, env);
            if (toFlags && (env.flags & FpEnv.SF) == 0) {
                f.fsw = (f.fsw & ~C1) | c1;                // FCOMI and FUCOMI leave C1 alone
            }
        }
    }

    /** FXAM: the class of ST(0) in C3 C2 C0, its sign in C1; no exceptions, also for an empty register. */
    static final class Examine extends X87Insn {
        Examine(Decoded d) {
            super(d);
        }

        @Override
        void run(Cpu c, FpuState f) {
            F80 v = get(f, 0);
            int sign = v.neg() ? 1 : 0;
            if (empty(f, 0)) {
                conditions(f, 1, 0, sign, 1);
            } else if (v.isUnsupported()) {
                conditions(f, 0, 0, sign, 0);
            } else if (v.isNaN()) {
                conditions(f, 0, 0, sign, 1);
            } else if (v.isInf()) {
                conditions(f, 0, 1, sign, 1);
            } else if (v.isZero()) {
                conditions(f, 1, 0, sign, 0);
            } else if (v.isDenormal() || v.isPseudoDenormal()) {
                conditions(f, 1, 1, sign, 0);
            } else {
                conditions(f, 0, 1, sign, 0);
            }
        }
    }
}
