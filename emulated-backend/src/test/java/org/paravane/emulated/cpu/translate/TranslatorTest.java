package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.memory.PageSource;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.testing.Kernels;
import org.paravane.emulated.testing.TestVm;
import org.paravane.emulated.vstate.EmulatedVcpu;

/**
 * Translated blocks against the interpreter: the kernels' checksums, and the state at exits, faults (in the middle of
 * a block, with registers and flags still in JVM locals), self-modifying code and every single step.
 */
class TranslatorTest {

    static TestVm vm(TranslationSettings s) {
        return new TestVm(new EmulatedBackend(s), 1, 16 << 20, PageSource.ZERO, false);
    }

    static TranslationSettings forced() {
        return new TranslationSettings(true, 0, 1024);
    }

    /** Translation after {@code threshold} runs of a block; -1: translation off. */
    static TranslationSettings atThreshold(int threshold) {
        return threshold < 0 ? TranslationSettings.OFF : new TranslationSettings(true, threshold, 1024);
    }

    /**
     * A loop of 100 CALLs to f, which adds its ADD EAX, imm8 to EAX; at ECX = 50 f's tail rewrites that immediate
     * from 1 to 2, so the result is 51 + 2 * 49. {@code fOnAnotherPage}: f starts a page of its own.
     */
    static String callTargetRewritten(boolean fOnAnotherPage) {
        return String.join("\n",
                "xor eax, eax",
                "mov ecx, 100",
                "l: call f",
                "dec ecx",
                "jnz l",
                "mov [0xF0000000], rax",
                "hlt",
                fOnAnotherPage ? ".balign 4096" : "",
                "f: add eax, 1",
                "cmp ecx, 50",
                "jne r",
                "mov byte ptr [rip + f + 2], 2",
                "r: ret");
    }

    static Translator.Stats stats(TestVm t) {
        return ((EmulatedVcpu) t.vcpu(0)).translationStats();
    }

    @ParameterizedTest
    @CsvSource({"1,0", "2,0", "3,0", "4,0", "1,3", "2,3", "3,3", "4,3"})
    void kernelsComputeTheirChecksumsTranslated(int kernel, int threshold) {
        try (TestVm t = vm(new TranslationSettings(true, threshold, 1024))) {
            t.load(TestVm.CODE, Kernels.build(kernel, 20));
            Vcpu v = t.start(0, 3, TestVm.CODE);
            assertThat(t.runToResult(v)).isEqualTo(Kernels.expected(kernel, 20));
            assertThat(stats(t).failed()).as("failures: %s", stats(t).lastFailure()).isZero();
            assertThat(stats(t).translated()).isPositive();
            System.out.printf("K%d threshold %d: %d translations (%d regions of %d blocks), %d us each on average "
                    + "(%d class-file bytes)%n", kernel, threshold, stats(t).translated(), stats(t).regions(),
                    stats(t).regionBlocks(), stats(t).nanos() / stats(t).translated() / 1000, stats(t).bytes());
        }
    }

