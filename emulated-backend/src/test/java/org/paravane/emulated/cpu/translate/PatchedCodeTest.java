package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Code rewritten while its translations run, in the shapes a region meets: a later block of the same region patched
 * each pass (after a Jcc), a function patched by its caller, the storing block itself, a jump displacement (the
 * transfer goes elsewhere), the loop head, a return target; whole runs, every single step and budget slices, against
 * the interpreter.
 */
class PatchedCodeTest {
    private static final String[] PROGRAMS = {
        // a later block of the same region patched each pass (after a Jcc)
        "xor eax, eax\n mov ecx, 20\n l: mov byte ptr [rip + p + 1], cl\n test ecx, 1\n jz s\n add eax, 3\n s:\n p: mov ebx, 0\n"
                + " add eax, ebx\n dec ecx\n jnz l\n mov [0xF0000000], rax",
        // a function patched by its caller before each call
        "xor eax, eax\n mov ecx, 17\n l: mov byte ptr [rip + f + 1], cl\n call f\n add eax, ebx\n dec ecx\n jnz l\n"
                + " mov [0xF0000000], rax\n hlt\n f: mov ebx, 0\n shl ebx, 1\n ret",
        // the block itself patched ahead: the patched instruction is in the same block as the store
        "xor eax, eax\n mov ecx, 9\n l: mov byte ptr [rip + p + 2], cl\n nop\n p: add eax, 0\n dec ecx\n jnz l\n mov [0xF0000000], rax",
        // the jump target patched: a Jcc's displacement rewritten so the region's transfer goes elsewhere
        "xor eax, eax\n mov ecx, 12\n l: test ecx, 1\n jz even\n mov byte ptr [rip + j + 1], 2\n jmp j\n even: mov byte ptr [rip + j + 1], 0\n"
                + " j: jmp short tz0\n tz0: add eax, 1\n tz1: add eax, 100\n dec ecx\n jnz l\n mov [0xF0000000], rax",
        // a store into the code of the previous block in a loop (the loop head)
        "xor eax, eax\n mov ecx, 15\n h: mov edx, 1\n add eax, edx\n test ecx, 3\n jnz n\n mov byte ptr [rip + h + 1], cl\n n: dec ecx\n jnz h\n"
                + " mov [0xF0000000], rax",
        // a RET whose target code is patched between calls
        "xor eax, eax\n mov ecx, 10\n l: call g\n r: add eax, 0\n mov byte ptr [rip + r + 2], cl\n dec ecx\n jnz l\n mov [0xF0000000], rax\n hlt\n"
                + " g: inc eax\n ret",
    };

    @Test
    void patchedCodeRunsAsInterpreted() {
        AgainstInterpreter.assertRunsMatch(PROGRAMS, 3000, AgainstInterpreter.REGISTERS);
        AgainstInterpreter.assertStepsMatch(PROGRAMS, 3000, AgainstInterpreter.REGISTERS);
        for (String p : PROGRAMS) {
            for (long budget : new long[] {1, 2, 3, 5, 7, 11, 13, 50}) {
                for (TranslationSettings s : List.of(new TranslationSettings(true, 1, 1024),
                        new TranslationSettings(true, 2, 1024), TranslatorTest.forced())) {
                    assertThat(TranslatorTest.budgeted(s, p, budget)).as("%s budget %d %s", p, budget, s)
                            .isEqualTo(TranslatorTest.budgeted(TranslationSettings.OFF, p, budget));
                }
            }
        }
    }
}
