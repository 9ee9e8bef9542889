package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.LinuxPrograms.run;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * Signals in unmodified Linux programs (guests/linux/signals.c, glibc and musl): handlers, the frame and sigreturn
 * restoring every register and the FP state, nesting, masks, the alternate stack, faults to handlers, interrupted
 * calls, timers, default actions. The output is compared with a native run of the same program on this host.
 */
abstract class LinuxSignalsTest {
    final GuestStack stack = stack();

    abstract GuestStack stack();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "signals, info", "signals, regs", "signals, nest", "signals, altstack", "signals, mask", "signals, faults",
            "signals, sleep", "signals, timer", "signals, stop", "signals-musl, stop",
            "signals, flags",
            "signals-musl, info", "signals-musl, regs", "signals-musl, nest", "signals-musl, altstack",
            "signals-musl, mask", "signals-musl, faults", "signals-musl, sleep", "signals-musl, timer",
    })
    void aPartPrintsWhatItPrintsNatively(String program, String part) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program, part);
        assertThat(r.task().failure()).as(r.stdout()).isNull();
        assertThat(r.stdout()).doesNotContain("FAIL").endsWith("signals " + part + ": done\n");
        assertThat(r.exitCode()).isZero();
        LinuxPrograms.Run n = LinuxPrograms.runNative(program, part);
        assertThat(r.stdout()).isEqualTo(n.stdout());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"signals", "signals-pie", "signals-musl"})
    void allPartsInOneProcess(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program);
        assertThat(r.task().failure()).as(r.stdout()).isNull();
        assertThat(r.stdout()).doesNotContain("FAIL").contains(
                "regs: handler saw the context=1 fresh FP=1\n",
                "regs: gpr=1 carry=1 xmm=1 x87=1,1 mxcsr=0x7f80 fcw=0x27f\n",
                "nest: 12e1e\n", "nodefer: nnxx\n", "segv: sig=11 code=1 addr=0x1234\n",
                "sigsuspend: rc=-1 errno=EINTR delivered=1 still blocked=1\n", "signals all: done\n");
    }

    @ParameterizedTest(name = "{0} ends with status {1}")
    @CsvSource({
            "term,         143, ''",
            "abort,        134, ''",
            "segv-blocked, 139, 'killed by SIGSEGV at 0x1234'",
            "restorer,     139, 'has no SA_RESTORER'",
            "badframe,     139, 'bad signal frame'",
    })
    void defaultActionsAndUnhandleableFaultsEndTheProcessAsNatively(String part, int status, String message)
            throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), "signals", part);
        assertThat(r.exitCode()).isEqualTo(status);
        assertThat(r.stdout()).doesNotContain("done");
        assertThat(r.task().failure()).contains(message);
        assertThat(LinuxPrograms.runNative("signals", part).exitCode()).isEqualTo(status);
    }

    @org.junit.jupiter.api.Test
    void ctrlCReachesTheProgramAsSigintFromTheKernelAndEndsItWithoutAHandler() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        LinuxPrograms.Started s = LinuxPrograms.start(stack, FileSystem.Options.emptyRoot(), out, "signals", "wait-int");
        awaitWaiting(s.task());
        assertThat(s.kernel().interruptForeground()).isTrue();
        GuestStack.awaitEnd(s.kernel());
        assertThat(out.toString()).endsWith("wait-int: sig=2 code=128\nsignals wait-int: done\n");
        java.io.ByteArrayOutputStream out2 = new java.io.ByteArrayOutputStream();
        LinuxPrograms.Started sleeper = LinuxPrograms.start(stack, FileSystem.Options.emptyRoot(), out2, "sleep", "20000");
        awaitWaiting(sleeper.task());
        assertThat(sleeper.kernel().interruptForeground()).isTrue();
        GuestStack.awaitEnd(sleeper.kernel());
        assertThat(sleeper.task().exitCode()).as("killed by SIGINT").isEqualTo(130);
    }

    @org.junit.jupiter.api.Test
    void killReachesAnotherProcessOfTheVmAndSaysWhoSentIt() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        LinuxPrograms.Started waiter = LinuxPrograms.start(stack, FileSystem.Options.emptyRoot(), out, "signals",
                "wait-usr1");
        awaitWaiting(waiter.task());
        byte[] program = LinuxPrograms.program("signals");
        int pid = waiter.task().id();
        Task killer = waiter.kernel().launch(TaskSpec.linuxProcess("killer", new org.paravane.vmm.kernel.abi.linux
                .LinuxProcessSpec("/bin/signals", program, List.of("signals", "kill", "999", "10"), List.of())));
        Task killer2 = waiter.kernel().launch(TaskSpec.linuxProcess("killer", new org.paravane.vmm.kernel.abi.linux
                .LinuxProcessSpec("/bin/signals", program, List.of("signals", "kill", "" + pid, "10"), List.of())));
        GuestStack.awaitEnd(waiter.kernel());
        assertThat(out.toString()).contains("kill 999 10: -1 ESRCH\n", "kill " + pid + " 10: 0\n",
                "wait-usr1: sig=10 code=0 from=" + killer2.id() + "\n", "kill: answered from=" + pid + "\n");
        assertThat(killer.exitCode()).isZero();
        assertThat(killer2.exitCode()).isZero();
        assertThat(waiter.task().exitCode()).isZero();
    }

    private static void awaitWaiting(Task t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.state() != Task.State.WAITING) {
            assertThat(System.nanoTime()).as("the program waits").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"signals", "signals-musl"})
    void aSignalInterruptsABlockedReadOrRestartsItWithSaRestart(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program, "read");
        Assumptions.assumeThat(r.stdout()).as("pipes are not there yet").doesNotContain("read: no pipes");
        assertThat(r.stdout()).isEqualTo(LinuxPrograms.runNative(program, "read").stdout());
    }
}
