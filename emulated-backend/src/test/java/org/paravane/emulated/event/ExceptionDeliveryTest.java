package org.paravane.emulated.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.DescriptorTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.testing.TestVm;
import org.paravane.support.x86.Descriptors;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.support.x86.PageTables;

/** Exceptions delivered through the guest's IDT as the hardware does it: frames, error codes, stacks, #DF, shutdown. */
class ExceptionDeliveryTest {
    final TestVm t = new TestVm();
    static final long KSTACK = FlatPlatform.kernelStackTop(0);
    static final long IF = GeneralRegisters.RFLAGS_IF;

    @AfterEach
    void close() {
        t.close();
    }

    private Vcpu user(String source) {
        Vcpu v = t.start(0, 3, source);
        v.setState(v.state().withRegisters(v.state().registers().withRflags(IF | 2)));
        return v;
    }

    @Test
    void faultAtCpl3SwitchesToRsp0AndPushesTheUserFrame() {
        Vcpu v = user("mov ecx, 0\n div ecx\n");
        VcpuExit e = v.run();
        TestVm.Frame f = t.frame(0, e);
        assertThat(f.vector()).isEqualTo(0);
        assertThat(f.errorCode()).isEqualTo(-1);
        assertThat(f.rip()).as("the faulting DIV").isEqualTo(TestVm.CODE + 5);
        assertThat(f.cs()).isEqualTo(Descriptors.USER_CS);
        assertThat(f.ss()).isEqualTo(Descriptors.USER_DS);
        assertThat(f.rsp()).isEqualTo(TestVm.STACK);
        assertThat(f.rflags() & IF).as("the user's IF in the frame").isEqualTo(IF);
        assertThat(f.frameAddress()).as("five qwords below TSS.RSP0").isEqualTo(KSTACK - 40);
        VcpuState s = v.state();
        assertThat(s.cpl()).isZero();
        assertThat(s.registers().rflags() & IF).as("an interrupt gate clears IF").isZero();
        assertThat(s.segments().ss().selector()).as("SS is null on a privilege change").isZero();
        assertThat(s.registers().rcx()).isZero();
    }

    @Test
    void pageFaultsReportCr2AndTheErrorCode() {
        t.platform.pageTables().map(0x0300_0000L, 0x0A0_0000L, 0x1000, PageTables.RW);                 // supervisor
        t.platform.pageTables().map(0x0300_1000L, 0x0A0_1000L, 0x1000, PageTables.US | PageTables.NX); // user, no exec
        record Case(String code, long cr2, long error) {
        }
        for (Case c : new Case[] {
                new Case("mov rax, [0x30000000]", 0x3000_0000L, 0x4),          // not present, user read
                new Case("mov dword ptr [0x3000010], eax", 0x300_0010L, 0x7),  // user write to a supervisor page
                new Case("mov dword ptr [0x3001010], eax", 0x300_1010L, 0x7),  // write to a read-only page
                new Case("mov rax, 0x3001000\n jmp rax", 0x300_1000L, 0x15)}) { // fetch from an NX page
            Vcpu v = user(c.code());
            VcpuExit e = v.run();
            TestVm.Frame f = t.frame(0, e);
            assertThat(f.vector()).as(c.code()).isEqualTo(14);
            assertThat(f.errorCode()).as(c.code()).isEqualTo(c.error());
            assertThat(v.state().control().cr2()).as(c.code()).isEqualTo(c.cr2());
        }
    }

    @Test
    void privilegedInstructionsAtCpl3RaiseGeneralProtection() {
        for (String code : new String[] {"hlt", "cli", "mov rax, cr3", "rdmsr", "out 0x80, al", "lgdt [rax]", "swapgs"}) {
            Vcpu v = user(code);
            TestVm.Frame f = t.frame(0, v.run());
            assertThat(f.vector()).as(code).isEqualTo(13);
            assertThat(f.errorCode()).as(code).isZero();
            assertThat(f.rip()).as(code).isEqualTo(TestVm.CODE);
        }
    }

    @Test
    void softwareInterruptsCheckTheGateDplAndPushTheNextRip() {
        t.gate(0x80, FlatPlatform.STUBS + 0x80 * 16, 0, 0, false);      // DPL 0: user INT 0x80 must fault
        Vcpu v = user("int 0x80");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(13);
        assertThat(f.errorCode()).as("IDT bit and vector, no EXT").isEqualTo(0x80 * 8 + 2);
        v = user("nop\n int3");
        f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(3);
        assertThat(f.rip()).as("after INT3").isEqualTo(TestVm.CODE + 2);
        v = user("ud2");
        f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(6);
        assertThat(f.rip()).isEqualTo(TestVm.CODE);
        v = user("int 0x41");
        f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(0x41);
        assertThat(f.rip()).isEqualTo(TestVm.CODE + 2);
    }

