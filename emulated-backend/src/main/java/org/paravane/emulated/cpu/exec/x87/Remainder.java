package org.paravane.emulated.cpu.exec.x87;

import java.math.BigInteger;
import org.paravane.emulated.cpu.FpuState;

/**
 * FPREM (truncating quotient, as fmod) and FPREM1 (quotient rounded to nearest, IEEE remainder): a partial remainder
 * when the exponents differ by 64 or more (C2 = 1, reduced by a power of two multiple), else the exact remainder
 * with the quotient's low three bits in C0 C3 C1.
 */
final class Remainder {
    private Remainder() {
    }

    static void prem(FpuState f, FpEnv env, F80 a, F80 b, boolean ieee) {
        F80 r;
        int q = 0;
        boolean partial = false;
        if (X87Math.special(a, b)) {
            r = X87Math.specialResult(env, a, b);
        } else if (a.isInf() || b.isZero()) {
            r = env.invalid();                            // invalid before a denormal operand is flagged
        } else {
            X87Math.denormals(env, a, b);
            if (a.isZero() || b.isInf()) {
                r = a.isPseudoDenormal() ? new F80(a.se() | 1, a.sig()) : a;      // a pseudo-denormal comes back normal
            } else {
                BigInteger ma = a.mag(), mb = b.mag();
                int ea = a.lsbExp() + ma.bitLength(), eb = b.lsbExp() + mb.bitLength();
                int d = ea - eb;
                if (d >= 64) {
                    // Partial: reduce by a quotient of 32 to 63 bits' worth so the exponent falls by d - n.
                    partial = true;
                    int n = 32 + (d % 32);
                    int shift = d - n;                       // divide b scaled up by 2^shift
                    BigInteger num = ma;
                    int ne = a.lsbExp();
                    BigInteger den = mb;
                    int de = b.lsbExp() + shift;
                    int e = Math.min(ne, de);
                    BigInteger sn = num.shiftLeft(ne - e), sd = den.shiftLeft(de - e);
                    BigInteger quotient = sn.divide(sd);
                    BigInteger rem = sn.subtract(quotient.multiply(sd));
                    r = rem.signum() == 0 ? F80.zero(a.neg()) : Rounding.toExtended(exact(), a.neg(), rem, e, false);
                } else {
                    int e = Math.min(a.lsbExp(), b.lsbExp());
                    BigInteger sn = ma.shiftLeft(a.lsbExp() - e), sd = mb.shiftLeft(b.lsbExp() - e);
                    BigInteger[] qr = sn.divideAndRemainder(sd);
                    BigInteger quotient = qr[0], rem = qr[1];
                    boolean negRem = false;
                    if (ieee) {
                        int cmp = rem.shiftLeft(1).compareTo(sd);
                        if (cmp > 0 || cmp == 0 && quotient.testBit(0)) {
                            quotient = quotient.add(BigInteger.ONE);
                            rem = sd.subtract(rem);
                            negRem = true;
                        }
                    }
                    q = quotient.intValue() & 7;
                    boolean neg = a.neg() != negRem;
                    r = rem.signum() == 0 ? F80.zero(a.neg()) : Rounding.toExtended(exact(), neg, rem, e, false);
                }
            }
        }
        boolean number = !X87Math.special(a, b) && !a.isInf() && !b.isZero();
        if (!env.unmaskedPreResult()) {
            X87Insn.set(f, 0, r);
            if (number) {
                X87Insn.conditions(f, (q >> 1) & 1, partial ? 1 : 0, q & 1, (q >> 2) & 1);
            }
        }
        if (!number) {
            f.fsw &= ~X87Insn.C2;                         // complete; the quotient bits are left as they were
        }
        int c1 = f.fsw & X87Insn.C1;
        X87Insn.status(f, env);
        if (!env.unmaskedPreResult() && number) {
            f.fsw = (f.fsw & ~X87Insn.C1) | c1;
        }
    }

    /** The remainder is exact: rounding at full precision only encodes it (denormal results stay exact). */
    private static FpEnv exact() {
        return new FpEnv(FpEnv.RN, 64, 0x3F);
    }
}
