package org.paravane.vmm.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.paravane.vmm.manager.VmManager;
import org.paravane.vmm.shell.Durations;
import org.paravane.vmm.shell.Interrupts;

/** {@code paravane:demo}, the main job: the async page fault experiment and guest MIPS on every usable backend. */
@Component(service = DemoCommand.class, property = {"osgi.command.scope=paravane", "osgi.command.function=demo"})
public class DemoCommand {

    /** Rounds of the MIPS table's columns: the best shows the steady rate, the first the warm-up. */
    private static final int MIPS_ROUNDS = 2;

    private final VmManager manager;
    private final Interrupts interrupts;

    @Activate
    public DemoCommand(@Reference VmManager manager, @Reference Interrupts interrupts) {
        this.manager = manager;
        this.interrupts = interrupts;
    }

    @Descriptor("the 2010 async page fault experiment three ways, and guest MIPS, on every usable backend")
    public String demo(CommandSession session,
                       @Descriptor("backend to run on, or all (default: all usable, KVM first)") @Parameter(names = {"-b", "--backend"}, absentValue = "all") String backend,
                       @Descriptor("vCPUs") @Parameter(names = {"-c", "--vcpus"}, absentValue = "2") int vcpus,
                       @Descriptor("scanner tasks") @Parameter(names = {"--scanners"}, absentValue = "2") int scanners,
                       @Descriptor("worker tasks") @Parameter(names = {"--workers"}, absentValue = "2") int workers,
                       @Descriptor("latency of each restored page, e.g. 3ms, 100us (a plain number is in us)") @Parameter(names = {"-l", "--latency"}, absentValue = "3ms") String latency,
                       @Descriptor("timed length of each run, after its warm-up, e.g. 2s (a plain number is in ms)") @Parameter(names = {"-t", "--time"}, absentValue = "2s") String time,
                       @Descriptor("rounds of the three modes, alternating (each mode reported by its median)") @Parameter(names = {"-r", "--rounds"}, absentValue = "3") int rounds,
                       @Descriptor("preemption tick, e.g. 2ms (a plain number is in us)") @Parameter(names = {"--slice"}, absentValue = "2ms") String slice,
                       @Descriptor("which experiment: synthetic (Paravane guest programs), programs (unmodified busybox), or all") @Parameter(names = {"-e", "--experiment"}, absentValue = "all") String experiment,
                       @Descriptor("the static busybox the programs experiment runs") @Parameter(names = {"--busybox"}, absentValue = "/bin/busybox") String busybox,
                       @Descriptor("skip the CPU kernels") @Parameter(names = {"--no-mips"}, presentValue = "true", absentValue = "false") boolean noMips)
            throws Exception {
        long latencyMicros = Durations.parse(latency, "--latency", ChronoUnit.MICROS).toNanos() / 1000;
        long runMillis = Durations.parse(time, "--time", ChronoUnit.MILLIS).toMillis();
        long sliceMicros = Durations.parse(slice, "--slice", ChronoUnit.MICROS).toNanos() / 1000;
        Thread demo = Thread.currentThread();
        AtomicBoolean interrupted = new AtomicBoolean();
        try (Interrupts.Registration ctrlC = interrupts.foreground(() -> {
            interrupted.set(true);
            demo.interrupt();
        })) {
            var options = new AsyncPfExperiment.Options(vcpus, scanners, workers, latencyMicros * 1000, runMillis,
                    sliceMicros, dataPerScanner(latencyMicros, runMillis), rounds);
            return demo(session, backend, options, experiments(experiment), Path.of(busybox), noMips);
        } catch (InterruptedException e) {
            if (!interrupted.get()) {
                throw e;
            }
            throw new IllegalStateException("demo stopped by Ctrl-C (its VM was stopped); the container keeps running");
        } finally {
            if (interrupted.get()) {
                Thread.interrupted();   // a Ctrl-C after the last wait must not reach the shell's next command
            }
        }
    }

    private static List<String> experiments(String requested) {
        return switch (requested) {
            case "all" -> List.of("synthetic", "programs");
            case "synthetic", "programs" -> List.of(requested);
            default -> throw new IllegalArgumentException("--experiment '" + requested
                    + "' is none of synthetic, programs, all");
        };
    }

