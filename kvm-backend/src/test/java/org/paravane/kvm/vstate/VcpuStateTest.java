package org.paravane.kvm.vstate;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.kvm.KvmTestSupport.CODE;
import static org.paravane.kvm.KvmTestSupport.MMIO;
import static org.paravane.kvm.KvmTestSupport.USER_STACK;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.Msr;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.PageSource;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.KvmTestSupport;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.support.x86.TrapStubs;
import org.paravane.testkit.Asm;

/** The complete vCPU state through sync regs and the MSR/FPU/MP-state ioctls, and moves between VMs. */
class VcpuStateTest {
    private final List<VirtualMachine> vms = new ArrayList<>();

    @AfterEach
    void close() {
        vms.forEach(VirtualMachine::close);
    }

    private VirtualMachine vm(KvmBackend b, String name, byte[] code) {
        return vm(b, name, code, false);
    }

    /** {@code irqchip}: with memory served lazily, so the VM gets the in-kernel irqchip where the host has one. */
    private VirtualMachine vm(KvmBackend b, String name, byte[] code, boolean irqchip) {
        VirtualMachine vm = b.createVm(irqchip ? KvmTestSupport.specWithIrqchip(name) : KvmTestSupport.spec(name, 1, PageSource.ZERO));
        vms.add(vm);
        KvmTestSupport.platform(vm.memory(), 1, code);
        return vm;
    }

    /** The platform's tables again (same addresses), leaving the code alone. */
    private static FlatPlatform platform(VirtualMachine vm) {
        return FlatPlatform.write(vm.memory(), 1, KvmTestSupport.IDENTITY);
    }

