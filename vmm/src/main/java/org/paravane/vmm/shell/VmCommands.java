package org.paravane.vmm.shell;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.memory.MemoryStats;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.GuestVcpuStats;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.manager.GuestImages;
import org.paravane.vmm.manager.ManagedVm;
import org.paravane.vmm.manager.VmManager;
import org.paravane.vmm.source.SourceSpec;

/**
 * {@code paravane:run}, {@code vms}, {@code stats}, {@code kill}, {@code migrate}, {@code snapshot}, {@code images}.
 * Stopping a VM is {@code kill}, not {@code stop}: an unscoped {@code stop 14} must stay Felix's bundle command.
 * A command typed without its arguments answers with its usage line (the overloads without parameters).
 */
@Component(service = VmCommands.class, property = {
        "osgi.command.scope=paravane",
        "osgi.command.function=run", "osgi.command.function=vms", "osgi.command.function=stats",
        "osgi.command.function=kill", "osgi.command.function=migrate", "osgi.command.function=snapshot",
        "osgi.command.function=images"})
public class VmCommands {

    private final VmManager manager;
    private final Interrupts interrupts;
    private final boolean oneShot;

    @Activate
    public VmCommands(BundleContext context, @Reference VmManager manager, @Reference Interrupts interrupts) {
        this.manager = manager;
        this.interrupts = interrupts;
        String command = context.getProperty(CommandLineRunner.COMMAND);
        this.oneShot = command != null && !command.isBlank();
    }

    static IllegalArgumentException usage(String usage) {
        return new IllegalArgumentException("usage: " + usage);
    }

    @Descriptor("run guest programs (bundled names like hello, or ELF files; name:arg sets a task's argument) in a new VM"
            + " and wait for it; with a data region each task sees its own equal slice")
    public String run(CommandSession session,
                      @Descriptor("backend (kvm, emulated); default: the configured one") @Parameter(names = {"-b", "--backend"}, absentValue = "") String backend,
                      @Descriptor("guest RAM, e.g. 64M") @Parameter(names = {"-m", "--memory"}, absentValue = "") String memory,
                      @Descriptor("vCPUs") @Parameter(names = {"-c", "--vcpus"}, absentValue = "1") int vcpus,
                      @Descriptor("data region page source: file:<path>, snapshot:<path>, pattern[:seed], zero, with ,latency=..,bandwidth=..")
                      @Parameter(names = {"-s", "--source"}, absentValue = "") String source,
                      @Descriptor("data region size, e.g. 16M (default: the source's length)") @Parameter(names = {"-d", "--data-size"}, absentValue = "") String dataSize,
                      @Descriptor("the task's argument (RDI)") @Parameter(names = {"-a", "--arg"}, absentValue = "0") long argument,
                      @Descriptor("async page faults: table, halt, off") @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
                      @Descriptor("VM name") @Parameter(names = {"-n", "--name"}, absentValue = "") String name,
                      @Descriptor("return at once; watch it with paravane:vms, paravane:console, paravane:stats") @Parameter(names = {"--detach"}, presentValue = "true", absentValue = "false") boolean detach,
                      @Descriptor("stop the VM if it has not ended after this long, e.g. 30s, 2m (Ctrl-C stops it earlier)")
                      @Parameter(names = {"-t", "--timeout"}, absentValue = "") String timeout,
                      @Descriptor("images: bundled program names or paths to ELF files, each optionally :arg") String[] images) throws Exception {
        PrintStream out = session.getConsole();
        if (images.length == 0) {
            throw usage("paravane:run [options] <image[:arg]>... (paravane:images lists the bundled programs; help run lists the options)");
        }
        if (detach && oneShot) {
            throw new IllegalArgumentException("--detach needs the interactive shell: a one-shot ./paravane command ends the"
                    + " container, and a detached VM with it. Run ./paravane, then paravane:run --detach ... at its prompt");
        }
        Duration limit = timeout.isEmpty() ? null : Durations.parse(timeout, "--timeout", ChronoUnit.SECONDS);
        SourceSpec spec = source.isEmpty() ? null : SourceSpec.parse(source);
        List<VmDefinition.Launch> launches = new java.util.ArrayList<>();
        for (int i = 0; i < images.length; i++) {
            ImageArgument image = ImageArgument.parse(images[i], argument);
            var elf = GuestImages.load(image.image());
            launches.add(new VmDefinition.Launch(elf.name(), elf, image.argument(), spec == null ? -1 : i, images.length));
        }
        VmDefinition def = new VmDefinition(name.isEmpty() ? null : name, backend.isEmpty() ? null : backend, vcpus,
                memory.isEmpty() ? null : (int) (Sizes.parse(memory, "--memory") >> 20), spec,
                dataSize.isEmpty() ? 0 : Sizes.parse(dataSize, "--data-size"), launches,
                policy.isEmpty() ? null : WaitPolicy.of(policy), null, null);
        KernelConfig.Console console = detach ? KernelConfig.Console.NONE : (task, text) -> out.print(text);
        ManagedVm vm = manager.run(def, console);
        if (detach) {
            return "VM " + vm.name() + " started on " + vm.backend();
        }
        String stoppedBy = awaitForeground(vm, limit);
        String summary = summary(vm);
        boolean ok = vm.state() == ManagedVm.State.FINISHED
                && vm.kernel().tasks().stream().allMatch(t -> Integer.valueOf(0).equals(t.exitCode()));
        manager.forget(vm.name());   // its results were just printed; detached VMs stay listed until stopped/replaced
        if (stoppedBy != null) {
            throw new IllegalStateException(summary.strip() + System.lineSeparator() + "VM " + vm.name() + " was stopped by "
                    + stoppedBy + "; the container and other VMs keep running");
        }
        if (!ok) {
            throw new IllegalStateException(summary.strip());
        }
        return summary;
    }

