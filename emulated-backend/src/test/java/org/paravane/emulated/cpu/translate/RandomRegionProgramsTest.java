package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.paravane.emulated.testing.TestVm;

/**
 * Random programs of many blocks (forward branches, loops, calls and returns, loads and stores, flags read across
 * blocks, now and then a fault on a later pass) run translated, at threshold 0 and 1 and under budgets, against the
 * interpreter: registers, the data they stored, and the exception or exit that ended them.
 */
class RandomRegionProgramsTest {
    static final int PROGRAMS = 24;
    /** Registers the random instructions use: ECX counts the outer loop, R14 inner ones, RSP stays the stack. */
    private static final String[] REGS = {"rax", "rbx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"};
    private static final String[] REGS32 = {"eax", "ebx", "edx", "esi", "edi", "r8d", "r9d", "r10d", "r11d"};
    private static final String[] REGS8 = {"al", "bl", "dl", "sil", "dil", "r8b", "r9b", "r10b", "r11b"};
    private static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge",
        "le", "g"};
    private static final long DATA = TestVm.DATA;

    static Stream<Integer> seeds() {
        return IntStream.range(0, PROGRAMS).boxed();
    }

    /** The data page the programs store to, after each exit. */
    private static final AgainstInterpreter.Recorder DATA_PAGE = (t, v, states) -> {
        long[] words = new long[64];
        for (int i = 0; i < words.length; i++) {
            words[i] = t.mem(DATA + 8L * i, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        }
        states.add(words);
    };

    @ParameterizedTest
    @MethodSource("seeds")
    void randomProgramsEndAsTheInterpreterEndsThem(int seed) {
        String program = program(new Random(seed * 7919L + 17));
        AgainstInterpreter.assertRunsMatch(new String[] {program}, 30, DATA_PAGE);
        for (long budget : new long[] {3, 17, 250}) {
            assertThat(TranslatorTest.budgeted(new TranslationSettings(true, 1, 1024), program, budget))
                    .as("seed %d budget %d:%n%s", seed, budget, program)
                    .isEqualTo(TranslatorTest.budgeted(TranslationSettings.OFF, program, budget));
        }
        if (seed % 6 == 0) {
            AgainstInterpreter.assertStepsMatch(new String[] {program}, 3000, DATA_PAGE);
        }
    }

    /** An outer loop of random blocks, then the functions they call. */
    static String program(Random r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < REGS.length; i++) {
            out.add("mov " + REGS[i] + ", " + r.nextLong());
        }
        out.add("mov ecx, " + (8 + r.nextInt(12)));
        int functions = 1 + r.nextInt(3);
        int blocks = 4 + r.nextInt(8);
        int faultAt = r.nextInt(4) == 0 ? r.nextInt(blocks) : -1;
        out.add("top:");
        for (int b = 0; b < blocks; b++) {
            out.add("b" + b + ":");
            if (b == faultAt) {                          // a fault on the third pass from the end
                out.add("cmp ecx, 3");
                out.add("jne nf" + b);
                out.add("mov " + REGS[r.nextInt(REGS.length)] + ", [0x12345000]");
                out.add("nf" + b + ":");
            }
            if (r.nextInt(5) == 0) {                    // an inner loop
                out.add("mov r14d, " + (1 + r.nextInt(5)));
                out.add("in" + b + ":");
                body(r, out, 1 + r.nextInt(4));
                out.add("dec r14d");
                out.add("jnz in" + b);
            }
            body(r, out, 1 + r.nextInt(6));
            switch (r.nextInt(5)) {
                case 0 -> out.add("j" + CC[r.nextInt(CC.length)] + " b" + (b + 1 + r.nextInt(blocks - b)));
                case 1 -> out.add("jmp b" + (b + 1 + r.nextInt(blocks - b)));
                case 2 -> out.add("call f" + r.nextInt(functions));
                default -> {
                }
            }
        }
        out.add("b" + blocks + ":");
        out.add("dec ecx");
        out.add("jnz top");
        out.add("mov [0xF0000000], rax");
        out.add("hlt");
        for (int f = 0; f < functions; f++) {
            out.add("f" + f + ":");
            body(r, out, 1 + r.nextInt(5));
            if (r.nextBoolean()) {
                out.add("j" + CC[r.nextInt(CC.length)] + " fr" + f);
                body(r, out, 1 + r.nextInt(3));
                out.add("ret");
                out.add("fr" + f + ":");
                body(r, out, 1 + r.nextInt(3));
            }
            out.add("ret");
        }
        return String.join("\n", out);
    }

    /** {@code n} random instructions: ALU, shifts, moves, loads and stores, flag readers. */
    private static void body(Random r, List<String> out, int n) {
        for (int i = 0; i < n; i++) {
            int a = r.nextInt(REGS.length), b = r.nextInt(REGS.length);
            String mem = "qword ptr [" + (DATA + 8 * r.nextInt(64)) + "]";
            String mem32 = "dword ptr [" + (DATA + 4 * r.nextInt(128)) + "]";
            out.add(switch (r.nextInt(20)) {
                case 0 -> "add " + REGS[a] + ", " + REGS[b];
                case 1 -> "sub " + REGS32[a] + ", " + REGS32[b];
                case 2 -> "and " + REGS[a] + ", " + (r.nextInt(2000) - 1000);
                case 3 -> "xor " + REGS32[a] + ", " + REGS32[b];
                case 4 -> "cmp " + REGS[a] + ", " + REGS[b];
                case 5 -> "test " + REGS32[a] + ", " + r.nextInt(256);
                case 6 -> (r.nextBoolean() ? "inc " : "dec ") + REGS[a];
                case 7 -> new String[] {"shl", "shr", "sar", "rol", "ror"}[r.nextInt(5)] + " " + REGS[a] + ", "
                        + r.nextInt(64);
                case 8 -> "imul " + REGS[a] + ", " + REGS[b];
                case 9 -> "lea " + REGS[a] + ", [" + REGS[b] + " + " + REGS[a] + " * 4 + " + r.nextInt(100) + "]";
                case 10 -> "mov " + REGS[a] + ", " + mem;
                case 11 -> "mov " + mem + ", " + REGS[a];
                case 12 -> "add " + REGS32[a] + ", " + mem32;
                case 13 -> "adc " + REGS[a] + ", " + REGS[b];          // reads CF (interpreted)
                case 14 -> "set" + CC[r.nextInt(CC.length)] + " " + REGS8[a];
                case 15 -> "cmov" + CC[r.nextInt(CC.length)] + " " + REGS[a] + ", " + REGS[b];
                case 16 -> "push " + REGS[a] + "\n pop " + REGS[b];
                case 17 -> "mov " + REGS32[a] + ", " + r.nextInt();
                case 18 -> "or " + mem32 + ", " + REGS32[a];
                default -> "cmp " + mem + ", " + (r.nextInt(200) - 100);
            });
        }
    }
}
