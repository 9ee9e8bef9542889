package org.paravane.emulated.cpu.translate;

import static org.paravane.emulated.cpu.Cpu.ARITH;
import static org.paravane.emulated.cpu.Cpu.CF;
import static org.paravane.emulated.cpu.Cpu.OF;
import static org.paravane.emulated.cpu.Cpu.PF;
import static org.paravane.emulated.cpu.Cpu.SF;
import static org.paravane.emulated.cpu.Cpu.ZF;

import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * Which arithmetic flags a later instruction may still read after each instruction of a translated block, so an
 * inlined instruction computes only the flags that are live. Wherever the translation can leave (the block's end, a
 * back edge that may stop, an instruction that can fault or stop the block, an interpreted instruction, a {@code max}
 * check) every flag counts as live: the Cpu's flags are exact at every exit.
 */
final class FlagLiveness {
    private FlagLiveness() {
    }

    /**
     * @param decoded  the block's instructions
     * @param inline   which of them run inline and raise no signal except through a memory operand (the others
     *                 count as exits: they may fault, or read and write the Cpu's flags)
     * @param prefixes the translation stops after {@code max} instructions (an exit before each instruction)
     * @return for each instruction the flags (RFLAGS bits) live after it
     */
    static long[] liveAfter(Decoded[] decoded, boolean[] inline, boolean prefixes) {
        int n = decoded.length;
        long[] after = new long[n];
        long live = ARITH;                                   // the block's end is an exit
        for (int i = n - 1; i >= 0; i--) {
            Decoded d = decoded[i];
            boolean exits = !inline[i] || InlineForms.mayExit(d) || prefixes && i + 1 < n;
            after[i] = exits ? ARITH : live;
            live = exits ? ARITH : uses(d) | (after[i] & ~defines(d));
        }
        return after;
    }

    /**
     * The flags the block ({@code decoded}, {@code inline} as for {@link #liveAfter}) may read, or expose at an exit,
     * before it sets them: those a jump to its start must have stored into the Cpu.
     */
    static long liveIn(Decoded[] decoded, boolean[] inline, boolean prefixes) {
        long[] after = liveAfter(decoded, inline, prefixes);
        Decoded d = decoded[0];
        return !inline[0] || InlineForms.mayExit(d) ? ARITH : uses(d) | (after[0] & ~defines(d));
    }

    /** The flags an inlined {@code d} sets (whatever it sets them to, undefined ones included). */
    static long defines(Decoded d) {
        return switch (d.mnemonic()) {
            case ADD, SUB, AND, OR, XOR, CMP, TEST, IMUL -> ARITH;
            case COMISS, COMISD, UCOMISS, UCOMISD -> ARITH;      // ZF PF CF from the compare, OF SF AF cleared
            case INC, DEC -> ARITH & ~CF;
            case SHL, SHR, SAR -> count(d) != 0 ? ARITH : 0;
            case ROL, ROR -> count(d) != 0 ? CF | OF : 0;
            default -> 0;
        };
    }

    /** The flags an inlined {@code d} reads. */
    static long uses(Decoded d) {
        return switch (d.mnemonic()) {
            case JCC -> condition(d.cond());
            default -> 0;
        };
    }

    /** The flags condition code {@code cc} reads. */
    static long condition(int cc) {
        return switch (cc >>> 1) {
            case 0 -> OF;
            case 1 -> CF;
            case 2 -> ZF;
            case 3 -> CF | ZF;
            case 4 -> SF;
            case 5 -> PF;
            case 6 -> SF | OF;
            default -> ZF | SF | OF;
        };
    }

    /** A shift's or rotate's immediate count after the operand-size mask. */
    private static int count(Decoded d) {
        return (int) ((Operand.Imm) d.op(1)).value() & (d.opSize() == 8 ? 0x3F : 0x1F);
    }
}
