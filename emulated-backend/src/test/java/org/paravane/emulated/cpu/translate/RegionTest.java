package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.TestVm;
import org.paravane.support.x86.PageTables;
import org.paravane.testkit.Asm;

/**
 * Regions (a hot block compiled with its successors on the same page into one method) against the interpreter:
 * loops spanning blocks, calls and returns, faults in a later block, budgets that end a run in the middle of a
 * region, a store into a successor of the same region, and the region's page mapped to other code.
 */
class RegionTest {

    /** A loop of four blocks, two of them on alternate passes. */
    static final String LOOP = String.join("\n",
            "mov ecx, 300",
            "xor eax, eax",
            "l: test ecx, 3",
            "jz skip",
            "add eax, ecx",
            "jmp join",
            "skip: sub eax, 7",
            "join: rol eax, 3",
            "dec ecx",
            "jnz l",
            "mov [0xF0000000], rax",
            "hlt");

    /** Calls and returns inside one page; one function returns from two places. */
    static final String CALLS = String.join("\n",
            "mov ecx, 200",
            "xor eax, eax",
            "l: call f",
            "call g",
            "dec ecx",
            "jnz l",
            "mov [0xF0000000], rax",
            "hlt",
            "f: add eax, ecx",
            "cmp eax, 1000",
            "jb f1",
            "shr eax, 1",
            "ret",
            "f1: inc eax",
            "ret",
            "g: imul eax, eax, 3",
            "and eax, 0xFFFFF",
            "ret");

    /** Faults after registers and flags changed in an earlier block of the region. */
    static final String[] FAULTS = {
        // a load from an unmapped page in the second block, on the 44th pass
        String.join("\n", "mov ecx, 50", "mov rbx, 3", "l: add rax, rcx", "cmp ecx, 7", "jne n", "shl rax, 2",
                "mov rdx, [0x12345000]", "n: add rbx, rax", "dec ecx", "jnz l", "mov [0xF0000000], rax"),
        // a RET whose stack moved to an unmapped page in the block before
        String.join("\n", "mov ecx, 40", "l: call f", "dec ecx", "jnz l", "hlt", "f: sub eax, ecx", "cmp ecx, 5",
                "jne r", "mov rsp, 0x12345008", "r: ret"),
        // a RET into an in-region block whose next load faults
        String.join("\n", "mov ecx, 30", "l: call f", "mov rdx, [rbx]", "dec ecx", "jnz l", "hlt",
                "f: lea rbx, [rip + f]", "cmp ecx, 3", "jne r", "mov rbx, 0x12345000", "r: xor eax, ebx", "ret"),
    };

    @Test
    void loopsAndCallsAcrossBlocksEndAsTheInterpreterEndsThem() {
        AgainstInterpreter.assertRunsMatch(new String[] {LOOP, CALLS}, 20, AgainstInterpreter.REGISTERS);
        AgainstInterpreter.assertRunsMatch(FAULTS, 20, AgainstInterpreter.REGISTERS);
    }

    @Test
    void everySingleStepThroughARegionMatches() {
        AgainstInterpreter.assertStepsMatch(new String[] {CALLS}, 4000, AgainstInterpreter.REGISTERS);
        AgainstInterpreter.assertStepsMatch(FAULTS, 4000, AgainstInterpreter.REGISTERS);
    }

    @Test
    void regionsFormAtThresholdZeroAndWhenHot() {
        for (TranslationSettings s : List.of(TranslatorTest.forced(), new TranslationSettings(true, 5, 1024))) {
            try (TestVm t = TranslatorTest.vm(s)) {
                Vcpu v = t.start(0, 3, CALLS);
                t.runToResult(v);
                Translator.Stats stats = TranslatorTest.stats(t);
                assertThat(stats.regions()).as("%s: %s", s, stats).isPositive();
                assertThat(stats.regionBlocks()).as("%s", stats).isGreaterThan(stats.regions());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void budgetsEndARunInTheMiddleOfARegionAtTheExactInstruction(int threshold) {
        for (String program : new String[] {LOOP, CALLS}) {
            for (long budget : new long[] {1, 2, 3, 5, 7, 11, 100, 1001, 65_537}) {
                assertThat(TranslatorTest.budgeted(new TranslationSettings(true, threshold, 1024), program, budget))
                        .as("budget %d", budget)
                        .isEqualTo(TranslatorTest.budgeted(TranslationSettings.OFF, program, budget));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 5})
    void aStoreIntoASuccessorInTheSameRegionIsSeenAtTheNextPass(int threshold) {
        // f is on the loop's page: the region holds both, and f's immediate is rewritten while it runs.
        String program = TranslatorTest.callTargetRewritten(false);
        try (TestVm t = TranslatorTest.vm(TranslatorTest.atThreshold(threshold))) {
            Vcpu v = t.start(0, 3, program);
            assertThat(t.runToResult(v)).isEqualTo(51 + 2 * 49);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 5})
    void aRegionsPageMappedToOtherCodeRunsTheNewCode(int threshold) {
        // f (three blocks at V) adds 1 on each call, twice on odd passes; at ECX = 60 the kernel maps V to a page
        // whose f adds 100 instead.
        long virt = 0x0300_0000L, p1 = 0x00A0_0000L, p2 = 0x00A0_1000L;
        String f = "f: add eax, %d\n test ecx, 1\n jz e\n add eax, %d\n e: ret";
        try (TestVm t = TranslatorTest.vm(TranslatorTest.atThreshold(threshold))) {
            t.platform.pageTables().map(virt, p1, 0x1000, PageTables.RW);
            t.load(p1, Asm.assemble(f.formatted(1, 1), virt));
            t.load(p2, Asm.assemble(f.formatted(100, 100), virt));
            long pte = pte(t, virt);
            Vcpu v = t.start(0, 0, String.join("\n",
                    "xor eax, eax",
                    "mov ecx, 100",
                    "mov rbx, " + virt,
                    "l: call rbx",
                    "cmp ecx, 60",
                    "jne n",
                    "mov qword ptr [" + pte + "], " + (p2 | 3),
                    "invlpg [rbx]",
                    "n: dec ecx",
                    "jnz l",
                    "mov [0xF0000000], rax",
                    "hlt"));
            // passes 100..60 on the old page (20 odd), 59..1 on the new one (30 odd)
            assertThat(t.runToResult(v)).isEqualTo(41 + 20 + 100 * (59 + 30));
        }
    }


    /** The guest-physical address of the page-table entry that maps {@code virt}. */
    private static long pte(TestVm t, long virt) {
        long table = t.platform.pageTables().root();
        for (int level = 4; ; level--) {
            long addr = table + (((virt >>> (12 + 9 * (level - 1))) & 0x1FF) << 3);
            if (level == 1) {
                return addr;
            }
            table = t.read64(addr) & PageTables.ADDRESS;
        }
    }
}
