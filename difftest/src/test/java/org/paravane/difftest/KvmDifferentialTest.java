package org.paravane.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.emulated.EmulatedBackend;

/**
 * The emulated backend against the KVM backend (the real CPU; guest CPL 3 runs natively on PVM hosts too), compared
 * after every instruction. Runs wherever {@code /dev/kvm} is usable and a KVM backend is on the class path; says why
 * it skips otherwise.
 */
class KvmDifferentialTest {
    static BackendCpu kvm;
    static BackendCpu emulated;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm")),
                "/dev/kvm is not usable here (missing, or no read/write permission)");
        Optional<VirtualizationBackend> backend = Backends.find("kvm");
        Assumptions.assumeTrue(backend.isPresent(), "no KVM backend on the difftest class path: add the kvm-backend "
                + "module as a test dependency of difftest (see Backends)");
        try {
            // The guest's own TF: KVM's guest-debug single-step does not stop native CPL 3 code on PVM hosts.
            kvm = new BackendCpu(backend.get(), BackendCpu.Stepping.TRAP_FLAG);
        } catch (BackendException e) {
            Assumptions.abort("the KVM backend cannot create a VM here: " + e.getMessage());
        }
        emulated = new BackendCpu(new EmulatedBackend());
    }

    @AfterAll
    static void stop() {
        if (kvm != null) {
            kvm.close();
        }
        if (emulated != null) {
            emulated.close();
        }
    }

    static List<Differ.Mismatch> differences(List<TestCase> cases) {
        return Differ.mismatches(cases, kvm, emulated);
    }

    @Test
    void everyHandWrittenFormMatchesKvm() {
        List<Differ.Mismatch> found = differences(InstructionForms.cases());
        assertThat(found).as(() -> found.size() + " differ:\n" + found.stream().limit(5).map(Object::toString)
                .reduce("", (a, b) -> a + b + "\n")).isEmpty();
    }

    /** BMI2, ADX, RDRAND/RDSEED, the VEX #UD rules, SSE3, SSSE3 and SSE4.1 ({@link ExtensionForms}). */
    @Test
    void everyExtensionFormMatchesKvm() {
        List<TestCase> cases = new java.util.ArrayList<>(ExtensionForms.integerCases());
        cases.addAll(ExtensionForms.simdCases());
        List<Differ.Mismatch> found = differences(cases);
        assertThat(found).as(() -> found.size() + " differ:\n" + found.stream().limit(5).map(Object::toString)
                .reduce("", (a, b) -> a + b + "\n")).isEmpty();
    }

    @Test
    void randomSequencesMatchKvm() {
        int count = Integer.getInteger("difftest.sequences", 3000);
        List<TestCase> cases = new SequenceGenerator(Long.getLong("difftest.seed", 20261125L)).cases(count, "kvm");
        List<Differ.Mismatch> found = differences(cases);
        assertThat(found).as(() -> found.size() + " differ:\n" + found.stream().limit(5).map(Object::toString)
                .reduce("", (a, b) -> a + b + "\n")).isEmpty();
    }
}
