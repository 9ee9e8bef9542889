package org.paravane.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The emulated backend against the processor this test runs on: seeded random instruction sequences at CPL 3,
 * compared after every instruction (registers, defined flags, exceptions, memory).
 */
class HostCpuDifferentialTest {
    @RegisterExtension
    static final HostAndEmulated cpus = new HostAndEmulated();

    /** The instruction a mismatch happened after (or at, for an exception). */
    static String line(Differ.Mismatch m) {
        TestCase tc = m.testCase();
        long rip = m.step() == 0 ? Layout.CODE : m.expected().kind() == CpuRecord.Kind.FAULT ? m.expected().rip()
                : -1;
        String[] lines = tc.source().split("\n");
        if (rip < 0) {
            return "step " + m.step();
        }
        int i = java.util.Arrays.binarySearch(tc.offsets(), (int) (rip - Layout.CODE));
        return i >= 0 && i < lines.length ? lines[i].trim() : "0x" + Long.toHexString(rip);
    }

    @Test
    void everyHandWrittenFormMatchesTheHostCpu() {
        List<TestCase> cases = InstructionForms.cases();
        List<Differ.Mismatch> found = cpus.differences(cases);
        assertThat(found).as(() -> found.size() + " of " + cases.size() + " cases differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what()).limit(60)
                .reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n" + found.stream().limit(Integer.getInteger("difftest.full", 3)).map(Object::toString).reduce("", (a, b) -> a + b + "\n"))
                .isEmpty();
        assertThat(cases).hasSizeGreaterThan(5000);
    }

    @Test
    void everySseFormMatchesTheHostCpu() {
        List<TestCase> cases = SseForms.cases();
        List<Differ.Mismatch> found = cpus.differences(cases);
        assertThat(found).as(() -> found.size() + " of " + cases.size() + " SSE cases differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what()).limit(Integer.getInteger("difftest.show", 80))
                .reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n" + found.stream().limit(Integer.getInteger("difftest.full", 3)).map(Object::toString).reduce("", (a, b) -> a + b + "\n"))
                .isEmpty();
        assertThat(cases).hasSizeGreaterThan(10000);
    }

    @Test
    void everyX87FormMatchesTheHostCpu() {
        List<TestCase> cases = X87Forms.cases();
        List<Differ.Mismatch> found = cpus.differences(cases);
        assertThat(found).as(() -> found.size() + " of " + cases.size() + " x87 cases differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what()).limit(Integer.getInteger("difftest.show", 80))
                .reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n" + found.stream().limit(Integer.getInteger("difftest.full", 3)).map(Object::toString).reduce("", (a, b) -> a + b + "\n"))
                .isEmpty();
        assertThat(cases).hasSizeGreaterThan(8000);
    }

    @Test
    void everyMmxFormMatchesTheHostCpu() {
        List<TestCase> cases = MmxForms.cases();
        List<Differ.Mismatch> found = cpus.differences(cases);
        assertThat(found).as(() -> found.size() + " of " + cases.size() + " MMX cases differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what()).limit(Integer.getInteger("difftest.show", 80))
                .reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n" + found.stream().limit(Integer.getInteger("difftest.full", 3)).map(Object::toString).reduce("", (a, b) -> a + b + "\n"))
                .isEmpty();
        assertThat(cases).hasSizeGreaterThan(3000);
    }

    @Test
    void randomX87SequencesMatchTheHostCpu() {
        int count = Integer.getInteger("difftest.x87Sequences", 2000);
        long seed = Long.getLong("difftest.seed", 20261125L);
        List<Differ.Mismatch> found = new ArrayList<>();
        for (int start = 0; start < count; start += 1000) {
            found.addAll(cpus.differences(X87Forms.random(seed + start, Math.min(1000, count - start))));
        }
        assertThat(found).as(() -> found.size() + " of " + count + " x87 sequences differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what() + " at "
                        + line(m)).limit(40).reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n"
                + found.stream().limit(Integer.getInteger("difftest.full", 3)).map(Object::toString).reduce("", (a, b) -> a + b + "\n")).isEmpty();
    }

    @Test
    void randomSseSequencesMatchTheHostCpu() {
        int count = Integer.getInteger("difftest.sseSequences", 400);
        long seed = Long.getLong("difftest.seed", 20261125L);
        List<Differ.Mismatch> found = new ArrayList<>();
        for (int start = 0; start < count; start += 1000) {
            found.addAll(cpus.differences(SseForms.random(seed + start, Math.min(1000, count - start))));
        }
        assertThat(found).as(() -> found.size() + " of " + count + " SSE sequences differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what() + " at "
                        + line(m)).limit(40).reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n"
                + found.stream().limit(Integer.getInteger("difftest.full", 3)).map(Object::toString).reduce("", (a, b) -> a + b + "\n")).isEmpty();
    }

    /**
     * Read-modify-write instructions on an unmapped page fault as writes (W=1 in the error code), as hardware checks
     * them, though they read first; the comparison includes the error code.
     */
    @Test
    void readModifyWriteFaultsReportAWrite() {
        List<String> forms = List.of("add dword ptr [0x30000000], 1", "inc qword ptr [0x30000000]", "not byte ptr [0x30000000]",
                "neg word ptr [0x30000000]", "bts dword ptr [0x30000000], 3", "shl qword ptr [0x30000000], 1",
                "sub qword ptr [0x30000000], rax", "adc byte ptr [0x30000000], al");
        List<TestCase> cases = SequenceGenerator.fixed(forms, forms.stream().map(f -> List.of(SequenceGenerator.G.plain(f)))
                .toList(), 7, true);
        List<Differ.Mismatch> found = cpus.differences(cases);
        assertThat(found).as(() -> found.stream().map(Object::toString).reduce("", (a, b) -> a + b + "\n")).isEmpty();
    }

    @Test
    void randomSequencesMatchTheHostCpu() {
        int count = Integer.getInteger("difftest.sequences", 3000);
        long seed = Long.getLong("difftest.seed", 20261125L);
        List<Differ.Mismatch> found = new ArrayList<>();
        int batch = 1000;
        for (int start = 0; start < count; start += batch) {
            List<TestCase> cases = new SequenceGenerator(seed + start).cases(Math.min(batch, count - start), "seed " + (seed + start));
            found.addAll(cpus.differences(cases));
        }
        assertThat(found).as(() -> found.size() + " of " + count + " sequences differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what() + " at "
                        + line(m)).limit(40).reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n"
                + found.stream().limit(Integer.getInteger("difftest.full", 3)).map(Object::toString).reduce("", (a, b) -> a + b + "\n")).isEmpty();
    }
}
