package org.paravane.difftest.valgrind;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The arithmetic flags the SDM leaves undefined after a {@code .def} line's instruction: not compared between the two
 * CPUs (each CPU may leave anything there). The {@code .def} files themselves only check defined flags.
 */
final class UndefinedFlags {
    private UndefinedFlags() {
    }

    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, ALL = 0x8D5;

    private static final Pattern SIZED = Pattern.compile("^([a-z]+?)([bwlq])$");

    static long after(DefLine l) {
        Matcher m = SIZED.matcher(l.mnemonic());
        if (!m.matches()) {
            return 0;
        }
        String op = m.group(1);
        int bits = switch (m.group(2)) {
            case "b" -> 8;
            case "w" -> 16;
            case "l" -> 32;
            default -> 64;
        };
        return switch (op) {
            case "bsf", "bsr" -> CF | OF | SF | AF | PF;
            case "div", "idiv" -> ALL;
            case "mul", "imul" -> SF | ZF | AF | PF;
            case "and", "or", "xor", "test" -> AF;
            case "bt", "bts", "btr", "btc" -> OF | SF | AF | PF;
            case "shl", "sal", "shr", "sar" -> {
                int n = count(l, bits);
                yield n == 0 ? 0 : AF | (n == 1 ? 0 : OF);
            }
            case "rol", "ror", "rcl", "rcr" -> {
                int n = count(l, bits);
                yield n <= 1 ? 0 : OF;
            }
            case "shld", "shrd" -> {
                int n = count(l, bits);
                yield n == 0 ? 0 : n > bits ? ALL : AF | (n == 1 ? 0 : OF);
            }
            default -> 0;
        };
    }

    /** The masked count: the first argument (an immediate or CL) of a two- or three-operand form, else 1. */
    private static int count(DefLine l, int bits) {
        long raw = 1;
        if (l.args().size() > 1) {
            DefLine.Spec first = l.args().getFirst();
            if (first instanceof DefLine.Imm i) {
                raw = Lane.integer(i.value());
            } else if (first instanceof DefLine.Named n && n.register().equals("cl")) {
                raw = Lane.integer(n.lanes().values().getFirst());
            }
        }
        return (int) (raw & (bits == 64 ? 0x3F : 0x1F));
    }
}
