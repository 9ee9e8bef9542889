package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.GuestStack.DATA;
import static org.paravane.vmm.kernel.GuestStack.image;
import static org.paravane.vmm.kernel.GuestStack.runToEnd;
import static org.paravane.vmm.kernel.GuestStack.scannerChecksum;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.abi.paravane.ParavaneAbi;
import org.paravane.vmm.source.FailingPageSource;
import org.paravane.vmm.source.FilePageSource;
import org.paravane.vmm.source.PatternPageSource;
import org.paravane.vmm.source.ShapedPageSource;

/**
 * The guest kernel end to end with the async-PF services wired as in the container, on each backend: subclasses pick
 * it (the software CPU always, KVM where usable).
 */
abstract class GuestKernelTest {
    private static final long SEED = 42;
    final GuestStack stack = stack();

    abstract GuestStack stack();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    private static PageSource slowPattern(long latencyMicros) {
        return new ShapedPageSource(new PatternPageSource(SEED), latencyMicros * 1000, 0);
    }

    private Task run1(String program, long arg) throws Exception {
        GuestKernel k = stack.kernel(program, 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task t = k.launch(new TaskSpec(program, image(program), arg, null));
        runToEnd(k);
        return t;
    }

    @Test
    void helloPrintsItsGreeting() throws Exception {
        Task t = run1("hello", 0);
        assertThat(t.exitCode()).isZero();
        assertThat(t.output()).isEqualTo("hello, world from task 1\n");
    }

    @Test
    void everySystemCallIsCountedAndTimedUnderItsName() throws Exception {
        Task t = run1("hello", 0);
        var calls = t.syscallStats().byTime(t.abi());
        assertThat(calls).extracting(SyscallStats.Call::name).containsExactlyInAnyOrder("write", "exit");
        assertThat(calls).allSatisfy(c -> assertThat(c.count()).isEqualTo(1));
        assertThat(t.syscallStats().total()).isEqualTo(2);
        assertThat(t.syscallStats().totalNanos()).isPositive();
    }

    @Test
    void cpuKernelsComputeTheReferenceResults() throws Exception {
        assertThat(run1("cpu_sieve", 3).reports()).containsEntry("checksum", 3 * 6542L);
        assertThat(run1("cpu_fib", 2).reports()).containsEntry("checksum", 2 * 196418L);
        Map<String, Long> crc = run1("cpu_crc", 1).reports();
        assertThat(crc).containsKey("checksum");
        Task worker = run1("worker", 50);
        assertThat(worker.exitCode()).isZero();
        assertThat(worker.output()).startsWith("worker: 50 units, checksum ");
    }

    @ParameterizedTest
    @EnumSource(WaitPolicy.class)
    void scannerOverLazyMemoryChecksumsRightWithEveryPolicy(WaitPolicy policy) throws Exception {
        long bytes = 64 * 4096;
        GuestKernel k = stack.kernel("scan-" + policy.key(), 1, bytes, slowPattern(500), PreemptionModel.PREEMPTIBLE, policy);
        Task scanner = k.launch(new TaskSpec("scanner", image("scanner"), 1, new TaskSpec.DataMapping(DATA, bytes, bytes)));
        Task worker = k.launch(new TaskSpec("worker", image("worker"), 200, null));
        runToEnd(k);
        assertThat(scanner.exitCode()).as(scanner.output()).isZero();
        assertThat(scanner.reports()).containsEntry("checksum", scannerChecksum(SEED, DATA, bytes)).containsEntry("pages", 64L);
        assertThat(worker.exitCode()).isZero();
        SleeperTable.Stats s = k.sleeperStats();
        switch (policy) {
            case OFF -> assertThat(scanner.asyncFaults()).as("async PF not enabled: the host waits").isZero();
            case HALT_EVERYWHERE -> {
                assertThat(s.haltWaits()).as("halt waits").isPositive();
                assertThat(s.scheduleWaits()).isZero();
            }
            case DECISION_TABLE -> {
                assertThat(s.scheduleWaits()).as("a user task schedules").isPositive();
                assertThat(s.haltWaits()).isZero();
            }
        }
    }

    /**
     * The decision table end to end: which wait each kind of context takes, with the host's SEND_ALWAYS following the
     * preemption model as the V1 guest set it.
     */
    @ParameterizedTest(name = "{0} kernel, {1} -> {2}")
    @CsvSource({
            "PREEMPTIBLE,     user,                 schedule",
            "NON_PREEMPTIBLE, user,                 schedule",
            "PREEMPTIBLE,     kernel-preempt-off,   halt",
            "PREEMPTIBLE,     kernel-rcu,           halt",
            "PREEMPTIBLE,     kernel-preemptible,   schedule",
            "NON_PREEMPTIBLE, kernel-preemptible,   sync",
            "NON_PREEMPTIBLE, kernel-preempt-off,   sync",
            "PREEMPTIBLE,     kernel-irqs-off,      sync",
    })
    void decisionTableEndToEnd(PreemptionModel model, String context, String expected) throws Exception {
        long bytes = 16 * 4096;
        GuestKernel k = stack.kernel("table-" + context, 1, bytes, slowPattern(200), model, WaitPolicy.DECISION_TABLE);
        TaskSpec.DataMapping data = new TaskSpec.DataMapping(DATA, bytes, bytes);
        long arg = switch (context) {
            case "kernel-preempt-off" -> 0;
            case "kernel-rcu" -> 1;
            case "kernel-preemptible" -> 2;
            case "kernel-irqs-off" -> 3;
            default -> 1;
        };
        Task t = k.launch(new TaskSpec(context, image(context.equals("user") ? "scanner" : "kscan"), arg, data));
        runToEnd(k);
        assertThat(t.exitCode()).as(t.output()).isZero();
        assertThat(t.reports()).containsEntry("checksum", scannerChecksum(SEED, DATA, bytes));
        SleeperTable.Stats s = k.sleeperStats();
        if (context.startsWith("kernel") && !stack.kernelFaultsGoAsync()) {
            expected = "sync";   // this host cannot make CPL0 faults async (PVM emulates CPL0 code)
        }
        switch (expected) {
            case "schedule" -> assertThat(s.scheduleWaits()).isPositive();
            case "halt" -> assertThat(s.haltWaits()).isPositive();
            default -> assertThat(t.asyncFaults()).as("the host cannot deliver: it waits itself").isZero();
        }
        if (!expected.equals("schedule")) {
            assertThat(s.scheduleWaits()).isZero();
        }
        if (!expected.equals("halt")) {
            assertThat(s.haltWaits()).isZero();
        }
    }

    @Test
    void aFailingPageSourceKillsTheTaskWithAClearReportAndSparesTheRest() throws Exception {
        long bytes = 32 * 4096;
        GuestKernel k = stack.kernel("failing", 1, bytes, new FailingPageSource(new PatternPageSource(SEED), 0),
                PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task scanner = k.launch(new TaskSpec("scanner", image("scanner"), 1, new TaskSpec.DataMapping(DATA, bytes, bytes)));
        Task worker = k.launch(new TaskSpec("worker", image("worker"), 100, null));
        GuestKernel other = stack.kernel("healthy", 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task hello = other.launch(new TaskSpec("hello", image("hello"), 0, null));
        other.start();
        runToEnd(k);
        assertThat(scanner.exitCode()).isEqualTo(-1);
        assertThat(scanner.failure()).contains("could not be provided").contains("I/O error");
        assertThat(worker.exitCode()).as("the other task of the VM").isZero();
        GuestStack.awaitEnd(other);
        assertThat(hello.exitCode()).as("another VM").isZero();
    }

    @Test
    void aSourceFileTruncatedWhileTheVmRunsKillsTheTaskInsteadOfGivingWrongData(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        long bytes = 32 * 4096;
        java.nio.file.Path file = dir.resolve("src.bin");
        java.nio.file.Files.write(file, new byte[(int) bytes]);
        try (FilePageSource source = FilePageSource.whole(file, DATA)) {
            try (var c = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                c.truncate(0);   // as `truncate -s 0 src.bin` while a detached VM reads it
            }
            GuestKernel k = stack.kernel("truncated", 1, bytes, source, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
            Task scanner = k.launch(new TaskSpec("scanner", image("scanner"), 1, new TaskSpec.DataMapping(DATA, bytes, bytes)));
            runToEnd(k);
            assertThat(scanner.exitCode()).as(scanner.output()).isEqualTo(-1);
            assertThat(scanner.failure()).contains("could not be provided").contains("now ends at byte 0");
        }
    }

    @ParameterizedTest(name = "faults {0}")
    @CsvSource({
            "0, 0, hypercall 99 returned -38",
            "1, 0, write from a bad pointer returned -14",
            "2, -1, invalid opcode (#UD) at rip",
            "3, -1, page fault at 0x600000000000 (not present, read, kernel) at rip",
            "5, 0, hypercalls 2^63 and 2^32+1 returned -38 and -38"})
    void misbehavingTasksGetClearErrors(int what, int exit, String text) throws Exception {
        Task t = run1("faults", what);
        assertThat(t.exitCode()).as("exit code; output: %s", t.output()).isEqualTo(exit);
        assertThat(exit == 0 ? t.output() : t.failure()).contains(text);
        if (what == 0) {
            assertThat(t.output()).contains("[kernel] task 1 (faults): unknown hypercall 99");
        }
        if (what == 5) {
            assertThat(t.output()).contains("unknown hypercall 9223372036854775808").contains("unknown hypercall 4294967297")
                    .doesNotContain("not a write");
        }
    }

    /**
     * User-mode exceptions are named as Linux's IDT makes them on any CPU: #BP and #OF gates are open to CPL 3, the
     * 0x80 gate is not (#GP naming the gate); every access that writes faults as a write, read-modify-write
     * instructions (ADD, INC to memory) included, as hardware reports them.
     */
    @ParameterizedTest(name = "traps {0}")
    @CsvSource(delimiter = '|', value = {
            "0 | breakpoint (#BP) at rip",
            "1 | overflow (#OF) at rip",
            "2 | general protection fault (#GP), error code 0x402 at rip",
            "3 | page fault at 0x0 (protection violation, write, user) at rip",
            "4 | page fault at 0x0 (protection violation, write, user) at rip",
            "5 | page fault at 0x0 (protection violation, write, user) at rip",
            "6 | page fault at 0x0 (protection violation, write, user) at rip",
            "7 | page fault at 0x600000000ff8 (not present, write, user) at rip",
            "8 | page fault at 0x0 (protection violation, write, user) at rip",
            "9 | page fault at 0x0 (protection violation, write, user) at rip"})
    void userFaultsAreNamedAsOnLinux(int what, String text) throws Exception {
        Task t = run1("traps", what);
        assertThat(t.exitCode()).as("exit code; output: %s", t.output()).isEqualTo(-1);
        assertThat(t.failure()).contains(text);
    }

    /** The system call seam: a task launched with another ABI has its calls carried out by that one only. */
    @Test
    void eachTaskSpeaksItsOwnSystemCallAbi() throws Exception {
        SyscallAbi noWrites = new OnWriteAbi("no-writes",
                (task, registers) -> new SyscallOutcome.Kill("write is not part of this ABI"));
        GuestKernel k = stack.kernel("abis", 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task strict = k.launch(new TaskSpec("strict", image("hello"), 0, null, noWrites));
        Task plain = k.launch(new TaskSpec("plain", image("hello"), 0, null));
        runToEnd(k);
        assertThat(strict.abi().name()).isEqualTo("no-writes");
        assertThat(strict.exitCode()).isEqualTo(-1);
        assertThat(strict.failure()).isEqualTo("write is not part of this ABI");
        assertThat(plain.abi()).as("an image's own ABI").isSameAs(ParavaneAbi.INSTANCE);
        assertThat(plain.output()).isEqualTo("hello, world from task 2\n");
    }

    /**
     * A blocking call: "first" waits in its write until "second" has written, on one vCPU, so the vCPU must run
     * "second" while "first" is off it; a call that never gets its event is cancelled when the VM stops.
     */
    @Test
    void aBlockedCallLeavesItsVcpuAndResumesWhenWoken() throws Exception {
        var queue = new org.paravane.vmm.kernel.wait.WaitQueue();
        var released = new java.util.concurrent.atomic.AtomicBoolean();
        var order = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        var twoExited = new java.util.concurrent.CountDownLatch(2);
        SyscallAbi rendezvous = new OnWriteAbi("rendezvous", (task, registers) -> switch (task.name()) {
            case "second" -> {
                order.add("second");
                released.set(true);
                queue.wakeAll();
                yield OnWriteAbi.paravane(task, registers);
            }
            case "never" -> OnWriteAbi.untilCancelled(() -> cancelled.set(true));
            default -> OnWriteAbi.writeWhen(queue, released::get, () -> order.add("first"), task, registers);
        }, (task, code, signal) -> twoExited.countDown());
        GuestKernel k = stack.kernel("block", 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task first = k.launch(new TaskSpec("first", image("hello"), 0, null, rendezvous));
        Task second = k.launch(new TaskSpec("second", image("hello"), 0, null, rendezvous));
        Task never = k.launch(new TaskSpec("never", image("hello"), 0, null, rendezvous));
        k.start();
        assertThat(twoExited.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly("second", "first");
        assertThat(first.output()).isEqualTo("hello, world from task 1\n");
        assertThat(never.state()).isEqualTo(Task.State.WAITING);
        k.stop();
        assertThat(first.exitCode()).as("set after the ABI's exited hook, so checked once the kernel stopped").isZero();
        assertThat(cancelled).as("the blocked call let go of its queues").isTrue();
        assertThat(queue.isEmpty()).isTrue();
    }

    /**
     * A running task creates one (as clone does for a thread): the new task runs in the creator's address space from
     * the image's entry on a stack of its own, goes to the idle vCPU, and the guest is done only when both have
     * exited; the shared space's pages go back once, when the last of them lets go.
     */
    @Test
    void aRunningTaskCreatesATaskThatSharesItsSpaceAndRunsOnTheIdleVcpu() throws Exception {
        var children = new java.util.concurrent.CopyOnWriteArrayList<SyscallTask>();
        long entry = image("hello").entry();
        long childStack = org.paravane.vmm.kernel.abi.paravane.GuestAbi.STACK_TOP
                - org.paravane.vmm.kernel.abi.paravane.GuestAbi.STACK_SIZE / 2;
        SyscallAbi cloning = new OnWriteAbi("cloning") {
            @Override
            SyscallOutcome write(SyscallTask task, GeneralRegisters registers) {
                if (task.name().equals("parent") && children.isEmpty()) {
                    int id = task.newTaskId();
                    children.add(task.spawn(id, new org.paravane.vmm.kernel.abi.NewTask("child", this, task.memory(),
                            registers.withRip(entry).with(GeneralRegisters.RSP, childStack), task.fsBase())));
                }
                return paravane(task, registers);
            }
        };
        GuestKernel k = stack.kernel("spawn", 2, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        int freeBefore = k.freePages();
        Task parent = k.launch(new TaskSpec("parent", image("hello"), 0, null, cloning));
        runToEnd(k);
        assertThat(children).hasSize(1);
        assertThat(children.getFirst().id()).isEqualTo(2);
        assertThat(parent.exitCode()).as(parent.failure()).isZero();
        assertThat(parent.output()).isEqualTo("hello, world from task 1\n");
        assertThat(k.tasks()).as("a spawned task leaves the list when it exits").containsExactly(parent);
        assertThat(k.vcpuStats().get(1).taskRuns()).as("the child ran on the idle vCPU").isPositive();
        assertThat(k.freePages()).as("the shared space was released once, by the last task").isEqualTo(freeBefore);
    }

    /** A task ended from another thread (exit_group): a blocked one leaves its queues, the guest is done. */
    @Test
    void aTaskEndedFromOutsideLeavesItsBlockedCall() throws Exception {
        var cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        var sleeper = new java.util.concurrent.atomic.AtomicReference<SyscallTask>();
        var queue = new org.paravane.vmm.kernel.wait.WaitQueue();
        var ends = new java.util.concurrent.ConcurrentHashMap<String, Integer>();
        SyscallAbi abi = new OnWriteAbi("ending", (task, registers) -> switch (task.name()) {
            case "blocked" -> {
                sleeper.set(task);
                queue.wakeAll();
                yield OnWriteAbi.untilCancelled(() -> cancelled.set(true));
            }
            case "killer" -> OnWriteAbi.writeWhen(queue, () -> sleeper.get() != null,
                    () -> sleeper.get().terminate(3, 0, null), task, registers);
            default -> OnWriteAbi.paravane(task, registers);
        }, (task, code, signal) -> ends.put(task.name(), code * 100 + signal));
        GuestKernel k = stack.kernel("terminate", 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task blocked = k.launch(new TaskSpec("blocked", image("hello"), 0, null, abi));
        k.launch(new TaskSpec("killer", image("hello"), 0, null, abi));
        runToEnd(k);
        assertThat(blocked.exitCode()).isEqualTo(3);
        assertThat(cancelled).isTrue();
        assertThat(ends).containsEntry("blocked", 300);
    }

    /**
     * The kernel's blocked-call path asks the ABI about an interruption every time a call would wait: woken from
     * outside ({@link SyscallTask#interrupt}), the call lets go ({@link org.paravane.vmm.kernel.abi.Blocked#interrupted})
     * and restarts with RIP back over its SYSCALL; the ABI's hooks run before the task's next user instruction.
     */
    @Test
    void anInterruptedBlockedCallLetsGoAndRestartsOverItsSyscall() throws Exception {
        var view = new java.util.concurrent.atomic.AtomicReference<SyscallTask>();
        var pending = new java.util.concurrent.atomic.AtomicBoolean();
        var writes = new java.util.concurrent.atomic.AtomicInteger();
        var letGo = new java.util.concurrent.atomic.AtomicInteger();
        var returnHooks = new java.util.concurrent.atomic.AtomicInteger();
        SyscallAbi interruptible = new OnWriteAbi("interruptible", (task, registers) -> {
            if (writes.getAndIncrement() == 0) {
                view.set(task);
                return OnWriteAbi.untilCancelled(letGo::incrementAndGet);
            }
            return OnWriteAbi.paravane(task, registers);
        }) {
            @Override
            public SyscallOutcome interrupt(SyscallTask task, org.paravane.vmm.kernel.abi.Blocked blocked,
                                            GeneralRegisters call) {
                if (!pending.get()) {
                    return null;
                }
                blocked.interrupted(task);
                return new SyscallOutcome.Restore(call.withRip(call.rip() - 2));
            }

            @Override
            public boolean userReturnPending(SyscallTask task) {
                return pending.get();
            }

            @Override
            public SyscallOutcome returnToUser(SyscallTask task, GeneralRegisters registers) {
                returnHooks.incrementAndGet();
                pending.set(false);
                return null;
            }
        };
        GuestKernel k = stack.kernel("interrupt", 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task t = k.launch(new TaskSpec("hello", image("hello"), 0, null, interruptible));
        k.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (t.state() != Task.State.WAITING) {
            assertThat(System.nanoTime()).as("blocked in its write").isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(k.interruptForeground()).as("a Paravane-style ABI does not take Ctrl-C").isFalse();
        pending.set(true);
        view.get().interrupt();
        assertThat(k.awaitTasks(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(t.output()).isEqualTo("hello, world from task 1\n");
        assertThat(writes.get()).as("the write ran again").isEqualTo(2);
        assertThat(letGo.get()).isEqualTo(1);
        assertThat(returnHooks.get()).isEqualTo(1);
        k.stop();
    }

    @Test
    void aTripleFaultStopsTheVmWithAReport() throws Exception {
        GuestKernel k = stack.kernel("triple", 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        Task t = k.launch(new TaskSpec("faults", image("faults"), 4, null));
        k.start();
        assertThat(k.awaitTasks(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // A shutdown exit; on PVM hosts KVM's emulator of CPL0 code gives up on the lidt/int3 instead: named alike.
        assertThat(k.panicReport()).contains("task 1 (faults)").contains("triple fault (the guest's exception handling failed)");
        k.stop();
        assertThat(t.exitCode()).isEqualTo(-1);
        assertThat(t.failure()).contains("VM panicked");
    }
}
