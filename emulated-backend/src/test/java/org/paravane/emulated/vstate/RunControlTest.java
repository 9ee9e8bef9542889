package org.paravane.emulated.vstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.testing.TestVm;
import org.paravane.support.x86.FlatPlatform;

/** HLT, kicks, instruction and time budgets, single-stepping, interrupt delivery and the interrupt shadow. */
class RunControlTest {
    final TestVm t = new TestVm();

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void hltWithInterruptsDisabledExits() {
        Vcpu v = t.start(0, 0, "nop\n hlt\n nop");
        VcpuExit e = v.run();
        assertThat(e).isEqualTo(new VcpuExit.Halted(TestVm.CODE + 2));
        assertThat(v.state().events().halted()).isTrue();
    }

    @Test
    void hltWithInterruptsEnabledSleepsUntilKicked() throws Exception {
        Vcpu v = t.start(0, 0, "sti\n hlt\n jmp $");
        CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(v::run);
        Thread.sleep(200);
        assertThat(run).isNotDone();
        v.kick();
        assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK));
        assertThat(v.state().events().halted()).as("still halted").isTrue();
        assertThat(v.stats().haltedNanos()).isGreaterThan(100_000_000L);
    }

    @Test
    void aPendingInterruptWakesTheHaltAndIsDeliveredAfterTheStiShadow() {
        Vcpu v = t.start(0, 0, "sti\n hlt\n jmp $");
        VcpuState s = v.state();
        // Requested before STI: the instruction after STI still runs with interrupts blocked, then HLT wakes at once.
        v.setState(s.withEvents(new PendingEvents(null, 0x40, false, false, false)));
        VcpuExit e = v.run();
        assertThat(TestVm.trapVector(e, v)).isEqualTo(0x40);
        TestVm.Frame f = t.frame(0, e);
        assertThat(f.rip()).as("the HLT completed before the interrupt").isEqualTo(TestVm.CODE + 2);
    }

    @Test
    void theInterruptShadowCoversExactlyOneInstruction() {
        Vcpu v = t.start(0, 0, "sti\n mov eax, 1\n mov ebx, 2\n jmp $");
        v.setState(v.state().withEvents(new PendingEvents(null, 0x30, false, false, false)));
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(0x30);
        assertThat(f.rip()).as("delivered after the instruction following STI").isEqualTo(TestVm.CODE + 1 + 5);
    }

    @Test
    void theInstructionBudgetIsExact() {
        Vcpu v = t.start(0, 3, "l: inc rax\n jmp l");
        v.setBudget(new RunBudget(1001, 0));
        long before = v.stats().instructions();
        assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
        assertThat(v.stats().instructions() - before).isEqualTo(1001);
        assertThat(v.registers().rax()).isEqualTo(501);
        assertThat(v.registers().rip()).isEqualTo(TestVm.CODE + 3);
        v.run();
        assertThat(v.registers().rax()).isEqualTo(1001);
    }

    @Test
    void theTimeBudgetStopsALoop() {
        Vcpu v = t.start(0, 3, "l: inc rax\n jmp l");
        v.setBudget(new RunBudget(0, 20_000_000L));
        long t0 = System.nanoTime();
        assertThat(v.run()).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(20_000_000L);
    }

    @Test
    void aKickFromAnotherThreadStopsAnEndlessLoop() throws Exception {
        Vcpu v = t.start(0, 3, "l: inc rax\n jmp l");
        CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(v::run);
        Thread.sleep(100);
        v.kick();
        assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK));
        long count = v.registers().rax();
        assertThat(count).isPositive();
        v.kick();
        assertThat(v.run()).as("a kick before run() returns at once").isEqualTo(new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK));
        assertThat(v.registers().rax()).isEqualTo(count);
    }

    @Test
    void singleStepRunsOneInstructionAtATime() {
        Vcpu v = t.start(0, 3, "mov eax, 1\n mov ebx, 2\n add eax, ebx\n mov ecx, 3\n rep stosb");
        VcpuState s = v.state();
        v.setState(s.withRegisters(s.registers().with(GeneralRegisters.RDI, 0x60_0000)));
        v.setSingleStep(true);
        long[] rips = new long[5];
        for (int i = 0; i < 5; i++) {
            VcpuExit e = v.run();
            assertThat(e).isInstanceOf(VcpuExit.Debug.class);
            rips[i] = ((VcpuExit.Debug) e).rip();
        }
        assertThat(rips).containsExactly(TestVm.CODE + 5, TestVm.CODE + 10, TestVm.CODE + 12, TestVm.CODE + 17,
                TestVm.CODE + 17);
        assertThat(v.registers().rcx()).as("one REP iteration per step").isEqualTo(2);
    }

    @Test
    void runIsOneThreadAtATimeAndStateNeedsAStoppedVcpu() throws Exception {
        Vcpu v = t.start(0, 3, "l: jmp l");
        CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(v::run);
        Thread.sleep(100);
        assertThatThrownBy(v::run).isInstanceOf(BackendException.class).hasMessageContaining("already running");
        assertThatThrownBy(v::state).isInstanceOf(BackendException.class).hasMessageContaining("kick it");
        v.kick();
        run.get(5, TimeUnit.SECONDS);
        assertThat(v.state()).isNotNull();
    }

    @Test
    void closingTheVmStopsRunningVcpusAndLaterCallsFailClearly() throws Exception {
        TestVm other = new TestVm();
        Vcpu v = other.start(0, 0, "sti\n hlt\n jmp $");
        CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(v::run);
        Thread.sleep(100);
        other.close();
        assertThat(run.get(5, TimeUnit.SECONDS)).isInstanceOf(VcpuExit.Interrupted.class);
        assertThatThrownBy(v::run).isInstanceOf(BackendException.class)
                .satisfies(e -> assertThat(((BackendException) e).reason()).isEqualTo(BackendException.Reason.CLOSED));
    }

    @Test
    void unsupportedModesAreAClearFailureNotAnException() {
        Vcpu v = t.start(0, 0, "nop");
        VcpuState s = v.state();
        v.setState(s.withSegments(s.segments().withCodeAndStack(org.paravane.api.cpu.Segment.code64(8, 0)
                .withBase(0), s.segments().ss())));
        VcpuState compat = s.withSegments(s.segments().withCodeAndStack(new org.paravane.api.cpu.Segment(8, 0, -1, 0xB,
                true, 0, true, false, false, true, true, false), s.segments().ss()));
        v.setState(compat);
        VcpuExit e = v.run();
        assertThat(e).isInstanceOf(VcpuExit.Failed.class);
        assertThat(((VcpuExit.Failed) e).detail()).contains("64-bit long mode");
        assertThat(FlatPlatform.END).isPositive();
    }
}
