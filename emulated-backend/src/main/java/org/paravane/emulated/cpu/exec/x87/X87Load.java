package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/** FLD (m32 m64 m80 ST(i)), FILD (m16 m32 m64), FBLD and the constants FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ. */
final class X87Load {
    private X87Load() {
    }

    enum Kind { M32FP, M64FP, M80FP, REG, M16INT, M32INT, M64INT, BCD, CONSTANT }

    static final class Load extends X87Insn {
        private final Kind kind;
        /** The constant's number (D9 E8+n: 1, L2T, L2E, PI, LG2, LN2, Z). */
        private final int constant;

        Load(Decoded d, Kind kind, int constant) {
            super(d);
            this.kind = kind;
            this.constant = constant;
        }

        @Override
        void run(Cpu c, FpuState f) {
            FpEnv env = new FpEnv(f.fcw);
            F80 v = switch (kind) {
                case M32FP -> F80s.fromSingle(env, (int) c.read32(ea(c)));
                case M64FP -> F80s.fromDouble(env, c.read64(ea(c)));
                case M80FP -> read80(c, ea(c));
                case M16INT -> F80s.fromInt((short) c.read16(ea(c)));
                case M32INT -> F80s.fromInt((int) c.read32(ea(c)));
                case M64INT -> F80s.fromInt(c.read64(ea(c)));
                case BCD -> F80s.fromBcd(c.read64(ea(c)), (int) c.read16(ea(c) + 8));
                case CONSTANT -> constant(env.rc, constant);
                case REG -> empty(f, sti) ? null : get(f, sti);
            };
            if (v == null) {
                env.flags |= FpEnv.IE | FpEnv.SF;         // FLD ST(i) of an empty register: underflow (C1 = 0) wins
                v = F80.INDEFINITE;
            } else if (overflows(f, env)) {
                v = F80.INDEFINITE;
            }
            if ((env.flags & ~env.masks & FpEnv.IE) == 0) {
                push(f, v);                               // an unmasked denormal operand still loads
            }
            status(f, env);
        }
    }

    /** The constants to 128 bits (significand, normalized) and their exponents: L2T, L2E, PI, LG2, LN2. */
    private static final long[][] CONSTANTS = {
            {0xD49A_784B_CD1B_8AFEL, 0x492B_F6FF_4DAF_DB4CL, 1},
            {0xB8AA_3B29_5C17_F0BBL, 0xBE87_FED0_691D_3E88L, 0},
            {0xC90F_DAA2_2168_C234L, 0xC4C6_628B_80DC_1CD1L, 1},
            {0x9A20_9A84_FBCF_F798L, 0x8F89_59AC_0B7C_9178L, -2},
            {0xB172_17F7_D1CF_79ABL, 0xC9E3_B398_03F2_F6AFL, -1}};

    /** D9 E8+n: rounded by the rounding control to 64 bits, without flags (precision control does not apply). */
    static F80 constant(int rc, int n) {
        return switch (n) {
            case 0 -> F80.ONE;
            case 6 -> F80.ZERO;
            default -> {
                long[] k = CONSTANTS[n - 1];
                boolean up = switch (rc) {
                    case FpEnv.RN -> k[1] < 0;             // the 65th bit: these constants are never a tie
                    case FpEnv.RU -> true;
                    default -> false;
                };
                yield new F80((int) (F80.BIAS + k[2]), k[0] + (up ? 1 : 0));
            }
        };
    }
}
