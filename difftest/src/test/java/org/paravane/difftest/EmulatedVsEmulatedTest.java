package org.paravane.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.cpu.VcpuState;

/**
 * The harness checked on itself: two instances of the emulated backend (found the way the KVM backend will be)
 * agree step for step; a run moved between VMs mid-way reports what an uninterrupted run reports; and a reference
 * that is wrong in one bit at one step is caught at exactly that step.
 */
class EmulatedVsEmulatedTest {

    static VirtualizationBackend emulated() {
        return Backends.find("emulated").orElseThrow();
    }

    @Test
    void twoEmulatedBackendsAgreeOnRandomSequences() {
        List<TestCase> cases = new SequenceGenerator(99).cases(500, "e-vs-e");
        try (BackendCpu a = new BackendCpu(emulated()); BackendCpu b = new BackendCpu(emulated())) {
            List<List<CpuRecord>> ra = a.run(cases), rb = b.run(cases);
            for (int i = 0; i < cases.size(); i++) {
                assertThat(Differ.compare(cases.get(i), ra.get(i), rb.get(i))).as(cases.get(i).name()).isNull();
                assertThat(ra.get(i)).isEqualTo(rb.get(i));
            }
        }
    }

    @Test
    void steppingWithTheTrapFlagSeesWhatTheApiSingleStepSees() {
        trapFlagSteps(new SequenceGenerator(31).cases(300, "tf"));
    }

    @Test
    void steppingSseSequencesWithTheTrapFlagSeesWhatTheApiSingleStepSees() {
        trapFlagSteps(SseForms.random(32, 200));
    }

    @Test
    void steppingExtensionSequencesWithTheTrapFlagSeesWhatTheApiSingleStepSees() {
        trapFlagSteps(ExtensionForms.randomSimd(33, 200));
    }

    private static void trapFlagSteps(List<TestCase> cases) {
        try (BackendCpu api = new BackendCpu(emulated()); BackendCpu tf = new BackendCpu(emulated(), BackendCpu.Stepping.TRAP_FLAG)) {
            List<List<CpuRecord>> ra = api.run(cases), rt = tf.run(cases);
            for (int i = 0; i < cases.size(); i++) {
                assertThat(Differ.compare(cases.get(i), ra.get(i), rt.get(i))).as(cases.get(i).name()).isNull();
            }
        }
    }

    @Test
    void aRunMovedBetweenVmsMidwayMatchesAnUninterruptedRun() {
        movedMidway(new SequenceGenerator(1234).cases(200, "moved"));
    }

    /** XMM registers and MXCSR move with the rest (the records after the move compare them). */
    @Test
    void anSseRunMovedBetweenVmsMidwayMatchesAnUninterruptedRun() {
        movedMidway(SseForms.random(1235, 200));
    }

    private static void movedMidway(List<TestCase> cases) {
        try (BackendCpu a = new BackendCpu(emulated()); BackendCpu b = new BackendCpu(emulated())) {
            for (TestCase tc : cases) {
                List<CpuRecord> straight = a.run(List.of(tc)).getFirst();
                int moveAt = straight.size() / 2;
                // Run the first half on A, move state and data to B, finish there.
                a.load(tc);
                List<CpuRecord> moved = new ArrayList<>();
                a.vcpu().setSingleStep(true);
                boolean ended = false;
                for (int k = 0; k < moveAt && !ended; k++) {
                    VcpuExit e = a.vcpu().run();
                    moved.add(CpuRecord.step(a.vcpu().registers().toArray()));
                    ended = !(e instanceof VcpuExit.Debug);
                }
                a.vcpu().setSingleStep(false);
                if (ended) {
                    continue;
                }
                VcpuState s = a.vcpu().state();
                byte[] data = a.dataNow();
                b.load(new TestCase(tc.name(), tc.source(), tc.code(), tc.offsets(), tc.before(), tc.after(), tc.regs(),
                        tc.gsBase(), data, tc.stepwise(), tc.simd()));
                b.vcpu().setState(s);
                moved.addAll(b.steps(tc));
                assertThat(Differ.compare(tc, straight, moved)).as(tc.name() + " moved at step " + moveAt).isNull();
            }
        }
    }

    @Test
    void aReferenceWrongInOneBitIsCaughtAtThatStep() {
        List<TestCase> cases = new SequenceGenerator(7).cases(50, "self-check");
        try (BackendCpu a = new BackendCpu(emulated())) {
            List<List<CpuRecord>> good = a.run(cases);
            int caught = 0;
            for (int i = 0; i < cases.size(); i++) {
                List<CpuRecord> bad = new ArrayList<>(good.get(i));
                int step = bad.size() / 2;
                CpuRecord r = bad.get(step);
                long[] regs = r.regs().clone();
                regs[i % 16] ^= 1L << (i % 64);
                bad.set(step, new CpuRecord(r.kind(), regs, r.vector(), r.error(), r.cr2(), r.data(), r.detail()));
                Differ.Mismatch m = Differ.compare(cases.get(i), good.get(i), bad);
                assertThat(m).as(cases.get(i).name()).isNotNull();
                assertThat(m.step()).isEqualTo(step);
                assertThat(m.what()).contains(Layout.NAMES[i % 16]);
                caught++;
            }
            assertThat(caught).isEqualTo(cases.size());
        }
    }
}
