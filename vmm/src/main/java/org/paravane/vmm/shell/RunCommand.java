package org.paravane.vmm.shell;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.felix.service.command.CommandSession;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.manager.ManagedVm;
import org.paravane.vmm.manager.VmManager;
import org.paravane.vmm.shell.ProgramLookup.LinuxProgram;
import org.paravane.vmm.shell.ProgramLookup.ParavaneImage;

/**
 * {@code paravane:run}: finds the program ({@link ProgramLookup}) and runs it in a new VM. Paravane images run as
 * they always did (their output and a summary on the session). A Linux program runs as one Linux process with the
 * caller's stdin, stdout and stderr, and the command ends with its exit status: the launcher's own descriptors for a
 * one-shot {@code ./paravane run}, the session's streams in a shell.
 */
final class RunCommand {
    /** Exit statuses of a Linux program stopped from outside, as shells and timeout(1) report them. */
    static final int STOPPED_BY_CTRL_C = 130, STOPPED_BY_TIMEOUT = 124, KILLED = 128 + 9;

    private final VmManager manager;
    private final Interrupts interrupts;
    private final boolean oneShot;
    private final boolean launcherShell;
    private final UnaryOperator<String> hostEnv;

    /**
     * @param oneShot       a one-shot {@code ./paravane <command>}: the launcher's descriptors are the program's
     * @param launcherShell the launcher's interactive shell: the session is on this process's terminal
     */
    RunCommand(VmManager manager, Interrupts interrupts, boolean oneShot, boolean launcherShell, UnaryOperator<String> hostEnv) {
        this.manager = manager;
        this.interrupts = interrupts;
        this.oneShot = oneShot;
        this.launcherShell = launcherShell;
        this.hostEnv = hostEnv;
    }

    Object run(CommandSession session, List<String> args) throws Exception {
        if (args.isEmpty()) {
            throw CommandStatus.usage("usage: " + RunCommandLine.USAGE + "; paravane:images lists the bundled programs");
        }
        RunCommandLine line = RunCommandLine.parse(args, hostEnv);
        if (line.detach && oneShot) {
            throw CommandStatus.usage("--detach needs the interactive shell: a one-shot ./paravane command ends the"
                    + " container, and a detached VM with it. Run ./paravane, then paravane:run --detach ... at its prompt");
        }
        if (line.root != null && !Files.isDirectory(line.root)) {
            throw CommandStatus.usage("--root " + line.root + ": " + (Files.exists(line.root) ? "not a directory" : "no such directory"));
        }
        FileSystem.Options files = new FileSystem.Options(line.root, !line.writableRoot, line.mounts);
        String guestPath = line.env.getOrDefault("PATH", ProgramLookup.GUEST_PATH);
        ProgramLookup lookup = new ProgramLookup(files, guestPath, hostEnv.apply("PATH"));
        return switch (lookup.find(line.program, line.argument)) {
            case ParavaneImage first -> paravane(session, line, first, lookup);
            case LinuxProgram program -> linux(session, line, program);
        };
    }

    // ---------------------------------------------------------------- Paravane images

