package org.paravane.emulated.vstate;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.testing.TestVm;

/**
 * Host-absent guest pages: synchronous fetches without an engine, precise restarts, MemoryError, and the
 * host-side async page fault engine (inject, wait, page-ready wake-up of a halted vCPU, engine coming and going).
 */
class HostAbsentPageTest {
    static final long LAZY = 0x20_0000;

    /** Fills each page with its own address in every qword; counts reads; fails on the page {@code failAt}. */
    static final class Source implements PageSource {
        final AtomicInteger reads = new AtomicInteger();
        volatile long failAt = -1;

        @Override
        public void read(long gpa, MemorySegment destination) throws PageSourceException {
            if (gpa == failAt) {
                throw new PageSourceException(gpa, "the store is gone");
            }
            reads.incrementAndGet();
            for (long off = 0; off < destination.byteSize(); off += 8) {
                destination.set(JAVA_LONG_UNALIGNED, off, gpa + off);
            }
        }
    }

    private static TestVm vm(EmulatedBackend backend, Source source) {
        return new TestVm(backend, 1, 16 << 20, source, true);
    }

    @Test
    void withoutAnEngineTheVcpuFetchesPagesItself() {
        Source source = new Source();
        try (TestVm t = vm(new EmulatedBackend(), source)) {
            Vcpu v = t.start(0, 3, "mov rax, [0x300008]\n add rax, [0x305010]\n mov [0xF0000000], rax");
            int before = source.reads.get();
            assertThat(t.runToResult(v)).isEqualTo(0x30_0008L + 0x30_5010L);
            assertThat(source.reads.get() - before).as("the two data pages").isEqualTo(2);
            assertThat(t.vm.memory().stats().faults()).isEqualTo(2);
        }
    }

    @Test
    void aFailingSourceIsAMemoryErrorExit() {
        Source source = new Source();
        source.failAt = 0x30_0000;
        try (TestVm t = vm(new EmulatedBackend(), source)) {
            Vcpu v = t.start(0, 3, "mov rax, [0x300008]");
            VcpuExit e = v.run();
            assertThat(e).isInstanceOf(VcpuExit.MemoryError.class);
            assertThat(((VcpuExit.MemoryError) e).guestAddress()).isEqualTo(0x30_0000);
            assertThat(((VcpuExit.MemoryError) e).cause()).contains("the store is gone");
            assertThat(v.registers().rip()).as("the instruction did not complete").isEqualTo(TestVm.CODE);
        }
    }

    @Test
    void aFaultingStoreStopsTheInstructionBeforeAnySideEffect() {
        Source source = new Source();
        EmulatedBackend backend = new EmulatedBackend();
        GeneralRegisters[] atFault = new GeneralRegisters[1];
        Vcpu[] vcpu = new Vcpu[1];
        FakeAsyncPfEngine engine = new FakeAsyncPfEngine(h -> {
            atFault[0] = vcpu[0].registers();           // on the vCPU thread, inside the fault
            try {
                h.port.memory().ensurePresent(h.last.guestAddress(), 1);
            } catch (PageSourceException e) {
                throw new IllegalStateException(e);
            }
            return new HostFaultResult.Waited(1, WaitMode.SCHEDULE, WaitOutcome.WOKEN);
        });
        backend.bindAsyncPfHost(engine);
        try (TestVm t = vm(backend, source)) {
            // MOVSQ reads a present qword and writes it to an absent page: nothing may happen before the fault.
            t.write64(0x1_0000 - 8, 0);
            Vcpu v = t.start(0, 3, "mov rsi, 0x70000\n mov rdi, 0x400008 + 0x100000\n movsq\n mov rax, rdi\n"
                    + "mov [0xF0000000], rax");
            vcpu[0] = v;
            t.write64(0x7_0000, 0xFEED);
            assertThat(t.runToResult(v)).isEqualTo(0x50_0010L);
            FakeAsyncPfEngine.Handle h = engine.attached.getFirst();
            assertThat(h.faults).hasSize(1);
            assertThat(h.last.guestAddress() & ~0xFFFL).isEqualTo(0x50_0000L);
            assertThat(h.last.write()).isTrue();
            assertThat(h.last.rip()).isEqualTo(TestVm.CODE + 7 + 7);
            assertThat(atFault[0].rsi()).as("RSI unchanged at the fault").isEqualTo(0x7_0000);
            assertThat(atFault[0].rdi()).as("RDI unchanged at the fault").isEqualTo(0x50_0008);
            assertThat(t.read64(0x50_0008)).isEqualTo(0xFEED);
        }
    }