    private static VcpuState rich(VcpuState base, KvmBackend b) {
        long[] r = new long[18];
        for (int i = 0; i < 16; i++) {
            r[i] = 0x1111_0000_0000_0000L * (i + 1) + i;
        }
        r[GeneralRegisters.RSP] = USER_STACK - 64;
        r[16] = CODE;
        r[17] = 0x246;
        byte[] fx = new byte[512];
        java.lang.foreign.MemorySegment f = java.lang.foreign.MemorySegment.ofArray(fx);
        f.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0x37F);
        f.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 24, 0x1F80 | 0x6000);      // MXCSR, round toward zero
        f.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 28, 0xFFFF);
        for (int i = 160; i < 160 + 256; i++) {
            fx[i] = (byte) (i * 7);                                                          // XMM0..15
        }
        ModelSpecificRegisters msrs = base.msrs().with(Msr.KERNEL_GS_BASE, 0x7000_1234_5000L).with(Msr.CSTAR, 0x4000)
                .with(Msr.SFMASK, 0x47700);
        if (b.hostSupport().msrIndices().contains(Msr.TSC_AUX.index())) {
            msrs = msrs.with(Msr.TSC_AUX, 3);
        }
        return new VcpuState(GeneralRegisters.fromArray(r),
                base.segments().withFs(base.segments().fs().withBase(0x7fff_0000_1000L))
                        .withGs(base.segments().gs().withBase(0x6000_0000_2000L)),
                base.control().withCr2(0xdead_b000L), base.gdt(), base.idt(), msrs, PendingEvents.NONE, fx);
    }

    @Test
    void stateWrittenReadsBackFieldForField() {
        KvmBackend b = KvmTestSupport.backend();
        VirtualMachine vm = vm(b, "roundtrip", new Asm().spin().bytes());
        Vcpu v = vm.vcpu(0);
        VcpuState want = rich(platform(vm).state(0, 3, CODE, USER_STACK, 0x246), b);
        v.setState(want);
        VcpuState got = v.state();
        assertThat(got.registers()).isEqualTo(want.registers());
        assertThat(got.segments().fs().base()).isEqualTo(0x7fff_0000_1000L);
        assertThat(got.segments().gs().base()).isEqualTo(0x6000_0000_2000L);
        assertThat(got.segments().cs()).isEqualTo(want.segments().cs());
        assertThat(got.control()).isEqualTo(want.control());
        assertThat(got.gdt()).isEqualTo(want.gdt());
        assertThat(got.idt()).isEqualTo(want.idt());
        assertThat(got.fxsave()).isEqualTo(want.fxsave());
        for (Msr m : List.of(Msr.STAR, Msr.LSTAR, Msr.CSTAR, Msr.SFMASK, Msr.KERNEL_GS_BASE, Msr.TSC_AUX, Msr.PAT)) {
            assertThat(got.msrs().get(m)).as("%s", m).isEqualTo(want.msrs().get(m));
        }
        assertThat(got.events()).isEqualTo(PendingEvents.NONE);
        // setState of what state() returned writes nothing back that would move the guest (TSC unchanged by the skip)
        v.setState(got);
        assertThat(v.state().registers()).isEqualTo(got.registers());
    }

    @Test
    void aRunningGuestMovesToAnotherVmAndFinishesThere() {
        KvmBackend b = KvmTestSupport.backend();
        // rcx = 20M; loop: inc rbx; dec rcx; jnz loop; mov [MMIO], rbx
        Asm a = new Asm().movImm64(1, 20_000_000);
        int loop = a.size();
        byte[] code = a.incRbx().decRcx().jnz(loop).storeRbx(MMIO).spin().bytes();
        VirtualMachine first = vm(b, "move-from", code);
        Vcpu v = first.vcpu(0);
        v.setState(platform(first).state(0, 3, CODE, USER_STACK, 0x202));
        v.setBudget(new RunBudget(0, 1_000_000));
        int moves = 0;
        VcpuExit e = v.run();
        VirtualMachine current = first;
        while (e instanceof VcpuExit.Interrupted && moves < 1000) {
            VcpuState s = v.state();
            VirtualMachine next = vm(b, "move-" + moves, code);
            current.close();
            vms.remove(current);
            current = next;
            v = next.vcpu(0);
            v.setState(s);
            v.setBudget(new RunBudget(0, 1_000_000));
            moves++;
            e = v.run();
        }
        assertThat(e).isInstanceOfSatisfying(VcpuExit.Mmio.class, m -> assertThat(m.data().get(JAVA_LONG, 0)).isEqualTo(20_000_000));
        System.out.printf("guest loop moved between %d VMs on the way%n", moves);
    }

    @Test
    void aPendingPageFaultIsDeliveredThroughTheIdtWithItsAddressInCr2() throws Exception {
        VirtualMachine vm = vm(KvmTestSupport.backend(), "inject", new Asm().spin().bytes());
        Vcpu v = vm.vcpu(0);
        VcpuState s = platform(vm).state(0, 3, CODE, USER_STACK, 0x202);
        v.setState(s.withEvents(new PendingEvents(new PendingEvents.PendingException(14, 0x6, 0x4567_8000L), -1, false, false, false)));
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(TrapStubs.TRAP_PORT));
        VcpuState after = v.state();
        assertThat(KvmTestSupport.vector(after.registers().rip())).isEqualTo(14);
        assertThat(after.control().cr2()).isEqualTo(0x4567_8000L);
        var frame = vm.memory().slice(after.registers().rsp(), 16);
        assertThat(frame.get(JAVA_LONG, 0)).as("error code").isEqualTo(0x6);
        assertThat(frame.get(JAVA_LONG, 8)).as("faulting RIP").isEqualTo(CODE);
    }

    /** The guest kernel switches address space (CR2 0 in the new registers) while a #PF is pending: it keeps its address. */
    @Test
    void aPendingPageFaultKeepsItsAddressWhenTheSpecialRegistersAreReplaced() {
        VirtualMachine vm = vm(KvmTestSupport.backend(), "switch", new Asm().spin().bytes());
        Vcpu v = vm.vcpu(0);
        VcpuState s = platform(vm).state(0, 3, CODE, USER_STACK, 0x202);
        v.setState(s.withEvents(new PendingEvents(new PendingEvents.PendingException(14, 0x4, 0x4567_8000L), -1, false, false, false)));
        v.setSpecialRegisters(new SpecialRegisters(s.segments(), s.control().withCr2(0), s.gdt(), s.idt()));
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(TrapStubs.TRAP_PORT));
        assertThat(KvmTestSupport.vector(v.registers().rip())).isEqualTo(14);
        assertThat(v.specialRegisters().control().cr2()).isEqualTo(0x4567_8000L);
    }

    @Test
    void aPendingInterruptWaitsForInterruptsToBeEnabledWithAndWithoutIrqchip() {
        for (KvmBackend b : new KvmBackend[] {KvmTestSupport.backend(KvmTestSupport.noIrqchip()), KvmTestSupport.backend()}) {
            // IF=0 at CPL0: the interrupt must not arrive before the sti
            VirtualMachine vm = vm(b, "irq" + vms.size(), new Asm().movAl(1).outAl(0x10).sti().nop().spin().bytes(), true);
            Vcpu v = vm.vcpu(0);
            VcpuState s = platform(vm).state(0, 0, CODE, FlatPlatform.kernelStackTop(0), 2);
            v.setState(s.withEvents(new PendingEvents(null, 0x30, false, false, false)));
            assertThat(v.run()).as("before sti").isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(0x10));
            v.setBudget(new RunBudget(0, 500_000_000));
            assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(TrapStubs.TRAP_PORT));
            assertThat(KvmTestSupport.vector(v.registers().rip())).isEqualTo(0x30);
        }
    }

    /** Moved in and out again before it ran (back-to-back moves): the pending #PF keeps its address and CR2. */
    @Test
    void aPendingPageFaultWrittenAndReadBeforeAnyRunIsUnchanged() {
        VirtualMachine vm = vm(KvmTestSupport.backend(), "unrun", new Asm().spin().bytes(), true);
        Vcpu v = vm.vcpu(0);
        PendingEvents.PendingException pf = new PendingEvents.PendingException(14, 0x4, 0x1234_5000L);
        VcpuState s = platform(vm).state(0, 3, CODE, USER_STACK, 0x202).withEvents(new PendingEvents(pf, -1, false, false, false));
        v.setState(s);
        VcpuState back = v.state();
        assertThat(back.events().exception()).isEqualTo(pf);
        assertThat(back.control()).isEqualTo(s.control().withCr2(0x1234_5000L));
        assertThat(back.segments()).isEqualTo(s.segments());
    }

    /** An interrupt requested but not yet injected (IF=0) is part of the state, so it survives a move (page-ready). */
    @Test
    void aRequestedInterruptNotYetInjectedIsInTheState() {
        for (KvmBackend b : new KvmBackend[] {KvmTestSupport.backend(KvmTestSupport.noIrqchip()), KvmTestSupport.backend()}) {
            VirtualMachine vm = vm(b, "held" + vms.size(), new Asm().movAl(1).outAl(0x10).sti().nop().spin().bytes(), true);
            Vcpu v = vm.vcpu(0);
            VcpuState s = platform(vm).state(0, 0, CODE, FlatPlatform.kernelStackTop(0), 2);
            v.setState(s.withEvents(new PendingEvents(null, 0xEC, false, false, false)));
            assertThat(v.run()).as("before sti").isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(0x10));
            VcpuState held = v.state();
            assertThat(held.events().interruptVector()).as("held while IF=0").isEqualTo(0xEC);

            VirtualMachine other = vm(b, "took" + vms.size(), new Asm().movAl(1).outAl(0x10).sti().nop().spin().bytes(), true);
            Vcpu w = other.vcpu(0);
            w.setState(held);
            assertThat(w.run()).as("the state was taken at the out: it runs again")
                    .isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(0x10));
            w.setBudget(new RunBudget(0, 500_000_000));
            assertThat(w.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(TrapStubs.TRAP_PORT));
            assertThat(KvmTestSupport.vector(w.registers().rip())).as("delivered after the move").isEqualTo(0xEC);
        }
    }

    /** The guest kernel moved a vCPU in halted, then loads a task (IF=0 here): the task runs, the halt is over. */
    @Test
    void redirectingAVcpuThatArrivedHaltedEndsTheHalt() {
        for (KvmBackend b : new KvmBackend[] {KvmTestSupport.backend(KvmTestSupport.noIrqchip()), KvmTestSupport.backend()}) {
            VirtualMachine vm = vm(b, "redirect" + vms.size(), new Asm().movAl(3).outAl(0x10).bytes(), true);
            Vcpu v = vm.vcpu(0);
            VcpuState s = platform(vm).state(0, 0, CODE, FlatPlatform.kernelStackTop(0), 2);
            v.setState(s.withEvents(new PendingEvents(null, -1, false, false, true)));
            v.setRegisters(s.registers());
            v.setBudget(new RunBudget(0, 200_000_000));
            assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(0x10));
        }
    }

    @Test
    void aHaltedVcpuStaysHaltedAcrossAMove() throws Exception {
        for (KvmBackend b : new KvmBackend[] {KvmTestSupport.backend(KvmTestSupport.noIrqchip()), KvmTestSupport.backend()}) {
            VirtualMachine vm = vm(b, "halt" + vms.size(), new Asm().sti().hlt().movAl(2).outAl(0x10).bytes(), true);
            Vcpu v = vm.vcpu(0);
            v.setState(platform(vm).state(0, 0, CODE, FlatPlatform.kernelStackTop(0), 2));
            v.setBudget(new RunBudget(0, 30_000_000));
            assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
            VcpuState halted = v.state();
            assertThat(halted.events().halted()).isTrue();
            VirtualMachine other = vm(b, "halt-to" + vms.size(), new Asm().sti().hlt().movAl(2).outAl(0x10).bytes(), true);
            Vcpu w = other.vcpu(0);
            w.setState(halted);
            w.setBudget(new RunBudget(0, 30_000_000));
            assertThat(w.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
            // an interrupt ends the halt: the stub of its vector exits
            w.setState(w.state().withEvents(new PendingEvents(null, 0x31, false, false, true)));
            assertThat(w.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(TrapStubs.TRAP_PORT));
            assertThat(KvmTestSupport.vector(w.registers().rip())).isEqualTo(0x31);
        }
    }

    @Test
    void asyncPfMsrsNeedTheIrqchip() {
        VirtualMachine vm = vm(KvmTestSupport.backend(KvmTestSupport.noIrqchip()), "noapf", new Asm().spin().bytes());
        Vcpu v = vm.vcpu(0);
        VcpuState s = platform(vm).state(0, 3, CODE, USER_STACK, 0x202);
        assertThatThrownBy(() -> v.setState(s.withMsrs(s.msrs().with(Msr.KVM_ASYNC_PF_EN, 0x6009))))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("irqchip");
                });
        assertThatThrownBy(() -> v.writeMsr(0x4b564d02, 0x6009)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("#GP").hasMessageContaining("irqchip");
        assertThatThrownBy(() -> v.readMsr(0x12345)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x12345");
    }

    @Test
    void msrsReadAndWriteLikeRdmsrAndWrmsr() {
        VirtualMachine vm = vm(KvmTestSupport.backend(), "msr", new Asm().spin().bytes());
        Vcpu v = vm.vcpu(0);
        v.setState(platform(vm).state(0, 3, CODE, USER_STACK, 0x202));
        v.writeMsr(Msr.KERNEL_GS_BASE.index(), 0x1234_5000L);
        assertThat(v.readMsr(Msr.KERNEL_GS_BASE.index())).isEqualTo(0x1234_5000L);
        assertThat(v.state().msrs().get(Msr.KERNEL_GS_BASE)).isEqualTo(0x1234_5000L);
        v.writeMsr(0x4b564d06, 0xEC);
        assertThat(v.readMsr(0x4b564d06)).isEqualTo(0xEC);
        assertThat(v.state().msrs().get(Msr.KVM_ASYNC_PF_INT)).isEqualTo(0xEC);
    }

    @Test
    void aVmWithoutLazyMemoryKeepsTheAsyncPfMsrsWithoutAnIrqchip() {
        KvmBackend b = KvmTestSupport.backend();
        org.junit.jupiter.api.Assumptions.assumeTrue(b.hostSupport().kernelAsyncPf(), "no async page faults here");
        VirtualMachine vm = vm(b, "kept", new Asm().spin().bytes());
        assertThat(((org.paravane.kvm.vstate.vm.KvmVm) vm).asyncPfDetail()).contains("never armed");
        Vcpu v = vm.vcpu(0);
        v.setState(platform(vm).state(0, 3, CODE, USER_STACK, 0x202));
        v.writeMsr(0x4b564d06, 0xEC);
        v.writeMsr(0x4b564d02, 0x7000 | 9);
        v.writeMsr(0x4b564d07, 1);
        assertThat(v.readMsr(0x4b564d02)).isEqualTo(0x7009);
        assertThatThrownBy(() -> v.writeMsr(0x4b564d02, 0x7000 | 0x10 | 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        VcpuState s = v.state();
        assertThat(s.msrs().get(Msr.KVM_ASYNC_PF_EN)).isEqualTo(0x7009);
        assertThat(s.msrs().get(Msr.KVM_ASYNC_PF_INT)).isEqualTo(0xEC);
        // to a VM that serves memory lazily: the kernel mechanism takes over with the same values
        VirtualMachine armed = vm(b, "armed", new Asm().spin().bytes(), true);
        armed.vcpu(0).setState(s);
        assertThat(armed.vcpu(0).readMsr(0x4b564d02)).isEqualTo(0x7009);
        v.setBudget(new RunBudget(0, 5_000_000));
        assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
    }

    /**
     * Two tasks with their own address spaces (the same virtual page backed by different physical pages) at CPL3, and a
     * CPL0 trap handler: switched by setSpecialRegisters (sync regs, no system call) and by setState, each reads its own page.
     */
    @Test
    void tasksWithTheirOwnAddressSpacesSwitchThroughTheContext() throws Exception {
        VirtualMachine vm = vm(KvmTestSupport.backend(), "spaces", new Asm().loadRax(0x4000_0000L).storeRax(MMIO).spin().bytes());
        FlatPlatform p = platform(vm);
        // task B's address space: a copy of the identity map plus 0x40000000 -> 0x210000 (task A's maps it to 0x200000)
        long[] next = {0x380000};
        org.paravane.support.x86.PageTables b = new org.paravane.support.x86.PageTables(vm.memory(), () -> {
            long page = next[0];
            next[0] += 4096;
            try {
                vm.memory().slice(page, 4096).fill((byte) 0);
            } catch (org.paravane.api.memory.PageSourceException e) {
                throw new IllegalStateException(e);
            }
            return page;
        });
        b.map(0, 0, KvmTestSupport.IDENTITY, org.paravane.support.x86.PageTables.RW | org.paravane.support.x86.PageTables.US);
        b.map(0x4000_0000L, 0x210000, 4096, org.paravane.support.x86.PageTables.RW | org.paravane.support.x86.PageTables.US);
        p.pageTables().map(0x4000_0000L, 0x200000, 4096, org.paravane.support.x86.PageTables.RW | org.paravane.support.x86.PageTables.US);
        vm.memory().slice(0x200000, 8).set(JAVA_LONG, 0, 0xAAAA);
        vm.memory().slice(0x210000, 8).set(JAVA_LONG, 0, 0xBBBB);

        Vcpu v = vm.vcpu(0);
        VcpuState a = p.state(0, 3, CODE, USER_STACK, 0x202);
        v.setState(a);
        org.paravane.api.cpu.GeneralRegisters regsA = v.registers();
        org.paravane.api.cpu.SpecialRegisters taskA = v.specialRegisters();
        org.paravane.api.cpu.SpecialRegisters taskB = new org.paravane.api.cpu.SpecialRegisters(taskA.segments(),
                taskA.control().withCr3(b.root()), taskA.gdt(), taskA.idt());
        org.paravane.api.cpu.SpecialRegisters kernel = new org.paravane.api.cpu.SpecialRegisters(
                p.state(0, 0, CODE, FlatPlatform.kernelStackTop(0), 2).segments(), taskA.control(), taskA.gdt(), taskA.idt());
        vm.memory().slice(CODE + 0x800, 4).copyFrom(java.lang.foreign.MemorySegment.ofArray(new Asm().outAl(0x10).spin().bytes()));
        long[] seen = new long[6];
        for (int i = 0; i < 6; i++) {
            v.setSpecialRegisters(i % 2 == 0 ? taskA : taskB);
            v.setRegisters(regsA);
            VcpuExit e = v.run();
            assertThat(e).isInstanceOf(VcpuExit.Mmio.class);
            seen[i] = ((VcpuExit.Mmio) e).data().get(JAVA_LONG, 0);
            assertThat(v.specialRegisters().control().cr3()).isEqualTo(i % 2 == 0 ? taskA.control().cr3() : b.root());
            v.setSpecialRegisters(kernel);   // a trip through CPL0 in between
            v.setRegisters(regsA.withRip(CODE + 0x800));
            assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(0x10));
            assertThat(v.specialRegisters().cpl()).isZero();
        }
        assertThat(seen).containsExactly(0xAAAA, 0xBBBB, 0xAAAA, 0xBBBB, 0xAAAA, 0xBBBB);
        v.setState(v.state().withRegisters(regsA).withSegments(taskB.segments()).withControl(taskB.control()));
        assertThat(((VcpuExit.Mmio) v.run()).data().get(JAVA_LONG, 0)).isEqualTo(0xBBBB);
    }
}
