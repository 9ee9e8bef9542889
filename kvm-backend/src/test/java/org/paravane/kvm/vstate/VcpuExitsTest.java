package org.paravane.kvm.vstate;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.kvm.KvmTestSupport.CODE;
import static org.paravane.kvm.KvmTestSupport.MMIO;
import static org.paravane.kvm.KvmTestSupport.USER_STACK;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.cpu.DescriptorTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.PageSource;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.KvmTestSupport;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.support.x86.TrapStubs;
import org.paravane.testkit.Asm;

/** Guest code at CPL0 and CPL3 against every exit the backend maps. */
class VcpuExitsTest {
    private static final long IF = GeneralRegisters.RFLAGS_IF;
    private VirtualMachine vm;

    @AfterEach
    void close() {
        if (vm != null) {
            vm.close();
        }
    }

    private Vcpu start(KvmBackend backend, String name, int cpl, long rflags, Asm code) {
        return start(backend, name, cpl, rflags, code, false);
    }

    private Vcpu start(KvmBackend backend, String name, int cpl, long rflags, Asm code, boolean irqchip) {
        vm = backend.createVm(irqchip ? KvmTestSupport.specWithIrqchip(name) : KvmTestSupport.spec(name, 1, PageSource.ZERO));
        FlatPlatform p = KvmTestSupport.platform(vm.memory(), 1, code.bytes());
        Vcpu v = vm.vcpu(0);
        v.setState(p.state(0, cpl, CODE, cpl == 0 ? FlatPlatform.kernelStackTop(0) : USER_STACK, rflags));
        return v;
    }