    @Test
    void anInjectedAsyncFaultIsDeliveredAsPageFaultWithTheToken() {
        EmulatedBackend backend = new EmulatedBackend();
        FakeAsyncPfEngine engine = new FakeAsyncPfEngine(h -> {
            h.port.injectPageFault(0x1001, 0);
            return new HostFaultResult.Injected(0x1001);
        });
        backend.bindAsyncPfHost(engine);
        try (TestVm t = vm(backend, new Source())) {
            Vcpu v = t.start(0, 3, "mov rax, [0x300000]");
            v.setRegisters(v.registers().withRflags(0x202));
            VcpuExit e = v.run();
            TestVm.Frame f = t.frame(0, e);
            assertThat(f.vector()).isEqualTo(14);
            assertThat(f.errorCode()).isZero();
            assertThat(f.rip()).as("the faulting instruction, to run again later").isEqualTo(TestVm.CODE);
            assertThat(v.state().control().cr2()).isEqualTo(0x1001);
        }
    }

    @Test
    void pageReadyWakesAHaltedVcpuAndDeliversTheVector() throws Exception {
        EmulatedBackend backend = new EmulatedBackend();
        FakeAsyncPfEngine engine = new FakeAsyncPfEngine(h -> new HostFaultResult.Present());
        backend.bindAsyncPfHost(engine);
        try (TestVm t = vm(backend, new Source())) {
            Vcpu v = t.start(0, 0, "mov ecx, 0x4b564d06\n mov eax, 0xec\n xor edx, edx\n wrmsr\n"
                    + "mov ecx, 0x4b564d02\n mov eax, 0x9\n wrmsr\n sti\n l: hlt\n jmp l");
            CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(v::run);
            Thread.sleep(150);
            assertThat(run).as("halted").isNotDone();
            FakeAsyncPfEngine.Handle h = engine.attached.getFirst();
            assertThat(h.msrWrites).containsExactly("4b564d06=ec", "4b564d02=9");
            h.complete();
            VcpuExit e = run.get(5, TimeUnit.SECONDS);
            assertThat(TestVm.trapVector(e, v)).isEqualTo(0xEC);
        }
    }

    @Test
    void anEngineArrivingLaterGetsTheGuestsMsrsAndOneLeavingIsClosed() {
        EmulatedBackend backend = new EmulatedBackend();
        try (TestVm t = vm(backend, new Source())) {
            Vcpu v = t.start(0, 0, "mov ecx, 0x4b564d06\n mov eax, 0xec\n xor edx, edx\n wrmsr\n"
                    + "mov ecx, 0x4b564d02\n mov eax, 0x1009\n wrmsr\n hlt\n mov rax, [0x300000]\n hlt");
            assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
            assertThat(v.readMsr(AsyncPfAbi.MSR_ASYNC_PF_EN)).isEqualTo(0x1009);
            FakeAsyncPfEngine engine = new FakeAsyncPfEngine(h -> new HostFaultResult.Present());
            backend.bindAsyncPfHost(engine);
            v.setRegisters(v.registers());
            assertThat(v.run()).as("the absent page came through the engine... which said Present: retried")
                    .isInstanceOf(VcpuExit.Halted.class);
            FakeAsyncPfEngine.Handle h = engine.attached.getFirst();
            assertThat(h.msrWrites).as("replayed, vector first").containsExactly("4b564d06=ec", "4b564d02=1009");
            backend.unbindAsyncPfHost(engine);
            assertThat(h.closed).isTrue();
        }
    }

    /** The guest's area for async PF in these tests: low RAM, present, outside the flat platform. */
    private static final long AREA = 0x3_0000;
    private static final String ENABLE_ASYNC_PF = "mov ecx, 0x4b564d06\n mov eax, 0xec\n xor edx, edx\n wrmsr\n"
            + "mov ecx, 0x4b564d02\n mov eax, 0x30009\n wrmsr\n";

