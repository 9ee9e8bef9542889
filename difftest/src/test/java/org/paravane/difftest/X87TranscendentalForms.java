package org.paravane.difftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The x87 transcendentals (FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1): every form from the edge-value states
 * of {@link X87Forms} under every control word there, and seeded random arguments in each instruction's range under
 * random rounding and precision control.
 */
final class X87TranscendentalForms {
    private X87TranscendentalForms() {
    }

    static final List<String> FORMS = List.of("fsin", "fcos", "fsincos", "fptan", "fpatan", "f2xm1", "fyl2x", "fyl2xp1");

    /** Each form from each edge-value state and control word (the states' ST(0) ST(1) pairs). */
    static List<TestCase> edges() {
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        for (String form : FORMS) {
            for (int k = 0; k < X87Forms.VALUE_SETS; k++) {
                for (int fcw : X87Forms.FCWS) {
                    names.add(form + " #" + k + " fcw " + Integer.toHexString(fcw));
                    seqs.add(List.of(X87Forms.g(form)));
                }
            }
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, 17, true);
        List<TestCase> cases = new ArrayList<>(raw.size());
        Random r = new Random(29);
        int i = 0;
        for (String form : FORMS) {
            for (int k = 0; k < X87Forms.VALUE_SETS; k++) {
                for (int fcw : X87Forms.FCWS) {
                    cases.add(X87Forms.prepare(raw.get(i++), k, X87Forms.simd(k, fcw, r)));
                }
            }
        }
        return cases;
    }

    /** {@code count} random arguments for {@code form} (ST(0) and ST(1) valid, all exceptions masked). */
    static List<TestCase> random(String form, long seed, int count) {
        Random r = new Random(seed);
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        List<long[]> states = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            long[] x = argument(form, r), y = {r.nextInt(2) << 15 | (0x3FFF - 40 + r.nextInt(80)), r.nextLong() | 1L << 63};
            int fcw = 0x7F | r.nextInt(4) << 10 | new int[] {0, 2, 3}[r.nextInt(3)] << 8;
            long[] s = Layout.resetSimd();
            int top = r.nextInt(8);
            s[Layout.ST] = x[1];
            s[Layout.ST + 1] = x[0];
            s[Layout.ST + 2] = y[1];
            s[Layout.ST + 3] = y[0];
            int tags = 1 << top | 1 << ((top + 1) & 7);
            s[Layout.X87] = fcw | (long) (top << 11) << 16 | (long) tags << 32;
            states.add(s);
            names.add(form + " " + X87Words.st(s, 0) + " " + X87Words.st(s, 1) + " fcw " + Integer.toHexString(fcw));
            seqs.add(List.of(X87Forms.g(form)));
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, seed, true);
        List<TestCase> cases = new ArrayList<>(raw.size());
        for (int k = 0; k < raw.size(); k++) {
            cases.add(X87Forms.prepare(raw.get(k), 0, states.get(k)));
        }
        return cases;
    }

    /** ST(0): {sign/exponent, significand} in the instruction's domain. */
    private static long[] argument(String form, Random r) {
        int sign = r.nextInt(2) << 15;
        int exp = switch (form) {
            case "fsin", "fcos", "fsincos", "fptan" -> r.nextInt(4) == 0 ? 0x3FFF - 30 + r.nextInt(93) : 0x3FFF - 4 + r.nextInt(8);
            case "f2xm1" -> 0x3FFF - 1 - r.nextInt(r.nextInt(4) == 0 ? 60 : 6);
            case "fyl2xp1" -> 0x3FFF - 3 - r.nextInt(r.nextInt(4) == 0 ? 60 : 6);
            case "fyl2x" -> {
                sign = 0;
                yield r.nextInt(4) == 0 ? 0x3FFF - 2000 + r.nextInt(4000) : 0x3FFF - 8 + r.nextInt(16);
            }
            default -> 0x3FFF - 40 + r.nextInt(80);
        };
        return new long[] {sign | exp, r.nextLong() | 1L << 63};
    }
}
