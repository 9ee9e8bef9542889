package org.paravane.emulated.cpu.exec.x87;

import java.math.BigInteger;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/** The operations on ST(0) (and ST(1)): FCHS FABS FSQRT FRNDINT FSCALE FXTRACT FPREM FPREM1. */
final class X87Unary {
    private X87Unary() {
    }

    enum Op { CHS, ABS, SQRT, RNDINT, SCALE, XTRACT, PREM, PREM1 }

    static final class Unary extends X87Insn {
        private final Op op;

        Unary(Decoded d, Op op) {
            super(d);
            this.op = op;
        }

        @Override
        void run(Cpu c, FpuState f) {
            FpEnv env = new FpEnv(f.fcw);
            F80 a = source(f, env, 0);
            switch (op) {
                case CHS, ABS, SQRT, RNDINT -> {
                    F80 r = a == null ? F80.INDEFINITE : switch (op) {
                        case CHS -> a.negate();
                        case ABS -> a.abs();
                        case SQRT -> X87Math.sqrt(env, a);
                        default -> X87Math.roundToInt(env, a);
                    };
                    if (!env.unmaskedPreResult()) {
                        set(f, 0, r);
                    }
                }
                case SCALE -> {
                    F80 b = source(f, env, 1);
                    env.precision = 64;
                    F80 r = a == null || b == null ? F80.INDEFINITE : scale(env, a, b);
                    if (!env.unmaskedPreResult()) {
                        set(f, 0, r);
                    }
                }
                case XTRACT -> {
                    xtract(f, env, a);
                    return;
                }
                default -> {
                    F80 b = source(f, env, 1);
                    if (a == null || b == null) {
                        if (!env.unmaskedPreResult()) {
                            set(f, 0, F80.INDEFINITE);
                        }
                        status(f, env);
                        f.fsw &= ~C2;
                        return;
                    }
                    Remainder.prem(f, env, a, b, op == Op.PREM1);
                    return;
                }
            }
            status(f, env);
        }

        private void xtract(FpuState f, FpEnv env, F80 a) {
            F80 exponent, significand;
            if (a == null) {
                exponent = significand = F80.INDEFINITE;
            } else if (X87Math.special(a, null)) {
                exponent = significand = X87Math.specialResult(env, a, null);
            } else if (a.isZero()) {
                env.flags |= FpEnv.ZE;
                exponent = F80.inf(true);
                significand = a;
            } else if (a.isInf()) {
                exponent = F80.inf(false);
                significand = a;
            } else {
                X87Math.denormals(env, a, null);
                // Normalized: the leading bit's exponent and the significand scaled to [1, 2).
                BigInteger m = a.mag();
                int leading = a.lsbExp() + m.bitLength() - 1;
                exponent = F80s.fromInt(leading);
                significand = new F80((a.neg() ? 0x8000 : 0) | F80.BIAS, a.sig() << (64 - m.bitLength()));
            }
            if (a != null && overflows(f, env)) {
                exponent = significand = F80.INDEFINITE;
            }
            if (!env.unmaskedPreResult()) {
                set(f, 0, exponent);
                push(f, significand);
            }
            status(f, env);
        }
    }

    /** FSCALE: ST(0) · 2^trunc(ST(1)). */
    static F80 scale(FpEnv env, F80 a, F80 b) {
        if (X87Math.special(a, b)) {
            return X87Math.specialResult(env, a, b);
        }
        X87Math.denormals(env, a, b);
        if (b.isInf()) {
            if (b.neg()) {
                return a.isInf() ? env.invalid() : F80.zero(a.neg());
            }
            return a.isZero() ? env.invalid() : F80.inf(a.neg());
        }
        if (a.isZero() || a.isInf()) {
            return a;
        }
        FpEnv truncation = new FpEnv(FpEnv.RZ, 64, 0x3F);
        long n = b.abs().exp() >= F80.BIAS + 30 ? (b.neg() ? -(1L << 30) : 1L << 30) : F80s.toInt(truncation, b, 64, true);
        return Rounding.toExtended(env, a.neg(), a.mag(), (int) (a.lsbExp() + n), false);
    }
}
