package org.paravane.emulated.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.emulated.testing.TestVm;
import org.paravane.support.x86.PageTables;
import org.paravane.testkit.Asm;

/** Decoded code follows guest stores (even within a block), host writes between runs, and page boundaries. */
class SelfModifyingCodeTest {
    final TestVm t = new TestVm();

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void aStoreIntoTheNextInstructionOfTheSameBlockIsSeen() {
        Vcpu v = t.start(0, 3, "mov byte ptr [rip + patch + 1], 42\n nop\n patch: mov eax, 7\n"
                + "mov [0xF0000000], rax");
        assertThat(t.runToResult(v)).isEqualTo(42);
    }

    @Test
    void aLoopThatRewritesItselfRunsTheNewCodeEachTime() {
        // Each round patches the immediate of the ADD it is about to run.
        Vcpu v = t.start(0, 3, String.join("\n",
                "xor eax, eax",
                "mov ecx, 5",
                "l: mov byte ptr [rip + add_ + 2], cl",
                "nop",
                "add_: add eax, 0",
                "dec ecx",
                "jnz l",
                "mov [0xF0000000], rax"));
        assertThat(t.runToResult(v)).isEqualTo(5 + 4 + 3 + 2 + 1);
    }

    @Test
    void codeTheHostRewritesBetweenRunsIsDecodedAfresh() {
        Vcpu v = t.start(0, 3, "mov eax, 1\n mov [0xF0000000], rax");
        assertThat(t.runToResult(v)).isEqualTo(1);
        t.load(TestVm.CODE, Asm.assemble("mov eax, 2\n mov [0xF0000000], rax", TestVm.CODE));
        v = t.start(0, 3, TestVm.CODE);
        assertThat(t.runToResult(v)).isEqualTo(2);
    }

    @Test
    void dataStoresBesideCodeOnTheSamePageLeaveItAlone() {
        Vcpu v = t.start(0, 3, String.join("\n",
                "mov ecx, 1000",
                "l: inc qword ptr [rip + counter]",
                "dec ecx",
                "jnz l",
                "mov rax, [rip + counter]",
                "mov [0xF0000000], rax",
                "counter: .quad 0"));
        assertThat(t.runToResult(v)).isEqualTo(1000);
    }

    @Test
    void anInstructionAcrossAPageBoundaryRunsAndFaultsOnItsSecondPage() {
        long at = TestVm.CODE + 0x1000 - 3;                       // a 10-byte MOVABS straddles into the next page
        byte[] code = Asm.assemble("movabs rax, 0x1122334455667788\n mov [0xF0000000], rax", at);
        t.load(at, code);
        Vcpu v = t.start(0, 3, at);
        assertThat(t.runToResult(v)).isEqualTo(0x1122334455667788L);
        // Unmap the second page: the fetch of the instruction's tail faults with CR2 = the page start.
        long pte = leaf(TestVm.CODE + 0x1000);
        t.platform.pageTables().map(0x5000_0000L, TestVm.CODE, 0x1000, PageTables.RW | PageTables.US);
        byte[] again = Asm.assemble("movabs rax, 0x1122334455667788", 0x5000_0000L + 0x1000 - 3);
        t.load(TestVm.CODE + 0x1000 - 3, again);
        v = t.start(0, 3, 0x5000_0000L + 0x1000 - 3);
        VcpuExit e = v.run();
        TestVm.Frame f = t.frame(0, e);
        assertThat(f.vector()).isEqualTo(14);
        assertThat(f.rip()).isEqualTo(0x5000_0000L + 0x1000 - 3);
        assertThat(v.state().control().cr2()).isEqualTo(0x5000_1000L);
        assertThat(f.errorCode()).isEqualTo(4 | 16);
        assertThat(pte).isNotZero();
    }

    private long leaf(long virt) {
        return t.platform.pageTables().leaf(virt);
    }
}