    /**
     * Waits for a foreground VM to end; Ctrl-C or the timeout stop it. What stopped it, or null when it ended by
     * itself. A foreground VM never outlives its command: if this thread is interrupted the VM is stopped too.
     */
    private String awaitForeground(ManagedVm vm, Duration limit) throws InterruptedException {
        AtomicReference<String> stoppedBy = new AtomicReference<>();
        try (Interrupts.Registration ctrlC = interrupts.foreground(() -> {
            stoppedBy.compareAndSet(null, "Ctrl-C");
            manager.stop(vm.name());
        })) {
            if (limit == null) {
                vm.awaitEnd();
            } else if (!vm.awaitEnd(limit)) {
                stoppedBy.compareAndSet(null, "--timeout " + millis(limit));
                manager.stop(vm.name());
            }
        } finally {
            if (vm.isActive()) {
                manager.stop(vm.name());
            }
        }
        return stoppedBy.get();
    }

    private static String summary(ManagedVm vm) {
        StringBuilder b = new StringBuilder();
        for (Task t : vm.kernel().tasks()) {
            b.append(t).append(' ').append(t.failure() != null ? "killed: " + t.failure() : "exited with " + t.exitCode());
            if (!t.reports().isEmpty()) {
                b.append("; reports ").append(t.reports().entrySet().stream()
                        .map(e -> e.getKey() + "=0x" + Long.toHexString(e.getValue())).collect(Collectors.joining(", ")));
            }
            b.append(System.lineSeparator());
        }
        b.append("VM ").append(vm.name()).append(" on ").append(vm.backend()).append(": ").append(vm.state().name().toLowerCase(Locale.ROOT))
                .append(" after ").append(millis(vm.uptime()));
        if (vm.failure() != null) {
            b.append(" (").append(vm.failure()).append(')');
        }
        return b.toString();
    }

