package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/**
 * FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1: the operand rules of the architecture, values from
 * {@link Approx} rounded once to 64 bits by the rounding control (precision control does not apply).
 */
final class X87Transcendental {
    private X87Transcendental() {
    }

    enum Op { SIN, COS, SINCOS, PTAN, PATAN, F2XM1, YL2X, YL2XP1 }

    /** |x| ≥ 2^63: the trigonometric instructions leave the operand and set C2. */
    private static final int OUT_OF_RANGE = F80.BIAS + 63;

    static final class Trans extends X87Insn {
        private final Op op;

        Trans(Decoded d, Op op) {
            super(d);
            this.op = op;
        }

        @Override
        void run(Cpu c, FpuState f) {
            FpEnv env = new FpEnv(f.fcw);
            env.precision = 64;
            F80 a = source(f, env, 0);
            switch (op) {
                case SIN, COS -> {
                    if (a != null && a.isFiniteNonzero() && a.exp() >= OUT_OF_RANGE) {
                        f.fsw |= C2;
                        return;
                    }
                    F80 r = a == null ? F80.INDEFINITE : trig(env, a, op == Op.SIN ? 0 : 1);
                    store(f, env, r);
                }
                case SINCOS, PTAN -> twoResults(f, env, a);
                case F2XM1 -> store(f, env, a == null ? F80.INDEFINITE : f2xm1(env, a));
                default -> {
                    F80 b = source(f, env, 1);
                    F80 r = a == null || b == null ? F80.INDEFINITE : switch (op) {
                        case PATAN -> atan(env, b, a);
                        case YL2X -> yl2x(env, b, a);
                        case YL2XP1 -> yl2xp1(env, b, a);
                        default -> null;
                    };
                    if (!env.unmaskedPreResult()) {
                        set(f, 1, r);
                        pop(f);
                    }
                    status(f, env);
                }
            }
        }

        private void store(FpuState f, FpEnv env, F80 r) {
            if (!env.unmaskedPreResult()) {
                set(f, 0, r);
            }
            status(f, env);
            f.fsw &= ~C2;
        }

        /** FSINCOS (ST(0) = sin, push cos) and FPTAN (ST(0) = tan, push 1). */
        private void twoResults(FpuState f, FpEnv env, F80 a) {
            if (a != null && a.isFiniteNonzero() && a.exp() >= OUT_OF_RANGE) {
                f.fsw |= C2;
                return;
            }
            F80 first, second;
            if (a == null) {
                first = second = F80.INDEFINITE;
            } else if (op == Op.PTAN) {
                first = trig(env, a, 2);
                second = X87Math.special(a, null) || a.isInf() ? first : F80.ONE;
            } else {
                first = trig(env, a, 0);
                boolean sineUp = env.roundedUp;
                second = X87Math.special(a, null) || a.isInf() ? first : trig(env, a, 1);
                env.roundedUp = sineUp;                   // C1 tells the sine's rounding, as on the host
            }
            if (a != null && overflows(f, env)) {
                first = second = F80.INDEFINITE;
            }
            if (!env.unmaskedPreResult()) {
                set(f, 0, first);
                push(f, second);
            }
            status(f, env);
            f.fsw &= ~C2;
        }
    }

    /** fn 0 sin, 1 cos, 2 tan of ST(0) (|x| < 2^63 or not finite). */
    static F80 trig(FpEnv env, F80 a, int fn) {
        if (X87Math.special(a, null)) {
            return X87Math.specialResult(env, a, null);
        }
        if (a.isInf()) {
            return env.invalid();
        }
        X87Math.denormals(env, a, null);
        if (a.isZero()) {
            return fn == 1 ? F80.ONE : a;
        }
        Object[] red = Approx.reduce(a);
        int k = (int) red[0];
        Approx[] sc = Approx.sinCos((Approx) red[1]);
        Approx s = sc[0], c = sc[1];
        Approx v = switch (fn) {
            case 0 -> switch (k) {
                case 0 -> s;
                case 1 -> c;
                case 2 -> s.negate();
                default -> c.negate();
            };
            case 1 -> switch (k) {
                case 0 -> c;
                case 1 -> s.negate();
                case 2 -> c.negate();
                default -> s;
            };
            default -> (k & 1) == 0 ? s.div(c) : c.div(s).negate();
        };
        return round(env, v);
    }

