package org.paravane.difftest.valgrind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.paravane.difftest.CpuRecord;
import org.paravane.difftest.Differ;
import org.paravane.difftest.HostAndEmulated;
import org.paravane.difftest.Layout;
import org.paravane.difftest.TestCase;

/**
 * An oracle no one here wrote: every line of Valgrind's {@code none/tests/amd64/insn_*.def} files (vendored in the
 * test resources {@code /valgrind/}, see the README there) runs on the host CPU and on the software CPU; each CPU's
 * result is checked against the file's expectation, and the two CPUs against each other after every instruction
 * (registers, flags, XMM, MXCSR, memory: exactly).
 *
 * <p>Lines whose instruction the software CPU does not execute yet are in {@link #EXCLUDED}, the one list of them: they
 * still run on the host CPU against the file (which checks this harness), and each such instruction alone must raise
 * #UD on the software CPU, so an instruction that lands makes this test fail until its entry is removed.
 */
class ValgrindInsnTest {

    /** Which forms of a mnemonic an exclusion covers. */
    enum Forms {
        /** Every line of the mnemonic. */
        ALL,
        /** The lines with an MMX register operand (the XMM forms of the same mnemonic run). */
        MMX
    }

    record Exclusion(String mnemonic, Forms forms, String reason) {
        boolean covers(DefLine l) {
            return l.mnemonic().equals(mnemonic) && (forms == Forms.ALL || l.usesMmx());
        }
    }

    private static final String MMX_SSSE3 = "the SSSE3 instructions on MMX registers are not implemented yet";
    private static final String PCLMUL = "PCLMULQDQ is not implemented (nor offered by the CPU model)";

    /**
     * The instructions the software CPU does not execute yet, by mnemonic as the {@code .def} files spell them: every
     * form, or only the forms on MMX registers (whose XMM forms run). Whoever implements one removes its entry (the test
     * fails until they do, since each excluded instruction must still raise #UD).
     */
    static final List<Exclusion> EXCLUDED = exclusions();

    private static List<Exclusion> exclusions() {
        List<Exclusion> x = new ArrayList<>();
        for (String m : ("pabsb pabsd pabsw palignr phaddd phaddsw phaddw phsubd phsubsw phsubw pmaddubsw pmulhrsw "
                + "pshufb psignb psignd psignw").split(" ")) {
            x.add(new Exclusion(m, Forms.MMX, MMX_SSSE3));
        }
        x.add(new Exclusion("pclmulqdq", Forms.ALL, PCLMUL));
        return List.copyOf(x);
    }

    /**
     * RCP and RSQRT approximate: each processor has its own table, the software CPU rounds correctly and cuts to 12
     * bits (emulated-backend README, known gaps). Their results are held to the file's expectation on both CPUs (the
     * file's tolerance, 1.5/4096 relative, is the architectural error bound) and compared with the host CPU in every
     * other respect; the approximated lanes of the destination are not compared bit for bit.
     */
    static final java.util.Set<String> APPROXIMATE = java.util.Set.of("rcpps", "rcpss", "rsqrtps", "rsqrtss");

    static Optional<Exclusion> exclusion(DefLine l) {
        return EXCLUDED.stream().filter(e -> e.covers(l)).findFirst();
    }

    @RegisterExtension
    static final HostAndEmulated cpus = new HostAndEmulated();