    @Test
    void portIoOutAndInAtCpl0() {
        Vcpu v = start(KvmTestSupport.backend(), "pio", 0, 2, new Asm().movAl(0x42).outAl(0x10).inAl(0x11).outAl(0x12).hlt());
        VcpuExit e = v.run();
        assertThat(e).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> {
            assertThat(io.port()).isEqualTo(0x10);
            assertThat(io.in()).isFalse();
            assertThat(io.size()).isEqualTo(1);
            assertThat(io.value()).isEqualTo(0x42);
        });
        VcpuExit in = v.run();
        assertThat(in).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> {
            assertThat(io.port()).isEqualTo(0x11);
            assertThat(io.in()).isTrue();
            io.data().set(JAVA_BYTE, 0, (byte) 0x77);
        });
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.value()).isEqualTo(0x77));
        assertThat(v.stats().exits()).isEqualTo(3);
    }

    @Test
    void mmioStoreAndLoadAtCpl3() {
        Vcpu v = start(KvmTestSupport.backend(), "mmio", 3, 2, new Asm().movEax(0x1234_5678).storeEax(MMIO)
                .loadEax(MMIO + 8).storeEax(MMIO + 16).spin());
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.Mmio.class, m -> {
            assertThat(m.address()).isEqualTo(MMIO);
            assertThat(m.write()).isTrue();
            assertThat(m.size()).isEqualTo(4);
            assertThat(m.data().get(JAVA_INT, 0)).isEqualTo(0x1234_5678);
        });
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.Mmio.class, m -> {
            assertThat(m.address()).isEqualTo(MMIO + 8);
            assertThat(m.write()).isFalse();
            m.data().set(JAVA_INT, 0, 0xCAFE);
        });
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.Mmio.class,
                m -> assertThat(m.data().get(JAVA_INT, 0)).isEqualTo(0xCAFE));
    }

    @Test
    void hltWithInterruptsOffReturnsHaltedWithAndWithoutIrqchip() {
        for (KvmBackend b : new KvmBackend[] {KvmTestSupport.backend(), KvmTestSupport.backend(KvmTestSupport.noIrqchip())}) {
            Vcpu v = start(b, "hlt0", 0, 2, new Asm().cli().hlt().outAl(0x10), true);
            v.setBudget(new RunBudget(0, 200_000_000));
            assertThat(v.run()).as("irqchip=%s", ((org.paravane.kvm.vstate.vm.KvmVm) vm).asyncPfDetail()).isInstanceOf(VcpuExit.Halted.class);
            vm.close();
            vm = null;
        }
    }

    @Test
    void hltWithInterruptsOnSleepsUntilKicked() throws Exception {
        for (KvmBackend b : new KvmBackend[] {KvmTestSupport.backend(), KvmTestSupport.backend(KvmTestSupport.noIrqchip())}) {
            Vcpu v = start(b, "hlt1", 0, 2, new Asm().sti().hlt().outAl(0x10), true);
            AtomicReference<VcpuExit> exit = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> exit.set(v.run()));
            Thread.sleep(100);
            assertThat(t.isAlive()).as("still halted").isTrue();
            v.kick();
            t.join(5000);
            assertThat(exit.get()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK));
            assertThat(v.state().events().halted()).as("a kick is no interrupt: the vCPU stays halted").isTrue();
            vm.close();
            vm = null;
        }
    }

    @Test
    void budgetStopsSpinningGuestsAtCpl3AndCpl0() {
        for (int cpl : new int[] {3, 0}) {
            Vcpu v = start(KvmTestSupport.backend(), "budget" + cpl, cpl, 2, new Asm().spin());
            v.setBudget(new RunBudget(0, 20_000_000));
            long t0 = System.nanoTime();
            assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(20_000_000);
            assertThat(v.registers().rip()).isEqualTo(CODE);
            vm.close();
            vm = null;
        }
    }

    @Test
    void kickBeforeRunReturnsWithoutEnteringAndKickStopsASpinningGuest() throws Exception {
        Vcpu v = start(KvmTestSupport.backend(), "kick", 3, 2, new Asm().spin());
        v.kick();
        assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK));
        AtomicReference<VcpuExit> exit = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> exit.set(v.run()));
        Thread.sleep(50);
        v.kick();
        t.join(5000);
        assertThat(exit.get()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK));
    }

    @Test
    void syscallFromCpl0EntersTheLstarStub() {
        Vcpu v = start(KvmTestSupport.backend(), "syscall0", 0, IF | 2, new Asm().movEax(60).syscall().spin());
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class,
                io -> assertThat(io.port()).isEqualTo(TrapStubs.SYSCALL_PORT));
        VcpuState s = v.state();
        assertThat(KvmTestSupport.vector(s.registers().rip())).isEqualTo(256);
        assertThat(s.cpl()).isZero();
        assertThat(s.registers().rcx()).as("return RIP").isEqualTo(CODE + 7);
        assertThat(s.registers().r11() & IF).as("saved RFLAGS").isEqualTo(IF);
        assertThat(s.registers().rflags() & IF).as("SFMASK cleared IF").isZero();
        assertThat(s.registers().rax()).isEqualTo(60);
    }

    /**
     * SYSCALL from CPL3 enters the LSTAR stub at CPL0 on VMX/SVM. PVM (for a guest that is not a PVM guest) jumps to
     * LSTAR with RCX/R11 set but stays at CPL3, so the stub's first instruction faults: the guest sees #GP with the frame's
     * RIP at the SYSCALL entry and a user CS ({@link TrapStubs#syscallFromUserTrapped}).
     */
    @Test
    void syscallFromCpl3EntersTheLstarStubOrTrapsThereOnPvm() throws Exception {
        KvmBackend b = KvmTestSupport.backend();
        Vcpu v = start(b, "syscall3", 3, IF | 2, new Asm().movEax(60).syscall().spin());
        VcpuExit e = v.run();
        VcpuState s = v.state();
        assertThat(s.registers().rcx()).as("return RIP").isEqualTo(CODE + 7);
        assertThat(s.registers().r11() & IF).as("saved RFLAGS").isEqualTo(IF);
        assertThat(s.cpl()).isZero();
        int vector = KvmTestSupport.vector(s.registers().rip());
        if (b.hostSupport().hypervisor().equals("PVM")) {
            assertThat(vector).isEqualTo(13);
            var frame = vm.memory().slice(s.registers().rsp(), 48);
            long rip = frame.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8);
            long cs = frame.get(java.lang.foreign.ValueLayout.JAVA_LONG, 16);
            assertThat(TrapStubs.syscallFromUserTrapped(FlatPlatform.STUBS, vector, rip, cs)).isTrue();
        } else {
            assertThat(e).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(TrapStubs.SYSCALL_PORT));
            assertThat(vector).isEqualTo(256);
        }
    }

    @Test
    void exceptionsAtCpl3ReachTheirIdtStub() throws Exception {
        Vcpu v = start(KvmTestSupport.backend(), "ud", 3, IF | 2, new Asm().nop().ud2());
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class,
                io -> assertThat(io.port()).isEqualTo(TrapStubs.TRAP_PORT));
        VcpuState s = v.state();
        assertThat(KvmTestSupport.vector(s.registers().rip())).isEqualTo(6);
        // interrupt frame on the TSS RSP0 stack: RIP, CS, RFLAGS, RSP, SS
        var frame = vm.memory().slice(s.registers().rsp(), 40);
        assertThat(frame.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0)).isEqualTo(CODE + 1);
        assertThat(frame.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8) & 3).isEqualTo(3);
        assertThat(frame.get(java.lang.foreign.ValueLayout.JAVA_LONG, 24)).isEqualTo(USER_STACK);
    }

    @Test
    void tripleFaultIsAShutdown() {
        Vcpu v = start(KvmTestSupport.backend(), "triple", 0, 2, new Asm().ud2());
        v.setState(v.state().withDescriptorTables(v.state().gdt(), new DescriptorTable(0, 0)));
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.Shutdown.class,
                s -> assertThat(s.reason()).contains("KVM_EXIT_SHUTDOWN").contains("rip="));
    }

    @Test
    void executingFromAnAddressWithoutMemoryIsAFailureNamingTheExitAndTheState() {
        Vcpu v = start(KvmTestSupport.backend(), "fetch", 0, 2, new Asm().spin());
        v.setRegisters(v.registers().withRip(MMIO));
        VcpuExit e = v.run();
        assertThat(e).isInstanceOfSatisfying(VcpuExit.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo("KVM_EXIT_INTERNAL_ERROR");
            assertThat(f.detail()).contains("EMULATION").contains("rip=" + Long.toHexString(MMIO)).contains("cr3=");
        });
    }

    @Test
    void runOnAVirtualThreadIsRefused() throws Exception {
        Vcpu v = start(KvmTestSupport.backend(), "virtual", 3, 2, new Asm().spin());
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                v.run();
            } catch (Throwable t) {
                error.set(t);
            }
        }).join();
        assertThat(error.get()).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.reason()).isEqualTo(BackendException.Reason.INVALID_REQUEST);
            assertThat(e.getMessage()).contains("platform thread").contains("vCPU 0");
        });
    }

    @Test
    void runAfterCloseFailsWithClosed() {
        Vcpu v = start(KvmTestSupport.backend(), "closed", 3, 2, new Asm().spin());
        vm.close();
        assertThatThrownBy(v::run).isInstanceOfSatisfying(BackendException.class,
                e -> assertThat(e.reason()).isEqualTo(BackendException.Reason.CLOSED));
        vm = null;
    }

    @Test
    void singleStepStopsAfterEachInstruction() {
        KvmBackend b = KvmTestSupport.backend();
        // CPL0 code everywhere; CPL3 code where the host single-steps natively run code (not PVM)
        for (int cpl : b.capabilities().singleStep() ? new int[] {0, 3} : new int[] {0}) {
            Vcpu v = start(b, "step" + cpl, cpl, 2, new Asm().nop().nop().spin());
            v.setSingleStep(true);
            assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.Debug.class, d -> {
                assertThat(d.singleStep()).isTrue();
                assertThat(d.rip()).isEqualTo(CODE + 1);
            });
            assertThat(v.registers().rip()).isEqualTo(CODE + 1);
            assertThat(v.run()).isInstanceOf(VcpuExit.Debug.class);
            assertThat(v.registers().rip()).isEqualTo(CODE + 2);
            v.setSingleStep(false);
            v.setBudget(new RunBudget(0, 10_000_000));
            assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
            vm.close();
            vm = null;
        }
    }

    @Test
    void anOutIsReportedAtTheInstructionAndCompletesOnTheNextRun() {
        // mov al,1 (0); out 0x10 (2); mov al,2 (4); out 0x11 (6); jmp . (8)
        Vcpu v = start(KvmTestSupport.backend(), "out-rip", 0, 2, new Asm().movAl(1).outAl(0x10).movAl(2).outAl(0x11).spin());
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> assertThat(io.port()).isEqualTo(0x10));
        assertThat(v.registers().rip()).as("RIP at the out").isEqualTo(CODE + 2);
        assertThat(v.run()).as("the out is not repeated").isInstanceOfSatisfying(VcpuExit.PortIo.class,
                io -> assertThat(io.port()).isEqualTo(0x11));
        assertThat(v.registers().rip()).isEqualTo(CODE + 6);
        v.setRegisters(v.registers().with(GeneralRegisters.RBX, 5));   // registers written, RIP kept: it still goes on after
        v.setBudget(new RunBudget(0, 20_000_000));
        assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
        assertThat(v.registers().rip()).isEqualTo(CODE + 8);
        assertThat(v.registers().rbx()).isEqualTo(5);
    }

    @Test
    void anInCompletesWithTheCallersDataOrWritesNothingWhenRipMoves() throws Exception {
        // in al,0x20 (0); out 0x21 (2); jmp . (4) ... at +0x40: out 0x22; jmp .
        Asm code = new Asm().inAl(0x20).outAl(0x21).spin();
        for (boolean abandon : new boolean[] {false, true}) {
            Vcpu v = start(KvmTestSupport.backend(), "in-rip", 0, 2, code);
            vm.memory().slice(CODE + 0x40, 4).copyFrom(java.lang.foreign.MemorySegment.ofArray(new Asm().outAl(0x22).spin().bytes()));
            assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> {
                assertThat(io.in()).isTrue();
                io.data().set(JAVA_BYTE, 0, (byte) 0x77);
            });
            assertThat(v.registers().rip()).as("RIP at the in").isEqualTo(CODE);
            if (abandon) {
                v.setRegisters(v.registers().withRip(CODE + 0x40).with(GeneralRegisters.RAX, 0x33));
            }
            VcpuExit next = v.run();
            assertThat(next).isInstanceOfSatisfying(VcpuExit.PortIo.class, io -> {
                assertThat(io.port()).isEqualTo(abandon ? 0x22 : 0x21);
                assertThat(io.value()).as("abandoned: the in wrote nothing").isEqualTo(abandon ? 0x33 : 0x77);
            });
            vm.close();
            vm = null;
        }
    }

    @Test
    void anMmioLoadWritesNothingWhenRipMovesAndAStoreIsCompleteAtItsExit() throws Exception {
        // mov eax,[MMIO] (0); mov [MMIO+8],eax (7); jmp . (14) ... at +0x40: mov [MMIO+16],eax; jmp .
        Vcpu v = start(KvmTestSupport.backend(), "mmio-rip", 3, 2, new Asm().loadEax(MMIO).storeEax(MMIO + 8).spin());
        vm.memory().slice(CODE + 0x40, 9).copyFrom(java.lang.foreign.MemorySegment.ofArray(new Asm().storeEax(MMIO + 16).spin().bytes()));
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.Mmio.class, m -> assertThat(m.write()).isFalse());
        assertThat(v.registers().rip()).as("RIP at the load").isEqualTo(CODE);
        v.setRegisters(v.registers().withRip(CODE + 0x40).with(GeneralRegisters.RAX, 0x33));
        assertThat(v.run()).isInstanceOfSatisfying(VcpuExit.Mmio.class, m -> {
            assertThat(m.address()).isEqualTo(MMIO + 16);
            assertThat(m.data().get(JAVA_INT, 0)).as("the abandoned load wrote nothing").isEqualTo(0x33);
        });
        // KVM emulates MMIO stores whole before it exits: RIP is already after the store
        assertThat(v.registers().rip()).isEqualTo(CODE + 0x40 + 7);
        v.setBudget(new RunBudget(0, 20_000_000));
        assertThat(v.run()).as("the store is not repeated").isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
    }
}