    private static int slot(TestVm t) {
        return t.mem(AREA + AsyncPfAbi.AREA_TOKEN, 4).get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    private static void awaitEnabled(FakeAsyncPfEngine engine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.attached.isEmpty() || engine.attached.getFirst().enable == 0) {
            assertThat(System.nanoTime() - deadline).as("the guest enabled async PF at the engine").isNegative();
            Thread.sleep(1);
        }
    }

    /**
     * Issue 11, defect 1: the engine injected tokens and leaves with no successor; they are never completed, so the
     * vCPU owes its guest the wake-all of Linux's guarantee. A vCPU halted with interrupts on takes it at once.
     */
    @Test
    void anEngineLeavingWithNoSuccessorDeliversTheWakeAllToTheGuest() throws Exception {
        EmulatedBackend backend = new EmulatedBackend();
        FakeAsyncPfEngine engine = new FakeAsyncPfEngine(h -> new HostFaultResult.Present());
        backend.bindAsyncPfHost(engine);
        try (TestVm t = vm(backend, new Source())) {
            Vcpu v = t.start(0, 0, ENABLE_ASYNC_PF + "sti\n l: hlt\n jmp l");
            CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(v::run);
            awaitEnabled(engine);
            backend.unbindAsyncPfHost(engine);
            VcpuExit e = run.get(10, TimeUnit.SECONDS);
            assertThat(TestVm.trapVector(e, v)).as("\"page ready\" delivered on the guest's vector").isEqualTo(0xEC);
            assertThat(slot(t)).as("the wake-all token in the slot").isEqualTo(AsyncPfAbi.WAKE_ALL_TOKEN);
            assertThat(engine.attached.getFirst().closed).isTrue();
        }
    }

    /** The wake-all never overwrites a "page ready" the engine delivered before it left: it follows that one's ACK. */
    @Test
    void theOwedWakeAllWaitsForTheSlotToBeFreedAndAcknowledged() {
        EmulatedBackend backend = new EmulatedBackend();
        FakeAsyncPfEngine engine = new FakeAsyncPfEngine(h -> new HostFaultResult.Present());
        backend.bindAsyncPfHost(engine);
        try (TestVm t = vm(backend, new Source())) {
            Vcpu v = t.start(0, 0, ENABLE_ASYNC_PF + "hlt\n hlt\n sti\n l: hlt\n jmp l");
            assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
            t.mem(AREA + AsyncPfAbi.AREA_TOKEN, 4).set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, 0x2001);
            backend.unbindAsyncPfHost(engine);
            v.setRegisters(v.registers());
            assertThat(v.run()).as("the engine is gone; the slot is busy").isInstanceOf(VcpuExit.Halted.class);
            assertThat(slot(t)).as("the guest's pending page ready is untouched").isEqualTo(0x2001);

            t.mem(AREA + AsyncPfAbi.AREA_TOKEN, 4).set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, 0);
            v.writeMsr(AsyncPfAbi.MSR_ASYNC_PF_ACK, 1);   // the guest took it: slot cleared, then ACK
            assertThat(slot(t)).isEqualTo(AsyncPfAbi.WAKE_ALL_TOKEN);
            v.setRegisters(v.registers());
            assertThat(TestVm.trapVector(v.run(), v)).isEqualTo(0xEC);
        }
    }

    /** A successor engine gets the guest's enable replayed and queues the wake-all itself: the vCPU owes nothing. */
    @Test
    void aSuccessorEngineTakesOverAndTheVcpuOwesNothing() {
        EmulatedBackend backend = new EmulatedBackend();
        FakeAsyncPfEngine first = new FakeAsyncPfEngine(h -> new HostFaultResult.Present());
        FakeAsyncPfEngine second = new FakeAsyncPfEngine(h -> new HostFaultResult.Present());
        backend.bindAsyncPfHost(first);
        try (TestVm t = vm(backend, new Source())) {
            Vcpu v = t.start(0, 0, ENABLE_ASYNC_PF + "hlt\n hlt\n");
            assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
            backend.bindAsyncPfHost(second);
            backend.unbindAsyncPfHost(first);
            v.setRegisters(v.registers());
            assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
            assertThat(second.attached.getFirst().msrWrites).containsExactly("4b564d06=ec", "4b564d02=30009");
            assertThat(slot(t)).as("no wake-all written by the vCPU").isZero();
        }
    }
}
