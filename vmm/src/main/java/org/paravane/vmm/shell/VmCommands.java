package org.paravane.vmm.shell;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.GuestVcpuStats;
import org.paravane.vmm.manager.GuestImages;
import org.paravane.vmm.manager.ManagedVm;
import org.paravane.vmm.manager.VmManager;

/**
 * {@code paravane:run}, {@code vms}, {@code stats}, {@code kill}, {@code shutdown}, {@code migrate}, {@code snapshot},
 * {@code images}. Stopping a VM is {@code kill} (at once) or {@code shutdown} (asked first), not {@code stop}: an
 * unscoped {@code stop 14} must stay Felix's bundle command.
 * A command typed without its arguments answers with its usage line (the overloads without parameters).
 */
@Component(service = VmCommands.class, property = {
        "osgi.command.scope=paravane",
        "osgi.command.function=run", "osgi.command.function=vms", "osgi.command.function=stats",
        "osgi.command.function=kill", "osgi.command.function=shutdown", "osgi.command.function=migrate", "osgi.command.function=snapshot",
        "osgi.command.function=images"})
public class VmCommands {

    private final VmManager manager;
    private final Interrupts interrupts;
    private final boolean oneShot;
    private final boolean launcherShell;

    @Activate
    public VmCommands(BundleContext context, @Reference VmManager manager, @Reference Interrupts interrupts) {
        this.manager = manager;
        this.interrupts = interrupts;
        String command = context.getProperty(CommandLineRunner.COMMAND);
        this.oneShot = command != null && !command.isBlank();
        this.launcherShell = Boolean.parseBoolean(context.getProperty(InteractiveShell.PROPERTY));
    }

    static IllegalArgumentException usage(String usage) {
        return new IllegalArgumentException("usage: " + usage);
    }

    @Descriptor("run a program in a new VM and wait for it. A static Linux x86-64 executable runs as a Linux process"
            + " with this session's stdin, stdout and stderr, everything after it being its arguments; the command ends"
            + " with its exit status. Paravane images (bundled names like hello, or files with the Paravane note;"
            + " name:arg sets a task's argument) run as tasks of one VM, options and further images mixed."
            + " Options (before the program): -b/--backend kvm|emulated, -m/--memory 64M, -c/--vcpus N, -t/--timeout 30s,"
            + " -n/--name NAME, --detach (shell only; watch with paravane:console, paravane:stats), --cpu MODEL;"
            + " Linux programs: -r/--root DIR (the guest's /, read-only), -w/--rw (writes to / kept in the VM's memory),"
            + " -v/--mount host:guest[:ro] (repeatable), -e/--env NAME[=VALUE] (repeatable; defaults PATH, HOME, LANG, TERM),"
            + " --lazy-file /guest/path=SOURCE[,size=N] (repeatable; a read-only file whose pages a page source serves"
            + " lazily, e.g. file:/srv/data,latency=200us: touching an absent page is an async page fault),"
            + " -p/--policy table|halt|off;"
            + " Paravane images: -a/--arg N, -s/--source SPEC, -d/--data-size SIZE, -p/--policy table|halt|off")
    public Object run(CommandSession session, @Descriptor("[options] <program> [args...]") String[] args) throws Exception {
        return new RunCommand(manager, interrupts, oneShot, launcherShell, System::getenv).run(session, List.of(args));
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
                .append(k.configuration().preemption().name().toLowerCase(Locale.ROOT)).append(" kernel, CPU model ")
                .append(k.configuration().cpuModel() == null ? "-" : k.configuration().cpuModel().name()).append(nl);
        if (vm.failure() != null) {
            b.append("failure: ").append(vm.failure()).append(nl);
        }
        Map<String, String> options = k.vm().spec().backendOptions();
        if (!options.isEmpty()) {
            b.append("backend options: ").append(options.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", "))).append(nl);
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
        List<org.paravane.vmm.kernel.abi.linux.ProcessInfo> processes = k.linuxProcesses();
        if (!processes.isEmpty()) {
            TextTable tree = new TextTable("PID", "PPID", "PGID", "SID", "STATE", "THREADS", "PROCESS");
            for (var p : processes) {
                tree.row(p.pid(), p.ppid(), p.pgid(), p.sid(), p.state(), p.threads(), "  ".repeat(p.depth()) + p.name());
            }
            b.append(tree);
        }
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

    @Descriptor("ask a VM to end (its Linux processes get SIGTERM), and stop it at once if it has not ended within the"
            + " grace period")
    public String shutdown(@Descriptor("how long the VM's programs have to end, e.g. 500ms, 5s (default 5s)")
                           @Parameter(names = {"-g", "--grace"}, absentValue = "5s") String grace,
                           @Descriptor("VM name") String name) throws InterruptedException {
        Duration wait = Durations.parse(grace, "--grace", ChronoUnit.SECONDS);
        ManagedVm.State end = manager.shutdown(name, wait);
        return "VM " + name + (end == ManagedVm.State.STOPPED ? " stopped after " + millis(wait.toNanos())
                + " (its programs had not ended)" : " ended (" + end.name().toLowerCase(Locale.ROOT) + ")");
    }

    @Descriptor("ask a VM to end")
    public String shutdown() {
        throw usage("paravane:shutdown [-g|--grace 5s] <vm> (paravane:vms lists the VMs)");
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