    static List<String> files() {
        return DefSuite.FILES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void everyLineHoldsOnBothCpus(String file) {
        DefSuite suite = DefSuite.load(file);
        List<TestCase> cases = suite.cases();
        List<String> failures = new ArrayList<>();
        List<List<CpuRecord>> onHost = cpus.host().run(cases);
        List<Integer> run = new ArrayList<>(), excluded = new ArrayList<>();
        Map<String, Integer> excludedBy = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            DefCase c = suite.lines().get(i);
            String bad = against(c, onHost.get(i).getLast());
            if (bad != null) {
                failures.add(c.line().where() + ": " + c.line().text() + "\n    host CPU: " + bad);
            }
            Optional<Exclusion> e = exclusion(c.line());
            if (e.isPresent()) {
                excluded.add(i);
                excludedBy.merge(e.get().mnemonic() + (e.get().forms() == Forms.MMX ? " (mm)" : ""), 1, Integer::sum);
            } else {
                run.add(i);
            }
        }
        List<TestCase> runCases = run.stream().map(cases::get).toList();
        List<List<CpuRecord>> onEmulated = cpus.emulated().run(runCases);
        int passed = 0;
        for (int k = 0; k < run.size(); k++) {
            int i = run.get(k);
            DefCase c = suite.lines().get(i);
            String bad = against(c, onEmulated.get(k).getLast());
            List<CpuRecord> mine = APPROXIMATE.contains(c.line().mnemonic())
                    ? withApproximatedLanesOf(onHost.get(i), onEmulated.get(k), c) : onEmulated.get(k);
            Differ.Mismatch m = Differ.compare(cases.get(i), onHost.get(i), mine);
            if (bad != null || m != null) {
                failures.add(c.line().where() + ": " + c.line().text() + " [" + c.instruction() + "]"
                        + (bad == null ? "" : "\n    software CPU: " + bad)
                        + (m == null ? "" : "\n    software CPU vs host CPU at step " + m.step() + ": " + m.what()));
            } else {
                passed++;
            }
        }
        List<TestCase> probes = suite.probes(excluded);
        List<List<CpuRecord>> probed = cpus.emulated().run(probes);
        for (int k = 0; k < excluded.size(); k++) {
            CpuRecord last = probed.get(k).getLast();
            if (!undefinedOpcode(last)) {
                DefCase c = suite.lines().get(excluded.get(k));
                failures.add(c.line().where() + ": " + c.line().text() + "\n    excluded (" + exclusion(c.line())
                        .orElseThrow().mnemonic() + ") but the software CPU executes " + c.instruction() + ": "
                        + last.kind() + (last.kind() == CpuRecord.Kind.FAULT ? " vector " + last.vector() : "")
                        + "; remove it from ValgrindInsnTest.EXCLUDED");
            }
        }
        System.out.printf("%s: %d cases (%d of them disabled by Valgrind), %d ran on both CPUs, %d passed, %d excluded %s%n",
                file, cases.size(), suite.lines().stream().filter(c -> c.line().disabled()).count(), run.size(), passed,
                excluded.size(), excludedBy);
        if (!failures.isEmpty()) {
            fail(file + ": " + failures.size() + " failures:\n"
                    + String.join("\n", failures.subList(0, Math.min(failures.size(), 120))));
        }
        assertThat(run.size() + excluded.size()).isEqualTo(cases.size()).isPositive();
    }

    /** Whether a probe (the instruction alone) ended in #UD at the instruction: the CPU does not execute it. */
    static boolean undefinedOpcode(CpuRecord last) {
        return last.kind() == CpuRecord.Kind.FAULT && last.vector() == 6 && last.rip() == Layout.CODE;
    }

    /**
     * The staleness check itself: it tells an instruction the software CPU runs (ADDPS) from one it does not
     * (PCLMULQDQ, which nobody is adding; pick another missing one when it lands).
     */
    @Test
    void theProbeTellsAnImplementedInstructionFromAMissingOne() {
        DefSuite sse = DefSuite.load("insn_sse.def"), clmul = DefSuite.load("insn_pclmulqdq.def");
        List<Integer> addps = new ArrayList<>();
        for (int i = 0; i < sse.lines().size(); i++) {
            if (sse.lines().get(i).line().mnemonic().equals("addps")) {
                addps.add(i);
            }
        }
        assertThat(addps).isNotEmpty();
        assertThat(cpus.emulated().run(sse.probes(addps))).allSatisfy(r -> assertThat(undefinedOpcode(r.getLast())).isFalse());
        assertThat(cpus.emulated().run(clmul.probes(List.of(0, 1, 2)))).allSatisfy(r -> assertThat(undefinedOpcode(r.getLast()))
                .isTrue());
    }

    /** {@code mine} with the destination lanes an RCP/RSQRT instruction approximates taken from {@code host}. */
    static List<CpuRecord> withApproximatedLanesOf(List<CpuRecord> host, List<CpuRecord> mine, DefCase c) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("%xmm(\\d+)$").matcher(c.instruction());
        if (!m.find()) {
            throw new IllegalArgumentException(c.line().where() + ": no XMM destination in " + c.instruction());
        }
        int x = Integer.parseInt(m.group(1));
        boolean scalar = c.line().mnemonic().endsWith("ss");
        List<CpuRecord> out = new ArrayList<>(mine.size());
        for (int i = 0; i < mine.size(); i++) {
            CpuRecord r = mine.get(i);
            if (i < host.size() && r.simd() != null && host.get(i).simd() != null) {
                long[] s = r.simd().clone(), h = host.get(i).simd();
                s[2 * x] = scalar ? (s[2 * x] & ~0xFFFF_FFFFL) | (h[2 * x] & 0xFFFF_FFFFL) : h[2 * x];
                s[2 * x + 1] = scalar ? s[2 * x + 1] : h[2 * x + 1];
                r = r.withSimd(s);
            }
            out.add(r);
        }
        return out;
    }

    /** Null when {@code end} is a normal end satisfying every expectation of the line, else what is wrong. */
    static String against(DefCase c, CpuRecord end) {
        if (end.kind() != CpuRecord.Kind.END) {
            return "stopped with " + end.kind() + (end.kind() == CpuRecord.Kind.FAULT ? " vector " + end.vector()
                    + " at " + Long.toHexString(end.rip()) : "");
        }
        List<String> bad = new ArrayList<>();
        for (Check k : c.checks()) {
            String f = k.failure(end);
            if (f != null) {
                bad.add(f);
            }
        }
        return bad.isEmpty() ? null : String.join("; ", bad);
    }
}