    /** FPATAN: atan(y / x) in the quadrant of (x, y). */
    static F80 atan(FpEnv env, F80 y, F80 x) {
        if (X87Math.special(y, x)) {
            return X87Math.specialResult(env, y, x);
        }
        X87Math.denormals(env, y, x);
        boolean neg = y.neg();
        Approx theta;
        if (y.isZero()) {
            return x.neg() ? round(env, Approx.PI).withSign(neg) : F80.zero(neg);
        } else if (x.isZero() || y.isInf() && !x.isInf()) {
            theta = Approx.PI.half();
        } else if (y.isInf()) {
            theta = Approx.PI.half().half();                           // both infinite: π/4, 3π/4
        } else if (x.isInf()) {
            return x.neg() ? round(env, Approx.PI).withSign(neg) : F80.zero(neg);
        } else {
            Approx ay = Approx.of(y.abs()), ax = Approx.of(x.abs());
            theta = ay.sub(ax).m().signum() <= 0 ? Approx.atan(ay.div(ax)) : Approx.PI.half().sub(Approx.atan(ax.div(ay)));
        }
        if (x.neg()) {
            theta = Approx.PI.sub(theta);
        }
        return round(env, neg ? theta.negate() : theta);
    }

    /** F2XM1: 2^x - 1 (defined for -1 ≤ x ≤ 1). */
    static F80 f2xm1(FpEnv env, F80 a) {
        if (X87Math.special(a, null)) {
            return X87Math.specialResult(env, a, null);
        }
        if (a.isInf()) {
            return a.neg() ? new F80(0xBFFF, F80.INT_BIT) : a;
        }
        X87Math.denormals(env, a, null);
        if (a.isZero()) {
            return a;
        }
        if (a.abs().equals(F80.ONE)) {
            return a.neg() ? new F80(0xBFFE, F80.INT_BIT) : F80.ONE;   // exact: -1/2, 1
        }
        return round(env, Approx.exp2m1(Approx.of(a)));
    }

    /** FYL2X: y · log2 x. */
    static F80 yl2x(FpEnv env, F80 y, F80 x) {
        if (X87Math.special(y, x)) {
            return X87Math.specialResult(env, y, x);
        }
        if (x.neg() && !x.isZero()) {
            return env.invalid();
        }
        boolean below = !x.isZero() && !x.isInf() && x.exp() < F80.BIAS, one = x.equals(F80.ONE);
        if (x.isZero()) {
            if (y.isZero()) {
                return env.invalid();
            }
            X87Math.denormals(env, y, x);
            if (!y.isInf()) {
                env.flags |= FpEnv.ZE;
            }
            return F80.inf(!y.neg());
        }
        if (x.isInf()) {
            if (y.isZero()) {
                return env.invalid();
            }
            X87Math.denormals(env, y, x);
            return F80.inf(y.neg());
        }
        if (one && y.isInf()) {
            return env.invalid();
        }
        X87Math.denormals(env, y, x);
        boolean neg = y.neg() != below;
        if (y.isInf()) {
            return F80.inf(neg);
        }
        if (y.isZero() || one) {
            return F80.zero(one ? y.neg() : neg);
        }
        if (x.sig() << 1 == 0 || x.isDenormal() && Long.bitCount(x.sig()) == 1) {
            long k = x.lsbExp() + 63 - Long.numberOfLeadingZeros(x.sig());          // a power of two: exact k · y
            return X87Math.arith(env, X87Math.MUL, y, F80s.fromInt(k));
        }
        return round(env, Approx.of(y).mul(Approx.log2(x)));
    }

    /** FYL2XP1: y · log2(x + 1) (defined for |x| < 1 - √2/2). */
    static F80 yl2xp1(FpEnv env, F80 y, F80 x) {
        if (X87Math.special(y, x)) {
            return X87Math.specialResult(env, y, x);
        }
        if (x.isInf() || x.neg() && x.exp() >= F80.BIAS) {
            return env.invalid();
        }
        if (x.isZero() && y.isInf()) {
            return env.invalid();
        }
        X87Math.denormals(env, y, x);
        boolean neg = y.neg() != x.neg();
        if (y.isInf()) {
            return F80.inf(neg);
        }
        if (y.isZero() || x.isZero()) {
            return F80.zero(neg);
        }
        Approx ax = Approx.of(x);
        // Beyond the defined range the series converges slowly: log2 of 1 + x itself.
        Approx log = x.exp() < F80.BIAS - 2 ? Approx.log1p(ax).div(Approx.LN2) : Approx.log2(Approx.ONE.add(ax));
        return round(env, Approx.of(y).mul(log));
    }

    /** The value (never exact: a nonzero sticky bit below the P bits) rounded to 64 bits by RC. */
    static F80 round(FpEnv env, Approx v) {
        return Rounding.toExtended(env, v.neg(), v.m().abs(), v.e(), true);
    }
}
