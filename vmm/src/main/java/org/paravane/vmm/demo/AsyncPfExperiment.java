package org.paravane.vmm.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.backend.VcpuStats;
import org.paravane.api.memory.MemoryStats;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.GuestVcpuStats;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.manager.ManagedVm;
import org.paravane.vmm.manager.VmManager;

/**
 * The 2010 async page fault experiment (Natapov's {@code bm -f N -w N}): scanners go through lazily restored data
 * whose pages arrive with a fixed latency, CPU-bound workers count work on the same vCPUs; the work done in a fixed
 * time is compared with async page faults off, with the halt wait everywhere, and with the decision table. What the
 * scanners and workers are is the {@link Workload}'s: Paravane guest programs or unmodified Linux programs.
 */
final class AsyncPfExperiment {

    /**
     * @param vcpus    vCPUs of the VM
     * @param scanners scanner tasks, each over its own slice of the data region
     * @param workers  worker tasks
     * @param latencyNanos per-page latency of the page source
     * @param runMillis how long each of the three runs lasts
     * @param sliceMicros the guest kernel's preemption tick
     * @param bytesPerScanner data each scanner scans
     */
    record Options(int vcpus, int scanners, int workers, long latencyNanos, long runMillis, long sliceMicros,
                   long bytesPerScanner) {
        Options {
            if (vcpus < 1 || scanners < 1 || workers < 1) {
                throw new IllegalArgumentException("the experiment needs at least one vCPU, one scanner and one worker");
            }
            if (runMillis < 100) {
                throw new IllegalArgumentException("each run must last at least 100 ms, got " + runMillis);
            }
        }
    }

    /** One run's figures. */
    record Result(WaitPolicy policy, long work, long scanned, long pagesFaulted, long asyncFaults, long scheduleWaits, long haltWaits,
                  long dummies, double idlePercent, long wallNanos) {
    }

    private final VmManager manager;
    private final Workload workload;
    private final PrintStream out;

    AsyncPfExperiment(VmManager manager, Workload workload, PrintStream out) {
        this.manager = manager;
        this.workload = workload;
        this.out = out;
    }

    /**
     * The three runs, after a warm-up run whose figures are dropped: the first run of a workload in a JVM pays the
     * software CPU's warm-up on the programs' code (busybox starting and hashing cold), which made the first measured
     * run, always "off", look starved (1 block hashed in 1.5 s where the same run warm did over a hundred).
     */
    List<Result> run(String backend, Options o) throws IOException, InvalidImageException, InterruptedException {
        runOnce(backend, WaitPolicy.OFF, o, "warm-up");
        List<Result> results = new ArrayList<>();
        for (WaitPolicy policy : List.of(WaitPolicy.OFF, WaitPolicy.HALT_EVERYWHERE, WaitPolicy.DECISION_TABLE)) {
            results.add(runOnce(backend, policy, o, label(policy)));
        }
        return results;
    }

    private Result runOnce(String backend, WaitPolicy policy, Options o, String label)
            throws IOException, InvalidImageException, InterruptedException {
        VmDefinition def = workload.define("demo-" + workload.key() + "-" + backend + "-" + policy.key(), backend, policy, o);
        ManagedVm vm = manager.run(def, KernelConfig.Console.NONE);
        GuestKernel kernel = vm.kernel();
        long start = System.nanoTime();
        long deadline = start + o.runMillis() * 1_000_000;
        long nextProgress = start + 1_000_000_000L;
        out.printf(Locale.ROOT, "  %-16s running for %.1f s%n", label, o.runMillis() / 1000.0);
        try {
            while (System.nanoTime() < deadline
                    && !vm.awaitEnd(Duration.ofNanos(Math.min(deadline, nextProgress) - System.nanoTime()))) {
                if (System.nanoTime() >= nextProgress) {
                    out.printf(Locale.ROOT, "  %-16s %.1f s: %d work units, %d pages scanned%n", "", (System.nanoTime() - start) / 1e9,
                            workload.work(kernel), workload.scanned(kernel));
                    nextProgress += 1_000_000_000L;
                }
            }
        } catch (InterruptedException e) {
            manager.stop(vm.name());   // the workers never end by themselves
            manager.forget(vm.name());
            throw e;
        }
        long wall = System.nanoTime() - start;
        long work = workload.work(kernel);
        long scanned = workload.scanned(kernel);
        String problem = !vm.isActive() && vm.failure() != null ? vm.failure() : workload.problem(kernel);
        if (problem != null) {
            manager.stop(vm.name());
            manager.forget(vm.name());
            throw new IllegalStateException("VM " + vm.name() + " failed: " + problem);
        }
        MemoryStats memory = vm.memoryStats();
        List<VcpuStats> backendStats = vm.vcpuStats();
        SleeperTable.Stats table = kernel.sleeperStats();
        long asyncFaults = kernel.tasks().stream().mapToLong(Task::asyncFaults).sum();
        double lost = 0;
        for (GuestVcpuStats s : kernel.vcpuStats()) {
            lost += s.idleNanos() + s.haltWaitNanos();
        }
        for (VcpuStats s : backendStats) {
            lost += s.pageWaitNanos();
        }
        manager.stop(vm.name());
        manager.forget(vm.name());   // not prune(): the user's own ended VMs stay listed
        return new Result(policy, work, scanned, memory == null ? 0 : memory.faults(), asyncFaults,
                table == null ? 0 : table.scheduleWaits(), table == null ? 0 : table.haltWaits(),
                table == null ? 0 : table.dummiesCreated(), 100.0 * lost / ((double) wall * o.vcpus()), wall);
    }

    static String label(WaitPolicy p) {
        return switch (p) {
            case OFF -> "async PF off";
            case HALT_EVERYWHERE -> "halt everywhere";
            case DECISION_TABLE -> "decision table";
        };
    }

    /** The table of one backend's three runs. */
    static String table(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "  %-16s %11s %8s %9s %9s %9s %9s %8s %9s %7s%n", "mode", "work units", "scanned", "faulted",
                "async PF", "schedule", "halt", "dummies", "vCPU idle", "wall"));
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "  %-16s %11d %8d %9d %9d %9d %9d %8d %8.1f%% %6.2fs%n", label(r.policy()), r.work(), r.scanned(),
                    r.pagesFaulted(), r.asyncFaults(), r.scheduleWaits(), r.haltWaits(), r.dummies(), r.idlePercent(),
                    r.wallNanos() / 1e9));
        }
        return b.toString();
    }

    /** Work with the decision table over work without async page faults (per second: the runs last equally long). */
    static double gain(List<Result> results) {
        double off = rate(results, WaitPolicy.OFF);
        return off == 0 ? Double.NaN : rate(results, WaitPolicy.DECISION_TABLE) / off;
    }

    private static double rate(List<Result> results, WaitPolicy p) {
        return results.stream().filter(r -> r.policy() == p).mapToDouble(r -> r.work() / (r.wallNanos() / 1e9)).sum();
    }
}
