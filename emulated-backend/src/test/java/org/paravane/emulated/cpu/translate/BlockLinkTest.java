package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.TestVm;

/**
 * The links from a block to its successors (the dispatch loop's direct chaining) never outlive the successor's code:
 * a store that rewrites a linked successor on another page (so that the block holding the link is not decoded again
 * with it), after the link has been followed many times, is seen at the next pass.
 */
class BlockLinkTest {

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 5})
    void aStoreIntoALinkedSuccessorIsSeenAtTheNextCall(int threshold) {
        // The loop's CALL block links to f on another page (the caller's block is not re-decoded with it).
        String program = TranslatorTest.callTargetRewritten(true);
        try (TestVm t = TranslatorTest.vm(TranslatorTest.atThreshold(threshold))) {
            Vcpu v = t.start(0, 3, program);
            assertThat(t.runToResult(v)).isEqualTo(51 + 2 * 49);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 5})
    void aStoreIntoAFallThroughSuccessorIsSeen(int threshold) {
        // The JNZ block's fall-through and taken successors are both linked; the taken one (m) is rewritten from
        // ADD EAX, 1 to ADD EAX, 3 by the fall-through path when ECX reaches 10.
        String program = String.join("\n",
                "xor eax, eax",
                "mov ecx, 40",
                "l: test ecx, 1",
                "jnz m",
                "cmp ecx, 10",
                "jne n",
                "mov byte ptr [rip + m + 2], 3",
                "n: dec ecx",
                "jnz l",
                "mov [0xF0000000], rax",
                "hlt",
                ".balign 4096",
                "m: add eax, 1",
                "dec ecx",
                "jnz l",
                "mov [0xF0000000], rax",
                "hlt");
        try (TestVm t = TranslatorTest.vm(TranslatorTest.atThreshold(threshold))) {
            Vcpu v = t.start(0, 3, program);
            // ECX odd at m: 39, 37, .., 11 before the patch (15 passes of +1), 9, 7, 5, 3, 1 after (+3 each)
            assertThat(t.runToResult(v)).isEqualTo(15 + 3 * 5);
        }
    }
}
