package org.paravane.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The extensions after SSE2 (BMI2, ADX, RDRAND/RDSEED, the VEX #UD rules, SSE3, SSSE3, SSE4.1) against the host CPU:
 * every hand-written form and seeded random SIMD sequences over them. Any difference is a failure.
 */
class ExtensionDifferentialTest {
    @RegisterExtension
    static final HostAndEmulated cpus = new HostAndEmulated();

    static String report(List<Differ.Mismatch> found, int total, String what) {
        return found.size() + " of " + total + " " + what + " differ:\n"
                + found.stream().map(m -> m.testCase().name() + " step " + m.step() + ": " + m.what() + " at " + HostCpuDifferentialTest.line(m))
                .limit(Integer.getInteger("difftest.show", 80)).reduce("", (a, b) -> a + b + "\n")
                + "first ones in full:\n" + found.stream().limit(Integer.getInteger("difftest.full", 3))
                .map(Object::toString).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void everyBmi2AdxAndRandomNumberFormMatchesTheHostCpu() {
        List<TestCase> cases = ExtensionForms.integerCases();
        List<Differ.Mismatch> found = cpus.differences(cases);
        assertThat(found).as(() -> report(found, cases.size(), "BMI2/ADX/RDRAND cases")).isEmpty();
        assertThat(cases).hasSizeGreaterThan(1000);
    }

    @Test
    void everySse3Ssse3AndSse41FormMatchesTheHostCpu() {
        List<TestCase> cases = ExtensionForms.simdCases();
        List<Differ.Mismatch> found = cpus.differences(cases);
        assertThat(found).as(() -> report(found, cases.size(), "SSE3/SSSE3/SSE4.1 cases")).isEmpty();
        assertThat(cases).hasSizeGreaterThan(5000);
    }

    @Test
    void randomExtensionSequencesMatchTheHostCpu() {
        int count = Integer.getInteger("difftest.extensionSequences", 400);
        long seed = Long.getLong("difftest.seed", 20261206L);
        List<Differ.Mismatch> found = new ArrayList<>();
        for (int start = 0; start < count; start += 1000) {
            found.addAll(cpus.differences(ExtensionForms.randomSimd(seed + start, Math.min(1000, count - start))));
        }
        assertThat(found).as(() -> report(found, count, "random extension sequences")).isEmpty();
    }
}
