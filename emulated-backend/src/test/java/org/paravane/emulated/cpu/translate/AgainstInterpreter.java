package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.emulated.testing.TestVm;

/**
 * Runs guest programs interpreted and translated and compares the state every exit leaves: the registers, what a
 * {@link Recorder} adds, and the exception frame or the exit that ended the run.
 */
final class AgainstInterpreter {

    /** State after each exit beyond the general registers (e.g. the FXSAVE image, memory stored to). */
    interface Recorder {
        void record(TestVm t, Vcpu v, List<long[]> states);
    }

    static final Recorder REGISTERS = (t, v, states) -> { };

    private AgainstInterpreter() {
    }

    /** Each program run whole ends as the interpreter ends it, translated at threshold 0 and at threshold 1. */
    static void assertRunsMatch(String[] programs, int maxExits, Recorder more) {
        for (String program : programs) {
            List<long[]> reference = run(TranslationSettings.OFF, program, false, maxExits, more);
            for (TranslationSettings s : List.of(TranslatorTest.forced(), new TranslationSettings(true, 1, 1024))) {
                assertThat(run(s, program, false, maxExits, more)).as("%s with %s", program, s)
                        .usingRecursiveComparison().isEqualTo(reference);
            }
        }
    }

    /** Every single step of each program, translated at threshold 0, leaves the interpreter's state. */
    static void assertStepsMatch(String[] programs, int maxExits, Recorder more) {
        for (String program : programs) {
            assertThat(run(TranslatorTest.forced(), program, true, maxExits, more)).as(program)
                    .usingRecursiveComparison().isEqualTo(run(TranslationSettings.OFF, program, true, maxExits, more));
        }
    }

    private static List<long[]> run(TranslationSettings s, String program, boolean step, int maxExits, Recorder more) {
        try (TestVm t = TranslatorTest.vm(s)) {
            Vcpu v = t.start(0, 3, program);
            v.setSingleStep(step);
            List<long[]> states = new ArrayList<>();
            for (int n = 0; n < maxExits; n++) {
                VcpuExit e = v.run();
                states.add(v.registers().toArray());
                more.record(t, v, states);
                if (TestVm.trapVector(e, v) >= 0) {
                    TestVm.Frame f = t.frame(0, e);
                    states.add(new long[] {f.vector(), f.errorCode(), f.rip(), f.rflags(), f.rsp(),
                            v.state().control().cr2()});
                    break;
                }
                if (!(e instanceof VcpuExit.Debug)) {
                    states.add(e instanceof VcpuExit.Mmio m ? new long[] {m.address(), m.size(),
                            m.data().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0)}
                            : new long[] {e.getClass().getSimpleName().hashCode()});
                    break;
                }
            }
            Translator.Stats stats = TranslatorTest.stats(t);
            if (stats != null) {
                assertThat(stats.failed()).as("failures: %s", stats.lastFailure()).isZero();
            }
            return states;
        }
    }
}
