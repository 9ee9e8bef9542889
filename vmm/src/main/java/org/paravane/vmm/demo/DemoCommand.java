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
                       @Descriptor("length of each run, e.g. 3s (a plain number is in ms)") @Parameter(names = {"-t", "--time"}, absentValue = "3s") String time,
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
            return demo(session, backend, vcpus, scanners, workers, latencyMicros, runMillis, sliceMicros,
                    experiments(experiment), Path.of(busybox), noMips);
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

    private String demo(CommandSession session, String backend, int vcpus, int scanners, int workers, long latencyMicros,
                        long runMillis, long sliceMicros, List<String> experiments, Path busybox, boolean noMips)
            throws Exception {
        PrintStream out = session.getConsole();
        List<String> backends = backends(backend);
        // Enough data that scanners fault for the whole run, even where the backend fetches 64 KiB at a time (KVM).
        var options = new AsyncPfExperiment.Options(vcpus, scanners, workers, latencyMicros * 1000, runMillis, sliceMicros,
                64L << 20);
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
                gains.put(e, experiment(out, new ProgramsWorkload(busybox), backends, options));
            }
        }
        if (!noMips) {
            out.printf(Locale.ROOT, "guest MIPS on CPU-bound kernels (1 vCPU):%n");
            out.print(mips(backends));
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
        out.printf(Locale.ROOT, "%nexperiment with %s:%n%s%n%n", workload.key().equals("synthetic")
                ? "Paravane guest programs" : "unmodified Linux programs", workload.describe(options));
        AsyncPfExperiment experiment = new AsyncPfExperiment(manager, workload, out);
        List<Double> gains = new ArrayList<>();
        for (String b : backends) {
            out.printf(Locale.ROOT, "backend %s:%n", b);
            var results = experiment.run(b, options);
            double gain = AsyncPfExperiment.gain(results);
            gains.add(gain);
            out.print(AsyncPfExperiment.table(results));
            out.printf(Locale.ROOT, "  gain (%s, %s): %.2fx%n%n", workload.key(), b, gain);
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

    /** Per-kernel MIPS of every backend; hardware backends borrow the software CPU's instruction counts. */
    private String mips(List<String> backends) throws Exception {
        Map<String, List<CpuKernels.Run>> runs = new LinkedHashMap<>();
        for (String b : backends) {
            runs.put(b, CpuKernels.run(manager, b));
        }
        List<CpuKernels.Run> counted = runs.values().stream().filter(r -> r.getFirst().instructions() > 0).findFirst().orElse(null);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "  %-10s", "backend"));
        for (String[] k : CpuKernels.KERNELS) {
            b.append(String.format(Locale.ROOT, " %10s", k[0]));
        }
        b.append(String.format(Locale.ROOT, "%n"));
        Map<String, double[]> perBackend = new LinkedHashMap<>();
        for (var e : runs.entrySet()) {
            double[] m = new double[CpuKernels.KERNELS.size()];
            b.append(String.format(Locale.ROOT, "  %-10s", e.getKey()));
            for (int i = 0; i < m.length; i++) {
                CpuKernels.Run r = e.getValue().get(i);
                long instructions = r.instructions() > 0 ? r.instructions() : counted == null ? -1 : counted.get(i).instructions();
                m[i] = instructions <= 0 ? Double.NaN : instructions / (r.nanos() / 1e3);
                b.append(String.format(Locale.ROOT, " %10.1f", m[i]));
            }
            b.append(String.format(Locale.ROOT, "   MIPS%n"));
            perBackend.put(e.getKey(), m);
        }
        if (perBackend.containsKey("kvm") && perBackend.containsKey("emulated")) {
            double[] kvm = perBackend.get("kvm"), emu = perBackend.get("emulated");
            b.append(String.format(Locale.ROOT, "  %-10s", "slowdown"));
            for (int i = 0; i < kvm.length; i++) {
                b.append(String.format(Locale.ROOT, " %9.0fx", kvm[i] / emu[i]));
            }
            b.append(String.format(Locale.ROOT, "   emulated vs native (KVM)%n"));
        }
        b.append(String.format(Locale.ROOT, "  reference on this machine: Bochs 2.7 24-50 MIPS, Blink -j 31-38 MIPS,"
                + " QEMU TCG 480-4685 MIPS%n"));
        return b.toString();
    }
}
