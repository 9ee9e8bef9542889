package org.paravane.emulated.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.Msr;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.testing.TestVm;
import org.paravane.support.x86.Descriptors;

/** SYSCALL/SYSRET (the guest ABI's hypercall path), SWAPGS, far returns and segment loads. */
class SystemCallTest {
    final TestVm t = new TestVm();

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void syscallEntersLstarAtCpl0AndSysretReturnsToTheCaller() {
        long entry = 0x9000;
        // The kernel side: remember what SYSCALL handed over, count the call, return.
        t.code(entry, String.join("\n",
                "mov r12, rcx",
                "mov r13, r11",
                "mov r14, cs",
                "mov r15, ss",
                "pushfq",
                "pop rbx",
                "inc rax",
                "sysretq"));
        Vcpu v = t.start(0, 3, "mov eax, 41\n syscall\n mov [0xF0000000], rax");
        VcpuState s = v.state();
        v.setState(s.withMsrs(s.msrs().with(Msr.LSTAR, entry).with(Msr.SFMASK, GeneralRegisters.RFLAGS_IF | 0x4D5))
                .withRegisters(s.registers().withRflags(GeneralRegisters.RFLAGS_IF | 0x8D5 | 2)));
        assertThat(t.runToResult(v)).isEqualTo(42);
        GeneralRegisters r = v.registers();
        assertThat(r.r12()).as("RCX = the return address").isEqualTo(TestVm.CODE + 7);
        assertThat(r.r13() & 0xFFF).as("R11 = RFLAGS at the SYSCALL").isEqualTo(0x200 | 0x8D5 | 2);
        assertThat(r.r14()).as("kernel CS from STAR").isEqualTo(Descriptors.KERNEL_CS);
        assertThat(r.r15()).isEqualTo(Descriptors.KERNEL_DS);
        assertThat(r.rbx() & (0x4D5 | 0x200)).as("SFMASK cleared IF and the flags it names").isZero();
        assertThat(r.rbx() & 0x800).as("OF is not in SFMASK").isNotZero();
        VcpuState after = v.state();
        assertThat(after.cpl()).isEqualTo(3);
        assertThat(after.segments().cs().selector()).isEqualTo(Descriptors.USER_CS);
        assertThat(after.segments().ss().selector()).isEqualTo(Descriptors.USER_DS);
        assertThat(after.registers().rflags() & 0xFFF).as("restored from R11").isEqualTo(0x200 | 0x8D5 | 2);
    }

    @Test
    void sysretToANonCanonicalAddressFaultsInTheKernel() {
        Vcpu v = t.start(0, 0, "movabs rcx, 0x8000000000000000\n sysretq");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(13);
        assertThat(f.cs()).isEqualTo(Descriptors.KERNEL_CS);
    }

    @Test
    void syscallWithoutEferSceIsUndefined() {
        Vcpu v = t.start(0, 3, "syscall");
        VcpuState s = v.state();
        v.setState(s.withControl(new org.paravane.api.cpu.ControlRegisters(s.control().cr0(), 0, s.control().cr3(),
                s.control().cr4(), 0, s.control().efer() & ~1L, s.control().apicBase())));
        assertThat(t.frame(0, v.run()).vector()).isEqualTo(6);
    }

    @Test
    void swapgsExchangesTheGsBases() {
        Vcpu v = t.start(0, 0, "swapgs\n mov rax, gs:[0x10]\n swapgs\n mov rbx, gs:[0x10]\n hlt");
        VcpuState s = v.state();
        t.write64(0x9010, 0xAAAA);
        t.write64(0xA010, 0xBBBB);
        v.setState(s.withSegments(s.segments().withGs(s.segments().gs().withBase(0x9000)))
                .withMsrs(s.msrs().with(Msr.KERNEL_GS_BASE, 0xA000)));
        assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
        assertThat(v.registers().rax()).isEqualTo(0xBBBB);
        assertThat(v.registers().rbx()).isEqualTo(0xAAAA);
        assertThat(v.readMsr(0xC0000102)).isEqualTo(0xA000);
    }

    @Test
    void farReturnAndIretLoadCodeSegmentsFromTheGdt() {
        // CPL 0 -> CPL 3 through IRETQ with a hand-built frame, then back into the kernel by INT 0x41.
        Vcpu v = t.start(0, 0, String.join("\n",
                "push 0x1b",
                "push 0x700000",
                "push 0x202",
                "push 0x23",
                "lea rax, [rip + user]",
                "push rax",
                "iretq",
                "user: mov rbx, cs",
                "mov rcx, ss",
                "int 0x41"));
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(0x41);
        assertThat(f.cs()).isEqualTo(0x23);
        assertThat(f.rsp()).isEqualTo(0x700000);
        assertThat(v.registers().rbx()).isEqualTo(0x23);
        assertThat(v.registers().rcx()).isEqualTo(0x1b);
        VcpuState s = v.state();
        assertThat(s.segments().ds().selector()).as("DS (a DPL 0 data segment) nulled on the way out")
                .isIn(0, Descriptors.USER_DS);
    }

    @Test
    void aFarReturnReloadsCsAtTheSamePrivilege() {
        Vcpu v = t.start(0, 0, "lea rax, [rip + next]\n push 0x08\n push rax\n retfq\n next: mov rbx, cs\n hlt");
        assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
        assertThat(v.registers().rbx()).isEqualTo(0x08);
        assertThat(v.registers().rsp()).isEqualTo(TestVm.STACK);
    }

    @Test
    void descriptorTableRegistersLoadStoreAndLtrMarksTheTssBusy() {
        long gdt = org.paravane.support.x86.FlatPlatform.GDT;
        // Make the TSS available again, load it, read back GDTR/IDTR/TR.
        long tssDesc = gdt + Descriptors.TSS;
        t.write64(tssDesc, t.read64(tssDesc) & ~(0xFL << 40) | (0x9L << 40));
        Vcpu v = t.start(0, 0, String.join("\n",
                "sgdt [0x600000]",
                "sidt [0x600010]",
                "lgdt [0x600000]",
                "mov ax, 0x28",
                "ltr ax",
                "str rbx",
                "sldt rcx",
                "smsw rdx",
                "hlt"));
        assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
        assertThat(t.read64(0x60_0002)).as("GDTR base").isEqualTo(gdt);
        assertThat(t.read64(0x60_0000) & 0xFFFF).as("GDTR limit").isEqualTo(Descriptors.GDT_SIZE - 1);
        assertThat(t.read64(0x60_0012)).as("IDTR base").isEqualTo(org.paravane.support.x86.FlatPlatform.IDT);
        assertThat(v.registers().rbx()).isEqualTo(0x28);
        assertThat(v.registers().rcx()).isZero();
        assertThat(v.registers().rdx() & 0xFFFF).isEqualTo(v.state().control().cr0() & 0xFFFF);
        assertThat((t.read64(tssDesc) >>> 40) & 0xF).as("busy TSS").isEqualTo(0xB);
        Vcpu again = t.start(0, 0, "mov ax, 0x28\n ltr ax");
        assertThat(t.frame(0, again.run()).vector()).as("loading a busy TSS").isEqualTo(13);
    }

    @Test
    void movToASegmentRegisterChecksTheDescriptor() {
        Vcpu v = t.start(0, 0, "mov ax, 0x10\n mov ds, ax\n mov ax, 0x28\n mov es, ax");
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).as("a TSS selector is no data segment").isEqualTo(13);
        assertThat(f.errorCode()).isEqualTo(0x28);
        assertThat(v.state().segments().ds().selector()).isEqualTo(0x10);
    }
}