    @Test
    void anInterruptStackTableEntryOverridesTheStack() {
        long ist1 = 0xC000;
        Descriptors.writeTss(t.mem(FlatPlatform.TSS, Descriptors.TSS_SIZE), KSTACK, ist1);
        t.gate(0, FlatPlatform.STUBS, 3, 1, false);
        Vcpu v = user("xor ecx, ecx\n div ecx");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isZero();
        assertThat(f.frameAddress()).isEqualTo(ist1 - 40);
    }

    @Test
    void aTrapGateKeepsInterruptsEnabled() {
        t.gate(3, FlatPlatform.STUBS + 3 * 16, 3, 0, true);
        Vcpu v = user("int3");
        t.frame(0, v.run());
        assertThat(v.state().registers().rflags() & IF).isEqualTo(IF);
    }

    @Test
    void aFaultWhileDeliveringAPageFaultIsADoubleFault() {
        long gate = FlatPlatform.IDT + 14 * 16;
        t.write64(gate, t.read64(gate) & ~(1L << 47));                  // #PF gate not present: #NP
        Vcpu v = user("mov rax, [0x30000000]");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(8);
        assertThat(f.errorCode()).isZero();
        assertThat(f.rip()).isEqualTo(TestVm.CODE);
    }

    @Test
    void aFaultWhileDeliveringADoubleFaultShutsTheVcpuDown() {
        Vcpu v = user("ud2");
        VcpuState s = v.state();
        v.setState(s.withDescriptorTables(s.gdt(), new DescriptorTable(s.idt().base(), 0)));
        VcpuExit e = v.run();
        assertThat(e).isInstanceOf(VcpuExit.Shutdown.class);
        assertThat(((VcpuExit.Shutdown) e).reason()).contains("triple fault");
        assertThat(v.run()).as("it stays shut down").isInstanceOf(VcpuExit.Shutdown.class);
    }

    @Test
    void iretqReturnsFromAHandlerToTheInterruptedCode() {
        long handler = 0x9000;
        t.code(handler, "add qword ptr [rsp], 1\n iretq");                 // skip the 1-byte INT3 ... and one more
        t.gate(3, handler, 3, 0, false);
        Vcpu v = user("mov eax, 7\n int3\n nop\n inc eax\n mov [0xF0000000], rax");
        assertThat(t.runToResult(v)).as("the handler skipped the NOP, INC ran").isEqualTo(8);
        VcpuState s = v.state();
        assertThat(s.cpl()).isEqualTo(3);
        assertThat(s.registers().rsp()).isEqualTo(TestVm.STACK);
        assertThat(s.registers().rflags() & IF).as("IF restored from the frame").isEqualTo(IF);
    }

    @Test
    void theTrapFlagRaisesADebugExceptionAfterTheNextInstruction() {
        Vcpu v = user("pushfq\n or qword ptr [rsp], 0x100\n popfq\n nop\n nop");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(1);
        assertThat(f.rip()).as("after the first NOP").isEqualTo(TestVm.CODE + 1 + 8 + 1 + 1);
        assertThat(f.rflags() & GeneralRegisters.RFLAGS_TF).isNotZero();
        assertThat(v.state().registers().rflags() & GeneralRegisters.RFLAGS_TF).as("cleared for the handler").isZero();
    }

    @Test
    void theTrapFlagTrapsAfterEachIterationOfARepeatedStringInstruction() {
        Vcpu v = user("mov rdi, 0x600000\n mov ecx, 3\n pushfq\n or qword ptr [rsp], 0x100\n popfq\n rep stosb");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).as("POPF sets TF; the trap follows the first REP iteration")
                .isEqualTo(1);
        assertThat(f.rip()).as("RIP still at the REP STOSB").isEqualTo(TestVm.CODE + 7 + 5 + 1 + 8 + 1);
        assertThat(v.state().registers().rcx()).isEqualTo(2);
    }

    @Test
    void nonCanonicalAddressesRaiseGpOrSs() {
        Vcpu v = user("movabs rax, 0x8000000000000000\n jmp rax");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(13);
        assertThat(f.rip()).as("at the JMP").isEqualTo(TestVm.CODE + 10);
        v = user("movabs rsp, 0x8000000000000010\n push rax");
        f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(12);
        assertThat(f.errorCode()).isZero();
        v = user("movabs rbp, 0x8000000000000010\n mov rax, [rbp]");
        assertThat(t.frame(0, v.run()).vector()).as("an RBP-based operand references SS").isEqualTo(12);
        v = user("movabs rbx, 0x8000000000000010\n mov rax, [rbx]");
        assertThat(t.frame(0, v.run()).vector()).isEqualTo(13);
    }

    @Test
    void instructionsBeforeTheFaultInTheSameBlockKeepTheirEffects() {
        Vcpu v = user("mov ebx, 5\n add ebx, 1\n mov rax, [0x30000000]\n mov ebx, 9");
        t.frame(0, v.run());
        assertThat(v.state().registers().rbx()).isEqualTo(6);
        assertThat(v.stats().instructions()).as("two retired; neither the faulting one nor the stub's exiting OUT")
                .isEqualTo(2);
    }
}
