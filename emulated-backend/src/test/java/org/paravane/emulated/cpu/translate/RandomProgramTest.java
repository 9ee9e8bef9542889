package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.emulated.testing.TestVm;

/**
 * Random programs of many blocks ({@link RandomPrograms}: loops, calls, branches across blocks, memory) run
 * translated as the interpreter runs them: forced (threshold 0), after a few runs (thresholds 1, 2 and 5: a
 * translation entered in the middle of a loop, reused blocks), with a code cache so small that translations are
 * dropped while the program runs, and cut into budget slices (a translated block stopped at an exact instruction,
 * then resumed). Each exit's general registers, FXSAVE image, data area and retired count must be equal.
 *
 * <p>{@code -Dparavane.randomPrograms=N} runs N programs instead of the default set ({@code paravane.randomPrograms.seed}
 * moves the first seed).
 */
class RandomProgramTest {
    private static final int COUNT = Integer.getInteger("paravane.randomPrograms", 5);
    private static final long FIRST = Long.getLong("paravane.randomPrograms.seed", 1);
    private static final int MAX_EXITS = 100_000;

    /** A way to run: the translator's settings and the budget of each run (0: none). */
    record Mode(TranslationSettings settings, long slice) {
        @Override
        public String toString() {
            return settings + (slice == 0 ? "" : " in slices of " + slice);
        }
    }

    private static final List<Mode> WHOLE = List.of(
            new Mode(TranslatorTest.forced(), 0),
            new Mode(new TranslationSettings(true, 1, 1024), 0),
            new Mode(new TranslationSettings(true, 2, 1024), 0),
            new Mode(new TranslationSettings(true, 5, 1024), 0),
            new Mode(new TranslationSettings(true, 0, 1), 0),
            new Mode(new TranslationSettings(true, 2, 4), 0));

    @Test
    void randomProgramsRunTranslatedAsInterpreted() {
        for (long seed = FIRST; seed < FIRST + COUNT; seed++) {
            String program = RandomPrograms.program(seed);
            List<long[]> reference = run(new Mode(TranslationSettings.OFF, 0), program);
            for (Mode m : WHOLE) {
                assertThat(run(m, program)).as("seed %d, %s:%n%s", seed, m, program)
                        .usingRecursiveComparison().isEqualTo(reference);
            }
        }
    }

    @Test
    void randomProgramsStopAtTheSameInstructionsWhenBudgeted() {
        for (long seed = FIRST; seed < FIRST + COUNT; seed++) {
            String program = RandomPrograms.program(seed);
            long slice = 1 + (seed * 7919) % 333;
            List<long[]> reference = run(new Mode(TranslationSettings.OFF, slice), program);
            for (TranslationSettings s : List.of(TranslatorTest.forced(), new TranslationSettings(true, 2, 1024))) {
                Mode m = new Mode(s, slice);
                assertThat(run(m, program)).as("seed %d, %s:%n%s", seed, m, program)
                        .usingRecursiveComparison().isEqualTo(reference);
            }
        }
    }

    /** The state at every exit until the result store, a fault or another exit. */
    static List<long[]> run(Mode mode, String program) {
        try (TestVm t = TranslatorTest.vm(mode.settings())) {
            Vcpu v = t.start(0, 3, program);
            List<long[]> states = new ArrayList<>();
            for (int n = 0; n < MAX_EXITS; n++) {
                if (mode.slice() > 0) {
                    t.budget(0, mode.slice());
                }
                VcpuExit e = v.run();
                states.add(v.registers().toArray());
                states.add(longs(v.state().fxsave()));
                states.add(longs(t.mem(RandomPrograms.DATA, RandomPrograms.DATA_SIZE).toArray(
                        java.lang.foreign.ValueLayout.JAVA_BYTE)));
                states.add(new long[] {v.stats().instructions()});
                if (TestVm.trapVector(e, v) >= 0) {
                    TestVm.Frame f = t.frame(0, e);
                    states.add(new long[] {f.vector(), f.errorCode(), f.rip(), f.rflags(), f.rsp()});
                    break;
                }
                if (!(e instanceof VcpuExit.Interrupted) || mode.slice() == 0) {
                    states.add(new long[] {e.getClass().getSimpleName().hashCode()});
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

    private static long[] longs(byte[] bytes) {
        long[] out = new long[bytes.length / 8];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }
}