    @Descriptor("list the VMs: backend, state, vCPUs, memory, tasks; ended ones as far back as historySize")
    public String vms(@Descriptor("forget the ended VMs (their output and stats go with them)")
                      @Parameter(names = {"--clear"}, presentValue = "true", absentValue = "false") boolean clear) {
        if (clear) {
            int forgotten = manager.prune();
            return forgotten + " ended VM" + (forgotten == 1 ? "" : "s") + " forgotten";
        }
        TextTable table = new TextTable("VM", "BACKEND", "STATE", "VCPUS", "MEMORY", "TASKS", "MOVES", "UPTIME", "DATA SOURCE");
        for (ManagedVm vm : manager.vms()) {
            List<Task> tasks = vm.kernel().tasks();
            long running = tasks.stream().filter(t -> t.state() != Task.State.EXITED).count();
            VmDefinition d = vm.definition();
            table.row(vm.name(), vm.backend(), vm.state().name().toLowerCase(Locale.ROOT), d.vcpus(),
                    (vm.kernel().vm().spec().regions().stream().filter(r -> !r.lazy()).mapToLong(r -> r.size()).sum() >> 20) + " MiB",
                    running + "/" + tasks.size(), vm.migrations(), millis(vm.uptime()), vm.pageSource());
        }
        return table.isEmpty() ? "no VMs" : table.toString();
    }

    @Descriptor("statistics of a VM: memory, async page faults, vCPUs, tasks")
    public String stats(@Descriptor("VM name") String name) {
        ManagedVm vm = manager.vm(name);
        GuestKernel k = vm.kernel();
        StringBuilder b = new StringBuilder();
        String nl = System.lineSeparator();
        b.append("VM ").append(vm.name()).append(" on ").append(vm.backend()).append(", ")
                .append(vm.state().name().toLowerCase(Locale.ROOT)).append(" for ").append(millis(vm.uptime()))
                .append(", wait policy ").append(k.configuration().waitPolicy().key()).append(", ")
                .append(k.configuration().preemption().name().toLowerCase(Locale.ROOT)).append(" kernel").append(nl);
        if (vm.failure() != null) {
            b.append("failure: ").append(vm.failure()).append(nl);
        }
        if (vm.isActive() && vm.state() != ManagedVm.State.PARKED) {
            MemoryStats m = k.vm().memory().stats();
            b.append("memory: ").append(m.presentPages()).append(" pages present, ").append(m.absentPages()).append(" absent, ")
                    .append(m.faults()).append(" faults, ").append(m.fetchedPages()).append(" fetched, ")
                    .append(m.zeroPages()).append(" zero, ").append(m.fetchErrors()).append(" fetch errors").append(nl);
        }
        SleeperTable.Stats s = k.sleeperStats();
        b.append("async PF: ").append(s == null ? "off (no sleeper table)" : s.scheduleWaits() + " schedule waits, "
                + s.haltWaits() + " halt waits, " + s.wakes() + " wakes, " + s.wakeAllWoken() + " woken by wake-all, "
                + s.dummiesCreated() + " dummies (" + s.dummiesConsumed() + " consumed, " + s.dummiesDiscarded()
                + " discarded), " + s.released() + " released").append(nl);
        TextTable cpus = new TextTable("VCPU", "TASK RUNS", "EXITS", "HYPERCALLS", "TRAPS", "PAGE READY", "BUSY", "IDLE", "HALT WAIT");
        for (GuestVcpuStats v : k.vcpuStats()) {
            cpus.row(v.vcpu(), v.taskRuns(), v.exits(), v.hypercalls(), v.traps(), v.pageReady(), millis(v.busyNanos()),
                    millis(v.idleNanos()), millis(v.haltWaitNanos()));
        }
        b.append(cpus);
        TextTable tasks = new TextTable("TASK", "NAME", "STATE", "CPL", "VCPU", "WORK", "EXIT", "REPORTS");
        for (Task t : k.tasks()) {
            tasks.row(t.id(), t.name(), t.state().name().toLowerCase(Locale.ROOT), t.cpl(), t.home(), k.workOf(t),
                    t.exitCode() == null ? "-" : t.exitCode(), t.failure() != null ? t.failure() : t.reports().entrySet().stream()
                            .map(e -> e.getKey() + "=0x" + Long.toHexString(e.getValue())).collect(Collectors.joining(" ")));
        }
        b.append(tasks);
        return b.append(syscalls(k.tasks())).toString();
    }

