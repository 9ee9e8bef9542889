package org.paravane.emulated.cpu;

import static org.paravane.emulated.cpu.Cpu.AF;
import static org.paravane.emulated.cpu.Cpu.CF;
import static org.paravane.emulated.cpu.Cpu.F_ADC;
import static org.paravane.emulated.cpu.Cpu.F_ADD;
import static org.paravane.emulated.cpu.Cpu.F_DEC;
import static org.paravane.emulated.cpu.Cpu.F_EXPLICIT;
import static org.paravane.emulated.cpu.Cpu.F_INC;
import static org.paravane.emulated.cpu.Cpu.F_LOGIC;
import static org.paravane.emulated.cpu.Cpu.F_SBB;
import static org.paravane.emulated.cpu.Cpu.F_SUB;
import static org.paravane.emulated.cpu.Cpu.OF;
import static org.paravane.emulated.cpu.Cpu.PF;
import static org.paravane.emulated.cpu.Cpu.SF;
import static org.paravane.emulated.cpu.Cpu.ZF;

/**
 * The lazy-flag formulas: each arithmetic flag from the last flag-setting operation ({@code op}, one of
 * {@code Cpu.F_*}), its operands {@code d}, {@code s} and result {@code r} (sign-extended to 64 bits) and
 * {@code aux}. The {@link Cpu} evaluates its own fields with them; translated blocks evaluate the same operation
 * kept in JVM locals, where the operation is a constant the JIT folds.
 */
public final class LazyFlags {
    private LazyFlags() {
    }

    public static boolean cf(int op, long d, long s, long r, long aux) {
        return switch (op) {
            case F_ADD -> Long.compareUnsigned(r, d) < 0;
            case F_ADC -> aux != 0 ? Long.compareUnsigned(r, d) <= 0 : Long.compareUnsigned(r, d) < 0;
            case F_SUB -> Long.compareUnsigned(d, s) < 0;
            case F_SBB -> aux != 0 ? Long.compareUnsigned(d, s) <= 0 : Long.compareUnsigned(d, s) < 0;
            case F_LOGIC -> false;
            default -> (aux & CF) != 0;
        };
    }

    public static boolean zf(int op, long r, long aux) {
        return op == F_EXPLICIT ? (aux & ZF) != 0 : r == 0;
    }

    public static boolean sf(int op, long r, long aux) {
        return op == F_EXPLICIT ? (aux & SF) != 0 : r < 0;
    }

    public static boolean pf(int op, long r, long aux) {
        return op == F_EXPLICIT ? (aux & PF) != 0 : (Integer.bitCount((int) r & 0xFF) & 1) == 0;
    }

    public static boolean of(int op, long d, long s, long r, long aux) {
        return switch (op) {
            case F_ADD, F_ADC, F_INC -> ((d ^ r) & (s ^ r)) < 0;
            case F_SUB, F_SBB, F_DEC -> ((d ^ s) & (d ^ r)) < 0;
            case F_LOGIC -> false;
            default -> (aux & OF) != 0;
        };
    }

    public static boolean af(int op, long d, long s, long r, long aux) {
        return switch (op) {
            case F_ADD, F_ADC, F_SUB, F_SBB, F_INC, F_DEC -> ((d ^ s ^ r) & AF) != 0;
            case F_LOGIC -> false;
            default -> (aux & AF) != 0;
        };
    }

    /** The six arithmetic flags at their RFLAGS positions. */
    public static long arith(int op, long d, long s, long r, long aux) {
        if (op == F_EXPLICIT) {
            return aux;
        }
        return (cf(op, d, s, r, aux) ? CF : 0) | (pf(op, r, aux) ? PF : 0) | (af(op, d, s, r, aux) ? AF : 0)
                | (zf(op, r, aux) ? ZF : 0) | (sf(op, r, aux) ? SF : 0) | (of(op, d, s, r, aux) ? OF : 0);
    }

    /** Condition code {@code cc} (0..15, the low nibble of Jcc/SETcc/CMOVcc). */
    public static boolean cond(int op, int cc, long d, long s, long r, long aux) {
        boolean t = switch (op) {
            case F_SUB -> switch (cc >>> 1) {
                case 0 -> ((d ^ s) & (d ^ r)) < 0;
                case 1 -> Long.compareUnsigned(d, s) < 0;
                case 2 -> d == s;
                case 3 -> Long.compareUnsigned(d, s) <= 0;
                case 4 -> r < 0;
                case 5 -> pf(op, r, aux);
                case 6 -> d < s;
                default -> d <= s;
            };
            case F_LOGIC -> switch (cc >>> 1) {
                case 0, 1 -> false;
                case 2, 3 -> r == 0;
                case 4, 6 -> r < 0;
                case 5 -> pf(op, r, aux);
                default -> r <= 0;
            };
            default -> switch (cc >>> 1) {
                case 0 -> of(op, d, s, r, aux);
                case 1 -> cf(op, d, s, r, aux);
                case 2 -> zf(op, r, aux);
                case 3 -> cf(op, d, s, r, aux) || zf(op, r, aux);
                case 4 -> sf(op, r, aux);
                case 5 -> pf(op, r, aux);
                case 6 -> sf(op, r, aux) != of(op, d, s, r, aux);
                default -> zf(op, r, aux) || sf(op, r, aux) != of(op, d, s, r, aux);
            };
        };
        return t ^ ((cc & 1) != 0);
    }
}
