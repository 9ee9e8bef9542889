package org.paravane.difftest.valgrind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.paravane.difftest.GnuAs;
import org.paravane.difftest.Layout;
import org.paravane.difftest.TestCase;

/**
 * The cases of one vendored {@code .def} file (test resources {@code /valgrind/}): each line laid out
 * ({@link DefCase}), assembled by the GNU assembler in AT&T syntax as the file writes it, as a test case of the
 * differential harness; and, for the lines the software CPU is not expected to run, a probe that is the instruction
 * alone.
 */
record DefSuite(String file, List<DefCase> lines, List<TestCase> cases) {

    /** The vendored files. */
    static final List<String> FILES = List.of("insn_basic.def", "insn_sse.def", "insn_sse2.def", "insn_sse3.def",
            "insn_ssse3.def", "insn_mmx.def", "insn_fpu.def", "insn_pclmulqdq.def");

    /** The test lines of a vendored file. */
    static List<DefLine> parse(String file) {
        String text;
        try (InputStream in = DefSuite.class.getResourceAsStream("/valgrind/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource /valgrind/" + file);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("reading /valgrind/" + file + ": " + e.getMessage(), e);
        }
        return DefLine.parseAll(file, text);
    }

    static DefSuite load(String file) {
        List<DefCase> lines = parse(file).stream().map(DefCase::of).toList();
        List<GnuAs.Sequence> seqs = lines.stream().map(c -> new GnuAs.Sequence(c.code().stream().map(DefSuite::att)
                .toList())).toList();
        List<GnuAs.Assembled> asm = GnuAs.assemble(seqs);
        List<TestCase> cases = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            DefCase c = lines.get(i);
            GnuAs.Assembled a = asm.get(i);
            // The flags the instruction leaves undefined stay unknown through the epilogue (which sets none).
            long undefined = UndefinedFlags.after(c.line());
            long[] before = new long[c.code().size()], after = new long[c.code().size()];
            for (int k = c.at(); k < after.length; k++) {
                after[k] = undefined;
                before[k] = k > c.at() ? undefined : 0;
            }
            cases.add(new TestCase(c.line().where() + ": " + c.line().text(), String.join("\n", c.code()), a.code(),
                    a.offsets(), before, after, c.regs(), Layout.DATA + DefCase.R15, c.data(), true, c.simd()));
        }
        return new DefSuite(file, lines, cases);
    }

    /** The instruction of each given line alone, from the line's state: what a CPU does with that instruction. */
    List<TestCase> probes(List<Integer> which) {
        List<GnuAs.Assembled> asm = GnuAs.assemble(which.stream().map(i -> new GnuAs.Sequence(
                List.of(att(lines.get(i).instruction())))).toList());
        List<TestCase> out = new ArrayList<>(which.size());
        for (int k = 0; k < which.size(); k++) {
            TestCase tc = cases.get(which.get(k));
            GnuAs.Assembled a = asm.get(k);
            out.add(new TestCase(tc.name() + " (alone)", a.source(), a.code(), a.offsets(), null, null, tc.regs(),
                    tc.gsBase(), tc.data(), true, tc.simd()));
        }
        return out;
    }

    /** One AT&T line inside the harness's Intel-syntax source. */
    private static String att(String line) {
        return ".att_syntax prefix; " + line + "; .intel_syntax noprefix";
    }
}