    /** How many top calls by time {@code stats} names per task. */
    static final int TOP_CALLS = 5;

    /** Per task: system calls made, time in them, and the calls that took the most time. */
    static String syscalls(List<Task> tasks) {
        TextTable table = new TextTable("TASK", "SYSCALLS", "TIME", "TOP CALLS BY TIME (count, time)");
        for (Task t : tasks) {
            var stats = t.syscallStats();
            table.row(t.id(), stats.total(), micros(stats.totalNanos()), stats.byTime(t.abi()).stream().limit(TOP_CALLS)
                    .map(c -> c.name() + " " + c.count() + "x " + micros(c.nanos())).collect(Collectors.joining(", ")));
        }
        return table.toString();
    }

    /** Microseconds below 10 ms, milliseconds above: system calls are short. */
    static String micros(long nanos) {
        return nanos < 10_000_000 ? String.format(Locale.ROOT, "%.1f us", nanos / 1e3) : millis(nanos);
    }

    @Descriptor("statistics of a VM")
    public String stats() {
        throw usage("paravane:stats <vm> (paravane:vms lists the VMs)");
    }

    @Descriptor("stop a VM at once (its tasks do not finish); Felix's own stop <bundle> stays as it is")
    public String kill(@Descriptor("VM name") String name) {
        manager.stop(name);
        return "VM " + name + " stopped";
    }

    @Descriptor("stop a VM")
    public String kill() {
        throw usage("paravane:kill <vm> (paravane:vms lists the VMs)");
    }

    @Descriptor("move a running VM to another backend")
    public String migrate() {
        throw usage("paravane:migrate <vm> <backend> (paravane:backends lists the backends)");
    }

    @Descriptor("move a running VM to another backend")
    public String migrate(String name) {
        return migrate();
    }

    @Descriptor("save a running VM's memory to a file")
    public String snapshot() {
        throw usage("paravane:snapshot <vm> <file>");
    }

    @Descriptor("save a running VM's memory to a file")
    public String snapshot(String name) {
        return snapshot();
    }

    @Descriptor("move a running VM to another backend, with its complete state")
    public String migrate(@Descriptor("VM name") String name, @Descriptor("target backend") String backend) throws Exception {
        long t0 = System.nanoTime();
        manager.migrate(name, backend);
        return "VM " + name + " now runs on " + backend + " (moved in " + millis(System.nanoTime() - t0) + ")";
    }

    @Descriptor("save a running VM's memory (every region, with a checksum per page) to a file; the vCPUs, tasks and"
            + " kernel are not saved. --source snapshot:<file> gives a new VM the saved data region, restored lazily")
    public String snapshot(@Descriptor("replace the file even if it is not a snapshot (never a directory or device)")
                           @Parameter(names = {"-f", "--force"}, presentValue = "true", absentValue = "false") boolean force,
                           @Descriptor("VM name") String name, @Descriptor("file") String file) throws Exception {
        long bytes = manager.snapshot(name, Path.of(file), force);
        return "VM " + name + " saved to " + file + " (" + (bytes >> 10) + " KiB on disk)";
    }

    @Descriptor("list the guest programs shipped with Paravane")
    public String images() {
        return GuestImages.describe();
    }

    static String millis(Duration d) {
        return millis(d.toNanos());
    }

    static String millis(long nanos) {
        double ms = nanos / 1e6;
        return ms >= 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000) : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