    /** Programs that end in an exception (a trap stub exit) or the result store, with state worth comparing. */
    static final String[] PROGRAMS = {
        // a page fault on a load in the middle of a block: registers and flags changed before it are in locals
        "mov rax, 5\n mov rbx, -9\n add rax, rbx\n cmp rax, 3\n shl rbx, 3\n mov rcx, [0x12345000]\n mov rdx, 1",
        // a fault on a store after flags from INC and a rotate
        "mov ecx, 0x80000000\n rol ecx, 1\n inc rdx\n imul rdx, rcx, 7\n mov [0x9990000], rdx\n nop",
        // #GP from a non-canonical address after a partially written 32-bit register
        "mov eax, -1\n sar rax, 7\n xor esi, esi\n dec esi\n mov rdi, 0x8000000000000000\n mov rax, [rdi]",
        // division by zero through the interpreter's Insn, between inlined ones
        "mov rax, 100\n xor ecx, ecx\n lea rbx, [rax + rax*2 + 7]\n sub rbx, 1\n div rcx\n mov rax, 1",
        // calls, returns, pushes and pops; the result store exits
        "mov edi, 10\n call f\n mov [0xF0000000], rax\n hlt\n"
                + "f: cmp rdi, 2\n jb base\n push rdi\n dec rdi\n call f\n pop rdi\n push rax\n sub rdi, 2\n call f\n"
                + " pop rdx\n add rax, rdx\n ret\n base: mov rax, rdi\n ret",
        // flags read across blocks and by interpreted instructions (ADC, SETcc, CMOV)
        "mov rax, -1\n add rax, 1\n jz z\n ud2\n z: adc rbx, 0\n setc cl\n cmp rbx, 1\n cmove rdx, rbx\n"
                + " test ecx, ecx\n jle l\n mov rax, rdx\n mov [0xF0000000], rax\n l: ud2",
        // a store into the next instruction of the same block, and a loop patching itself
        "mov byte ptr [rip + patch + 1], 42\n nop\n patch: mov eax, 7\n mov [0xF0000000], rax",
        "xor eax, eax\n mov ecx, 5\n l: mov byte ptr [rip + add_ + 2], cl\n nop\n add_: add eax, 0\n dec ecx\n jnz l\n"
                + " mov [0xF0000000], rax",
        // flags a later instruction reads through instructions whose own flags are dead: the ADD's ZF/SF through a
        // rotate, SUB's CF through DEC, a rotate's CF and OF through INC, IMUL's overflow through a dead shift
        "mov rax, -8\n add rax, 8\n rol rax, 3\n jnz x\n js x\n mov rcx, 5\n sub rcx, 6\n shl rdx, 3\n dec rcx\n"
                + " jnc x\n mov ebx, 0xC0000000\n ror ebx, 31\n inc rax\n jno x\n mov rax, 0x7fffffffffffffff\n"
                + " imul rax, rax\n xor edx, edx\n mov [0xF0000000], rax\n x: ud2",
        "mov ecx, 1000\n xor eax, eax\n l: add rax, rcx\n rol rax, 7\n adc rbx, 0\n shr rdx, 1\n inc rdx\n cmp rax, rbx\n"
                + " dec ecx\n jnz l\n add rax, rbx\n mov [0xF0000000], rax",
        // byte and word operands, movzx/movsx, memory compares, a 32-bit address
        "lea rsi, [rip + d]\n movzx eax, byte ptr [rsi + 1]\n movsx rbx, word ptr [rsi + 2]\n cmp byte ptr [rsi], 0x80\n"
                + " ja a\n ud2\n a: test word ptr [rsi + 2], 0x8000\n js b\n ud2\n b: mov ecx, esi\n mov edx, dword ptr [ecx]\n"
                + " add rax, rbx\n add rax, rdx\n mov [0xF0000000], rax\n d: .byte 0x81, 0x7f, 0xfe, 0xff",
    };

    @Test
    void translatedRunsEndInTheInterpretersState() {
        AgainstInterpreter.assertRunsMatch(PROGRAMS, 2000, AgainstInterpreter.REGISTERS);
    }

    @Test
    void everySingleStepOfATranslationMatchesTheInterpreter() {
        AgainstInterpreter.assertStepsMatch(PROGRAMS, 2000, AgainstInterpreter.REGISTERS);
    }

    @Test
    void aStateLoadKeepsTheTranslationsOfUnchangedCode() {
        try (TestVm t = vm(new TranslationSettings(true, 3, 1024))) {
            t.load(TestVm.CODE, Kernels.build(3, 2));
            long translated = 0;
            for (int run = 0; run < 3; run++) {
                Vcpu v = t.start(0, 3, TestVm.CODE);        // setState: the block cache starts empty
                assertThat(t.runToResult(v)).isEqualTo(Kernels.expected(3, 2));
                if (run == 0) {
                    translated = stats(t).translated();
                }
            }
            // The later runs translate nothing: each region (entry and successors unchanged) takes its old class.
            assertThat(stats(t).translated()).as("%s", stats(t)).isEqualTo(translated);
            assertThat(stats(t).reused()).as("%s", stats(t)).isGreaterThanOrEqualTo(2);
            // Changed code at the same addresses is translated afresh.
            t.load(TestVm.CODE, Kernels.build(3, 3));
            Vcpu v = t.start(0, 3, TestVm.CODE);
            assertThat(t.runToResult(v)).isEqualTo(Kernels.expected(3, 3));
        }
    }

    @Test
    void budgetsStopATranslatedLoopAtTheExactInstruction() {
        String loop = "mov ecx, 100000\n l: mov rdx, rax\n shl rdx, 13\n xor rax, rdx\n add rbx, rax\n rol rbx, 5\n"
                + " dec rcx\n jnz l\n mov [0xF0000000], rax";
        for (long budget : new long[] {1, 7, 100, 1001, 65_537}) {
            assertThat(budgeted(new TranslationSettings(true, 1, 1024), loop, budget)).as("budget %d", budget)
                    .isEqualTo(budgeted(TranslationSettings.OFF, loop, budget));
        }
    }

    static List<Long> budgeted(TranslationSettings s, String program, long budget) {
        try (TestVm t = vm(s)) {
            Vcpu v = t.start(0, 3, program);
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                t.budget(0, budget);
                VcpuExit e = v.run();
                seen.add(v.stats().instructions());
                for (long r : v.registers().toArray()) {
                    seen.add(r);
                }
                if (!(e instanceof VcpuExit.Interrupted)) {
                    seen.add((long) e.getClass().getSimpleName().hashCode());
                    break;
                }
            }
            return seen;
        }
    }
}
