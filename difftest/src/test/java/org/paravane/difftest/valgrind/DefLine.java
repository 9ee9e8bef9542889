package org.paravane.difftest.valgrind;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One test line of a Valgrind {@code none/tests/amd64/insn_*.def} file, parsed as Valgrind's {@code gen_insn_test.pl}
 * parses it: {@code mnemonic [presets :] args [=> results]}, e.g.
 * {@code adcb rflags[0x1,0x1] : imm8[12] al.ub[34] => 1.ub[47]}. Arguments are in AT&T order (the destination last);
 * a result {@code N.lane[...]} is argument N after the instruction (immediates count).
 *
 * @param file     the file's name (for messages)
 * @param number   the line number in it, from 1
 * @param text     the line as written (without a leading {@code ###})
 * @param disabled whether Valgrind disabled it ({@code ###}): such lines still hold on the host CPU (all 105 of
 *                 insn_basic.def's do), Valgrind disabled them for its own emulator, so they run here too
 */
record DefLine(String file, int number, String text, String mnemonic, List<Spec> presets, List<Spec> args,
               List<Spec> results, boolean disabled) {

    /** Lane values of one operand: the listed lanes, the rest of the operand zero. */
    record Lanes(Lane lane, List<String> values) {
        byte[] bytes(int width) {
            if (values.size() * lane.bytes > width) {
                throw new IllegalArgumentException(values.size() + " ." + lane.name().toLowerCase() + " lanes do not fit "
                        + width + " bytes");
            }
            byte[] b = new byte[width];
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.size(); i++) {
                lane.put(buf, i, values.get(i));
            }
            return b;
        }

        @Override
        public String toString() {
            return "." + lane.name().toLowerCase() + values;
        }
    }

    /** An operand, preset or result as the file writes it. */
    sealed interface Spec {
    }

    /** An operand of a type the generator places: r8-r64 (a general register), mm, xmm, m8-m128 (memory). */
    record Typed(String type, Lanes lanes) implements Spec {
    }

    /** A general register by name (al, ax, eax, rax, ..., ah-dh). */
    record Named(String register, Lanes lanes) implements Spec {
    }

    /** An x87 stack register st(n). */
    record St(int n, Lanes lanes) implements Spec {
    }

    /** An immediate: imm8, imm16, imm32 or imm64. */
    record Imm(String type, String value) implements Spec {
    }

    /** A result: argument {@code index} after the instruction. */
    record ArgResult(int index, Lanes lanes) implements Spec {
    }

    /** rflags, the x87 control word or status word: [mask, value] (a preset sets the masked bits to value). */
    record Word(WordKind kind, long mask, long value) implements Spec {
    }

    enum WordKind { RFLAGS, FPUCW, FPUSW }

    // gen_insn_test.pl's line pattern, unchanged.
    private static final Pattern LINE = Pattern.compile(
            "^(\\S+)\\s+(?:(\\S+(?:\\s+\\S+)*)\\s+:\\s+)?((?:\\S+\\s+)*?)(?:=>\\s+(\\S+(?:\\s+\\S+)*))?$");
    private static final String LANES = "(sb|ub|sw|uw|sd|ud|sq|uq|ps|pd)\\[([^\\]]+)\\]";
    private static final Pattern PRESET_REG = Pattern.compile("^([abcd][lh]|[abcd]x|e[abcd]x|r[abcd]x)\\." + LANES + "$");
    private static final Pattern ARG = Pattern.compile(
            "^([abcd]l|[abcd]x|e[abcd]x|r[abcd]x|r8|r16|r32|r64|mm|xmm|m8|m16|m32|m64|m128)\\." + LANES + "$");
    private static final Pattern ST = Pattern.compile("^st([0-9]+)\\.(ps|pd)\\[([^\\]]+)\\]$");
    private static final Pattern IMM = Pattern.compile("^(imm8|imm16|imm32|imm64)\\[([^\\]]+)\\]$");
    private static final Pattern WORD = Pattern.compile("^(rflags|fpucw|fpusw)\\[([^\\]]+)\\]$");
    private static final Pattern ARG_RESULT = Pattern.compile("^(\\d+)\\." + LANES + "$");

    /** The test lines of a file, with those Valgrind disabled ({@code ###}); comments ({@code #}) and blanks skipped. */
    static List<DefLine> parseAll(String file, String content) {
        List<DefLine> out = new ArrayList<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.startsWith("###") && t.length() > 3 && !Character.isWhitespace(t.charAt(3))) {
                out.add(parse(file, i + 1, t.substring(3), true));
            } else if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(parse(file, i + 1, t, false));
            }
        }
        return out;
    }

    static DefLine parse(String file, int number, String text) {
        return parse(file, number, text, false);
    }

    static DefLine parse(String file, int number, String text, boolean disabled) {
        try {
            // The Perl pattern reads "args" as tokens each followed by white space: give the last one its space.
            Matcher m = LINE.matcher(text.contains("=>") ? text : text + " ");
            if (!m.matches()) {
                throw new IllegalArgumentException("not a test line");
            }
            List<Spec> presets = new ArrayList<>(), args = new ArrayList<>(), results = new ArrayList<>();
            for (String p : tokens(m.group(2))) {
                presets.add(preset(p));
            }
            for (String a : tokens(m.group(3))) {
                args.add(arg(a));
            }
            for (String r : tokens(m.group(4))) {
                results.add(result(r, args.size()));
            }
            return new DefLine(file, number, text, m.group(1), List.copyOf(presets), List.copyOf(args), List.copyOf(results),
                    disabled);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ":" + number + ": cannot parse \"" + text + "\": " + e.getMessage(), e);
        }
    }

    private static List<String> tokens(String group) {
        return group == null || group.isBlank() ? List.of() : List.of(group.strip().split("\\s+"));
    }

    private static Lanes lanes(String lane, String values) {
        return new Lanes(Lane.of(lane), List.of(values.split(",")));
    }

    private static Spec preset(String p) {
        Matcher m;
        if ((m = PRESET_REG.matcher(p)).matches()) {
            return new Named(m.group(1), lanes(m.group(2), m.group(3)));
        }
        if ((m = ST.matcher(p)).matches()) {
            return new St(Integer.parseInt(m.group(1)), lanes(m.group(2), m.group(3)));
        }
        if ((m = WORD.matcher(p)).matches()) {
            return word(m);
        }
        throw new IllegalArgumentException("cannot parse preset " + p);
    }

    private static Spec arg(String a) {
        Matcher m;
        if ((m = ARG.matcher(a)).matches()) {
            String t = m.group(1);
            Lanes l = lanes(m.group(2), m.group(3));
            return Registers.isNamed(t) ? new Named(t, l) : new Typed(t, l);
        }
        if ((m = ST.matcher(a)).matches()) {
            return new St(Integer.parseInt(m.group(1)), lanes(m.group(2), m.group(3)));
        }
        if ((m = IMM.matcher(a)).matches()) {
            return new Imm(m.group(1), m.group(2));
        }
        throw new IllegalArgumentException("cannot parse argument " + a);
    }

    private static Spec result(String r, int argCount) {
        Matcher m;
        if ((m = ARG_RESULT.matcher(r)).matches()) {
            int index = Integer.parseInt(m.group(1));
            if (index >= argCount) {
                throw new IllegalArgumentException("result " + r + " names argument " + index + " of " + argCount);
            }
            return new ArgResult(index, lanes(m.group(2), m.group(3)));
        }
        if ((m = PRESET_REG.matcher(r)).matches()) {
            return new Named(m.group(1), lanes(m.group(2), m.group(3)));
        }
        if ((m = ST.matcher(r)).matches()) {
            return new St(Integer.parseInt(m.group(1)), lanes(m.group(2), m.group(3)));
        }
        if ((m = WORD.matcher(r)).matches()) {
            return word(m);
        }
        throw new IllegalArgumentException("cannot parse result " + r);
    }

    private static Word word(Matcher m) {
        String[] v = m.group(2).split(",");
        if (v.length != 2) {
            throw new IllegalArgumentException(m.group(1) + " needs [mask,value]: " + m.group());
        }
        return new Word(WordKind.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT)), Lane.integer(v[0]),
                Lane.integer(v[1]));
    }

    /** Whether an operand of this line (argument or preset) is an MMX register. */
    boolean usesMmx() {
        return args.stream().anyMatch(a -> a instanceof Typed t && t.type().equals("mm"));
    }

    /** Where the line is, for messages. */
    String where() {
        return file + ":" + number + (disabled ? " (disabled by Valgrind)" : "");
    }
}
