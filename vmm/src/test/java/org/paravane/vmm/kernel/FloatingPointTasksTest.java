package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.GuestStack.image;
import static org.paravane.vmm.kernel.GuestStack.runToEnd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.persist.MachineImage;

/**
 * Floating-point guests on each backend (subclasses pick it): a task's x87/SSE state is its own across time slices
 * under both FP switch policies, and the n-body guest prints byte for byte what the same C prints as a host program.
 */
abstract class FloatingPointTasksTest extends OnEachBackend {
    @AfterEach
    void clearFpuPolicy() {
        System.clearProperty(FpuSwitch.POLICY_PROPERTY);
    }

    private GuestKernel kernel(String name, FpuSwitch.Policy policy) {
        System.setProperty(FpuSwitch.POLICY_PROPERTY, policy.name());   // read when the kernel's schedulers are made
        return stack.kernel(name, 1, 0, PageSource.ZERO, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
    }

    private List<Task> run(FpuSwitch.Policy policy, long... args) throws Exception {
        GuestKernel k = kernel("fp-" + policy + "-" + args.length, policy);
        List<Task> tasks = new java.util.ArrayList<>();
        for (long a : args) {
            tasks.add(k.launch(new TaskSpec("fpstate" + a, image("fpstate"), a, null)));
        }
        runToEnd(k);
        for (Task t : tasks) {
            assertThat(t.exitCode()).as(t + ": " + t.failure()).isZero();
        }
        return tasks;
    }

    @ParameterizedTest
    @EnumSource(FpuSwitch.Policy.class)
    void twoFpTasksTimeSlicedOnOneVcpuGiveWhatEachGivesAlone(FpuSwitch.Policy policy) throws Exception {
        String alone1 = run(policy, 1).getFirst().output();
        String alone2 = run(policy, 2).getFirst().output();
        // A fresh task's state, then its own modes (MXCSR with the sticky inexact flag) and the marker kept in XMM13.
        assertThat(alone1).startsWith("fpstate 1: start mxcsr 1f80 fcw 37f xmm8 0; end mxcsr 3fa0 fcw 27f marker 2222222222222222");
        assertThat(alone2).startsWith("fpstate 2: start mxcsr 1f80 fcw 37f xmm8 0; end mxcsr 5fa0 fcw f7f marker 3333333333333333");
        assertThat(alone1.substring(alone1.indexOf(" x "))).as("the rounding mode changes the result")
                .isNotEqualTo(alone2.substring(alone2.indexOf(" x ")));

        List<Task> both = run(policy, 1, 2);
        assertThat(both.get(0).output()).isEqualTo(alone1);
        assertThat(both.get(1).output()).isEqualTo(alone2);
        assertThat(both).as("each was preempted mid-loop").allSatisfy(t -> assertThat(t.counters.preemptions).isPositive());
    }

    /**
     * Moves between this backend and the software CPU while both FP tasks run: the FPU owner's state travels in the
     * vCPU state, the other's in its task, and both end as they end unmoved.
     */
    @ParameterizedTest
    @EnumSource(FpuSwitch.Policy.class)
    void fpStateSurvivesMovesMidRun(FpuSwitch.Policy policy) throws Exception {
        List<Task> unmoved = run(policy, 1, 2);
        try (GuestStack other = GuestStack.emulated()) {
            GuestKernel k = kernel("fp-moved-" + policy, policy);
            Task a = k.launch(new TaskSpec("fpstate1", image("fpstate"), 1, null));
            Task b = k.launch(new TaskSpec("fpstate2", image("fpstate"), 2, null));
            k.start();
            int moves = 0;
            for (int i = 0; i < 8 && (a.state() != Task.State.EXITED || b.state() != Task.State.EXITED); i++) {
                Thread.sleep(100);
                k.pause();
                if (k.tasks().stream().allMatch(t -> t.state() == Task.State.EXITED)) {
                    k.resume();
                    break;
                }
                VirtualMachine old = k.vm();
                try (MachineImage image = MachineImage.capture(old)) {
                    k.replaceVm(image.restore((i % 2 == 0 ? other : stack).backend));
                    old.close();
                    moves++;
                } finally {
                    k.resume();
                }
            }
            GuestStack.awaitEnd(k);
            assertThat(moves).as("moved while the tasks ran").isPositive();
            assertThat(a.output()).isEqualTo(unmoved.get(0).output());
            assertThat(b.output()).isEqualTo(unmoved.get(1).output());
            k.stop();
            k.vm().close();
        }
    }

    @Test
    void fpStateGuestComputesWhatTheHostCpuComputes() throws Exception {
        assertThat(run(FpuSwitch.policy(), 1).getFirst().output()).isEqualTo(runNative("fpstate", 1));
        assertThat(run(FpuSwitch.policy(), 2).getFirst().output()).isEqualTo(runNative("fpstate", 2));
    }

    @Test
    void lazySwitchTrapsOnlyWhenAnotherTaskUsedTheFpu() throws Exception {
        GuestKernel k = kernel("fp-lazy-counts", FpuSwitch.Policy.LAZY);
        Task a = k.launch(new TaskSpec("fpstate1", image("fpstate"), 1, null));
        Task b = k.launch(new TaskSpec("fpstate2", image("fpstate"), 2, null));
        runToEnd(k);
        FpuSwitch.Counts c = k.scheduler(0).fpu().counts();
        long switches = a.counters.preemptions + b.counters.preemptions;
        assertThat(c.traps()).as("a #NM per change of FPU owner").isPositive().isLessThanOrEqualTo(switches + 2);
        assertThat(c.loads()).isEqualTo(c.traps());
    }

    @Test
    void nbodyPrintsWhatTheSameCPrintsNatively() throws Exception {
        long steps = 5000;
        GuestKernel k = kernel("nbody", FpuSwitch.policy());
        Task t = k.launch(new TaskSpec("cpu_nbody", image("cpu_nbody"), steps, null));
        runToEnd(k);
        assertThat(t.exitCode()).as(t.failure()).isZero();
        assertThat(t.output()).isEqualTo(runNative("cpu_nbody", steps))
                .contains("energy before -0.169075164 (bits bfc5a441459acc23)");
    }

    /** Builds guests/src/{@code program}.c as a host program with gcc (guests/Makefile, target native) and runs it. */
    static String runNative(String program, long arg) throws IOException, InterruptedException {
        Path guests = Path.of(System.getProperty("paravane.guests.dir", "../guests")).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(guests.resolve("Makefile")),
                () -> "native comparison skipped: no guest sources at " + guests + " (set paravane.guests.dir)");
        Path out = Path.of("target", "native-guests").toAbsolutePath();
        Process make = new ProcessBuilder("make", "-s", "-C", guests.toString(), "OUT=" + out, "native")
                .redirectErrorStream(true).start();
        String makeOutput = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(make.waitFor(120, TimeUnit.SECONDS) && make.exitValue() == 0,
                () -> "native comparison skipped: make native failed (gcc missing?): " + makeOutput);
        Process p = new ProcessBuilder(out.resolve("native").resolve(program).toString(), Long.toString(arg)).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(program + " natively").isZero();
        return stdout;
    }
}
