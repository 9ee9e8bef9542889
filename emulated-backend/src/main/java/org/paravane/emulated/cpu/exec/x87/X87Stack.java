package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/** Register and stack moves: FXCH, FCMOVcc, FFREE (and FFREEP), FINCSTP, FDECSTP, FNOP. */
final class X87Stack {
    private X87Stack() {
    }

    enum Op { XCH, CMOV, FREE, FREEP, INCSTP, DECSTP, NOP }

    static final class Move extends X87Insn {
        private final Op op;
        /** FCMOVcc: the integer condition (Jcc numbering) that moves. */
        private final int cond;

        Move(Decoded d, Op op, int cond) {
            super(d);
            this.op = op;
            this.cond = cond;
        }

        @Override
        void run(Cpu c, FpuState f) {
            FpEnv env = new FpEnv(f.fcw);
            switch (op) {
                case XCH -> {
                    F80 a = source(f, env, 0), b = source(f, env, sti);
                    if (!env.unmaskedPreResult()) {
                        set(f, 0, b == null ? F80.INDEFINITE : b);
                        set(f, sti, a == null ? F80.INDEFINITE : a);
                    }
                }
                case CMOV -> {
                    F80 a = source(f, env, 0), b = source(f, env, sti);
                    if (a == null || b == null) {
                        if (!env.unmaskedPreResult()) {
                            set(f, 0, F80.INDEFINITE);
                        }
                    } else if (c.cond(cond)) {
                        set(f, 0, b);
                    }
                    if (env.flags == 0) {
                        return;                           // C1 is left alone unless the stack underflowed
                    }
                }
                case FREE, FREEP -> {
                    f.ftw &= ~(1 << phys(f, sti));
                    f.fsw &= ~C1;
                    if (op == Op.FREEP) {
                        setTop(f, f.top() + 1);
                    }
                    return;
                }
                case INCSTP -> setTop(f, f.top() + 1);
                case DECSTP -> setTop(f, f.top() - 1);
                case NOP -> {
                    return;
                }
            }
            status(f, env);
        }
    }
}