    private String paravane(CommandSession session, RunCommandLine line, ParavaneImage first, ProgramLookup lookup) throws Exception {
        List<String> texts = line.imagesAndOptions(hostEnv);
        if (line.root != null || !line.mounts.isEmpty() || line.writableRoot || !line.env.isEmpty()
                || !line.lazyFiles.isEmpty()) {
            throw CommandStatus.usage("--root, --rw, --mount, --env and --lazy-file are for Linux programs; " + line.program
                    + " is a Paravane image");
        }
        List<ParavaneImage> images = new ArrayList<>();
        images.add(first);
        for (String text : texts.subList(1, texts.size())) {
            if (!(lookup.find(text, line.argument) instanceof ParavaneImage image)) {
                throw CommandStatus.usage(text + " is a Linux program: it runs alone, as the first argument, with its own"
                        + " arguments after it (here " + line.program + " is a Paravane image)");
            }
            images.add(image);
        }
        List<VmDefinition.Launch> launches = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ParavaneImage image = images.get(i);
            launches.add(new VmDefinition.Launch(image.image().name(), image.image(), image.argument(),
                    line.source == null ? -1 : i, images.size()));
        }
        VmDefinition def = new VmDefinition(line.name, line.backend, line.vcpus, line.memoryMiB, line.source, line.dataSize,
                launches, line.policy, null, null, line.cpuModel, null, line.backendOptions);
        PrintStream out = session.getConsole();
        ManagedVm vm = manager.run(def, line.detach ? KernelConfig.Console.NONE : (task, text) -> out.print(text));
        if (line.detach) {
            return "VM " + vm.name() + " started on " + vm.backend();
        }
        String stoppedBy = awaitForeground(vm, line.timeout);
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
                .append(" after ").append(VmCommands.millis(vm.uptime()));
        if (vm.failure() != null) {
            b.append(" (").append(vm.failure()).append(')');
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- Linux programs

    private Object linux(CommandSession session, RunCommandLine line, LinuxProgram program) throws Exception {
        if (line.source != null || line.dataSize != 0 || line.argument != 0) {
            throw CommandStatus.usage("--source, --data-size and --arg are for Paravane images; " + line.program
                    + " is a Linux program (its arguments go after it)");
        }
        Console console = line.detach ? Console.streams(InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream()) : callerConsole(session);
        List<String> argv = new ArrayList<>();
        argv.add(line.program);
        argv.addAll(line.rest);
        LinuxProcessSpec process = new LinuxProcessSpec(program.guestPath(), program.executable(), argv,
                environment(line.env, console.terminal()));
        String taskName = program.guestPath().substring(program.guestPath().lastIndexOf('/') + 1);
        VmDefinition def = new VmDefinition(line.name, line.backend, line.vcpus, line.memoryMiB, null, 0,
                List.of(VmDefinition.Launch.linuxProcess(taskName, process)), line.policy, null, null, line.cpuModel,
                new LinuxOptions(program.files(), console, line.lazyFiles), line.backendOptions);
        // Kernel lines about the process (an unknown system call) go to its stderr, never into its stdout.
        PrintStream kernelLines = new PrintStream(console.err(), true);
        ManagedVm vm;
        try {
            vm = manager.run(def, line.detach ? KernelConfig.Console.NONE : (task, text) -> kernelLines.print(text));
        } catch (RuntimeException e) {
            throw refused(line.program, e);
        }
        if (line.detach) {
            return "VM " + vm.name() + " started on " + vm.backend() + " (its output: paravane:console " + vm.name() + ")";
        }
        String stoppedBy = awaitForeground(vm, line.timeout);
        Task task = vm.kernel().tasks().getFirst();
        manager.forget(vm.name());
        console.out().flush();
        int status;
        String why;
        if (stoppedBy != null) {
            status = stoppedBy.equals("Ctrl-C") ? STOPPED_BY_CTRL_C : STOPPED_BY_TIMEOUT;
            why = "stopped by " + stoppedBy;
        } else if (vm.state() == ManagedVm.State.FAILED) {
            status = 1;
            why = "its VM failed: " + vm.failure();
        } else {
            Integer code = task.exitCode();
            status = code == null || code < 0 ? KILLED : code & 0xff;
            why = task.failure();
        }
        if (oneShot) {
            if (why != null) {
                kernelLines.println("paravane: " + line.program + ": " + why);
            }
            return new ExitStatus(status);
        }
        return status == 0 && why == null ? null
                : line.program + " " + (why != null ? why + "; " : "") + "exit status " + status;
    }

    /** A loader's refusal (not an executable it can run) is 126, as a shell says; anything else stays as it is. */
    private static RuntimeException refused(String program, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidImageException) {
                return CommandStatus.cannotRun(program + ": " + t.getMessage());
            }
        }
        return e;
    }

    /** The defaults, then {@code --env}: PATH, HOME, LANG, and TERM on a terminal. */
    private Map<String, String> environmentMap(Map<String, String> given, boolean terminal) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", ProgramLookup.GUEST_PATH);
        env.put("HOME", "/");
        env.put("LANG", "C.UTF-8");
        if (terminal) {
            String term = hostEnv.apply("TERM");
            env.put("TERM", term == null || term.isBlank() ? "xterm" : term);
        }
        env.putAll(given);
        return env;
    }

    private List<String> environment(Map<String, String> given, boolean terminal) {
        return environmentMap(given, terminal).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /**
     * The program's stdin, stdout and stderr: the launcher's own descriptors when this process's terminal (or pipes)
     * are the user's, else the session's streams. A terminal when stdin and stdout both are one; its size from stdout.
     */
    private Console callerConsole(CommandSession session) {
        if (oneShot || launcherShell) {
            InputStream in = oneShot ? new FileInputStream(FileDescriptor.in) : session.getKeyboard();
            OutputStream out = new FileOutputStream(FileDescriptor.out), err = new FileOutputStream(FileDescriptor.err);
            var size = Terminal.size(1);
            if (size.isPresent() && Terminal.size(0).isPresent()) {
                return Console.terminal(in, out, err, size.get().rows(), size.get().columns());
            }
            return Console.streams(in, out, err);
        }
        return Console.streams(session.getKeyboard(), session.getConsole(), session.getConsole());
    }

    // ---------------------------------------------------------------- the foreground

    /**
     * Waits for a foreground VM to end; the timeout stops it, Ctrl-C reaches its Linux programs as SIGINT (or stops a
     * VM without any). What stopped it, or null when it ended by
     * itself. A foreground VM never outlives its command: if this thread is interrupted the VM is stopped too.
     */
    private String awaitForeground(ManagedVm vm, Duration limit) throws InterruptedException {
        AtomicReference<String> stoppedBy = new AtomicReference<>();
        try (Interrupts.Registration ctrlC = interrupts.foregroundEveryTime(() -> {
            if (!vm.kernel().interruptForeground()) {   // no Linux program takes it as SIGINT: the VM stops
                stoppedBy.compareAndSet(null, "Ctrl-C");
                manager.stop(vm.name());
            }
        })) {
            if (limit == null) {
                vm.awaitEnd();
            } else if (!vm.awaitEnd(limit)) {
                stoppedBy.compareAndSet(null, "--timeout " + VmCommands.millis(limit));
                manager.stop(vm.name());
            }
        } finally {
            if (vm.isActive()) {
                manager.stop(vm.name());
            }
        }
        return stoppedBy.get();
    }
}
