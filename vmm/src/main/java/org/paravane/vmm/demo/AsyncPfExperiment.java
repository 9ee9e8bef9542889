package org.paravane.vmm.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.manager.ManagedVm;
import org.paravane.vmm.manager.VmManager;

/**
 * The 2010 async page fault experiment (Natapov's {@code bm -f N -w N}): scanners go through lazily restored data
 * whose pages arrive with a fixed latency, CPU-bound workers count work on the same vCPUs; the work done in a fixed
 * time is compared with async page faults off, with the halt wait everywhere, and with the decision table. What the
 * scanners and workers are is the {@link Workload}'s: Paravane guest programs or unmodified Linux programs.
 *
 * <p>Each run is a new VM, and on the software CPU a new VM starts cold (its blocks are translated again, the JVM
 * compiles the new classes), while the JVM itself warms over the whole demo. So each run first warms up until the
 * workers' rate stops rising, and only then is timed; and the three modes alternate over several rounds (off, halt,
 * table, off, halt, table, ...), each mode reported by its median with the spread, so that no mode is measured on a
 * colder or warmer CPU than another.
 */
final class AsyncPfExperiment {
    static final List<WaitPolicy> MODES = List.of(WaitPolicy.OFF, WaitPolicy.HALT_EVERYWHERE, WaitPolicy.DECISION_TABLE);
    /** How often the warm-up compares the workers' rate. */
    private static final long SAMPLE_NANOS = 500_000_000L;
    /** A rate within this factor of the previous interval's has stopped rising. */
    private static final double STEADY = 1.05;

    /**
     * @param vcpus    vCPUs of the VM
     * @param scanners scanner tasks, each over its own slice of the data region
     * @param workers  worker tasks
     * @param latencyNanos per-page latency of the page source
     * @param runMillis how long each run is timed, after its warm-up (which lasts at most as long)
     * @param sliceMicros the guest kernel's preemption tick
     * @param bytesPerScanner data each scanner scans
     * @param rounds   how many times the three modes run, alternating
     */
    record Options(int vcpus, int scanners, int workers, long latencyNanos, long runMillis, long sliceMicros,
                   long bytesPerScanner, int rounds) {
        Options {
            if (vcpus < 1 || scanners < 1 || workers < 1) {
                throw new IllegalArgumentException("the experiment needs at least one vCPU, one scanner and one worker");
            }
            if (runMillis < 100) {
                throw new IllegalArgumentException("each run must last at least 100 ms, got " + runMillis);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("the experiment needs at least one round, got " + rounds);
            }
        }
    }

    /**
     * One run's figures.
     *
     * @param warmNanos how long the run warmed up before it was timed
     * @param steady    whether the workers' rate per sample (half a second, or half the
     *                  timed length if shorter) had stopped rising by then (false: the warm-up's
     *                  bound, the run's timed length, ended it)
     * @param measured  the counters of the timed part only
     */
    record Result(WaitPolicy policy, int round, long warmNanos, boolean steady, RunCounters measured, int vcpus) {
        long work() {
            return measured.work();
        }

        long scanned() {
            return measured.scanned();
        }

        double workPerSecond() {
            return measured.work() / (measured.nanos() / 1e9);
        }

        double pagesPerSecond() {
            return measured.scanned() / (measured.nanos() / 1e9);
        }

        double idlePercent() {
            return 100.0 * measured.lostNanos() / ((double) measured.nanos() * vcpus);
        }
    }

    private final VmManager manager;
    private final Workload workload;
    private final PrintStream out;

    AsyncPfExperiment(VmManager manager, Workload workload, PrintStream out) {
        this.manager = manager;
        this.workload = workload;
        this.out = out;
    }

    /** The rounds, each running the three modes in turn; every run's result, in the order they ran. */
    List<Result> run(String backend, Options o) throws IOException, InvalidImageException, InterruptedException {
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= o.rounds(); round++) {
            for (WaitPolicy policy : MODES) {
                Result r = runOnce(backend, policy, round, o);
                out.printf(Locale.ROOT, "  round %d/%d %-16s warm-up %.2f s%s, then %.1f s: %d work units, %d pages%n",
                        round, o.rounds(), label(policy), r.warmNanos() / 1e9, r.steady() ? "" : " (still rising)",
                        r.measured().nanos() / 1e9, r.work(), r.scanned());
                results.add(r);
            }
        }
        return results;
    }

    private Result runOnce(String backend, WaitPolicy policy, int round, Options o)
            throws IOException, InvalidImageException, InterruptedException {
        VmDefinition def = workload.define("demo-" + workload.key() + "-" + backend + "-" + policy.key() + "-" + round,
                backend, policy, o);
        ManagedVm vm = manager.run(def, KernelConfig.Console.NONE);
        try {
            long start = System.nanoTime();
            RunCounters previous = RunCounters.of(vm, workload);
            long previousRate = -1;
            boolean steady = false;
            long sample = Math.min(SAMPLE_NANOS, o.runMillis() * 1_000_000L / 2);   // short runs: shorter samples
            while (!steady && System.nanoTime() - start < o.runMillis() * 1_000_000L && !ended(vm, sample)) {
                RunCounters now = RunCounters.of(vm, workload);
                long rate = now.work() - previous.work();
                steady = previousRate > 0 && rate <= previousRate * STEADY;   // not yet at 0: still starting
                previousRate = rate;
                previous = now;
            }
            RunCounters timed = RunCounters.of(vm, workload);
            long warm = timed.nanos() - start;
            ended(vm, o.runMillis() * 1_000_000L);
            RunCounters end = RunCounters.of(vm, workload);
            String problem = !vm.isActive() && vm.failure() != null ? vm.failure() : workload.problem(vm.kernel());
            if (problem == null && !vm.isActive()) {
                problem = "it ended before its run was over (state " + vm.state() + ")";
            }
            if (problem != null) {
                throw new IllegalStateException("VM " + vm.name() + " failed: " + problem);
            }
            return new Result(policy, round, warm, steady, end.since(timed), o.vcpus());
        } finally {
            manager.stop(vm.name());   // the workers never end by themselves
            manager.forget(vm.name());   // not prune(): the user's own ended VMs stay listed
        }
    }

    /** Waits up to {@code nanos}; whether the VM ended meanwhile. */
    private static boolean ended(ManagedVm vm, long nanos) throws InterruptedException {
        return vm.awaitEnd(Duration.ofNanos(nanos));
    }

    static String label(WaitPolicy p) {
        return switch (p) {
            case OFF -> "async PF off";
            case HALT_EVERYWHERE -> "halt everywhere";
            case DECISION_TABLE -> "decision table";
        };
    }
}