    /**
     * Enough data that a scanner faults for the whole run (warm-up and timed part), even one that waits for nothing
     * but its pages, or where the backend fetches 64 KiB at a time (KVM): at least 64 MiB, at most 256 MiB.
     */
    static long dataPerScanner(long latencyMicros, long runMillis) {
        long pages = 2 * runMillis * 1000 / Math.max(1, latencyMicros) * 5 / 4;
        return Math.clamp(pages * 4096, 64L << 20, 256L << 20);
    }

    private String demo(CommandSession session, String backend, AsyncPfExperiment.Options options,
                        List<String> experiments, Path busybox, boolean noMips) throws Exception {
        PrintStream out = session.getConsole();
        List<String> backends = backends(backend);
        out.printf(Locale.ROOT, "Paravane demo: the 2010 async page fault experiment, backends: %s%n",
                String.join(", ", backends));
        Map<String, Double> gains = new LinkedHashMap<>();   // per experiment, on the first backend
        for (String e : experiments) {
            if (e.equals("synthetic")) {
                gains.put(e, experiment(out, new SyntheticWorkload(), backends, options));
            } else if (!Files.isRegularFile(busybox)) {
                out.printf(Locale.ROOT, "%nexperiment with Linux programs skipped: no %s (apt-get install busybox-static,"
                        + " or name a static busybox with --busybox)%n", busybox);
            } else {
                for (ProgramsWorkload.Scanner scanner : ProgramsWorkload.Scanner.values()) {
                    ProgramsWorkload w = new ProgramsWorkload(busybox, scanner);
                    gains.put(w.key(), experiment(out, w, backends, options));
                }
            }
        }
        if (!noMips) {
            out.printf(Locale.ROOT, "guest MIPS on CPU-bound kernels (1 vCPU; the software CPU's VMs interpreting"
                    + " and translating by their %s option):%n", MipsTable.TRANSLATION);
            out.print(MipsTable.run(manager, MipsTable.columns(backends), MIPS_ROUNDS));
        }
        StringBuilder summary = new StringBuilder();
        for (var g : gains.entrySet()) {
            summary.append(summary.isEmpty() ? "\ngain: " : ", ")
                    .append(String.format(Locale.ROOT, "%.2fx (%s)", g.getValue(), g.getKey()));
        }
        return summary.toString();
    }

    /** One experiment on every backend: its tables and gain lines; the first backend's gain (KVM when usable). */
    private double experiment(PrintStream out, Workload workload, List<String> backends,
                                     AsyncPfExperiment.Options options) throws Exception {
        out.printf(Locale.ROOT, "%nexperiment with %s:%n%s; %d rounds of off, halt, table, each run timed after it"
                + " warms up%n%n", workload.key().equals("synthetic") ? "Paravane guest programs"
                : "unmodified Linux programs", workload.describe(options), options.rounds());
        AsyncPfExperiment experiment = new AsyncPfExperiment(manager, workload, out);
        List<Double> gains = new ArrayList<>();
        for (String b : backends) {
            out.printf(Locale.ROOT, "backend %s:%n", b);
            var results = experiment.run(b, options);
            gains.add(ModeSummary.gain(results));
            out.print(ModeSummary.table(results));
            out.print(ModeSummary.gainLine(workload.key(), b, results));
            out.println();
        }
        return gains.getFirst();
    }

    private List<String> backends(String requested) {
        List<String> usable = manager.usableBackends();
        if (usable.isEmpty()) {
            throw new IllegalStateException("no usable backend (" + manager.describeBackends() + ")");
        }
        if (!requested.equals("all")) {
            if (!usable.contains(requested)) {
                throw new IllegalArgumentException("backend '" + requested + "' is not usable (" + manager.describeBackends() + ")");
            }
            return List.of(requested);
        }
        List<String> ordered = new ArrayList<>(usable);
        ordered.sort((a, b) -> a.equals("kvm") ? -1 : b.equals("kvm") ? 1 : a.compareTo(b));
        return ordered;
    }
}
