package org.paravane.vmm.kernel;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.assertj.core.api.Assumptions;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/** The Linux test programs of guests/linux (built by the guests module) and a way to run one to its end. */
final class LinuxPrograms {
    private LinuxPrograms() {
    }

    /** The program's bytes; a skip when it was not built (the musl variants need musl-gcc). */
    static byte[] program(String name) throws Exception {
        try (InputStream in = LinuxPrograms.class.getResourceAsStream("/guests/linux/" + name)) {
            if (in == null && name.endsWith("-musl")) {
                Assumptions.assumeThat(false).as("musl-gcc was not found when the guests were built: " + name
                        + " was skipped").isTrue();
            }
            if (in == null) {
                throw new IllegalStateException("guests/linux/" + name + " is not on the test classpath");
            }
            return in.readAllBytes();
        }
    }

    /**
     * The standard output of {@code name} run natively on this host with {@code args} (the same static executable),
     * or a skip when the host cannot run x86-64 Linux executables.
     */
    static String runNatively(String name, String... args) throws Exception {
        Assumptions.assumeThat(System.getProperty("os.name")).as("native runs need a Linux host").isEqualTo("Linux");
        Assumptions.assumeThat(System.getProperty("os.arch")).as("native runs need an x86-64 host").isIn("amd64", "x86_64");
        java.nio.file.Path exe = java.nio.file.Files.createTempFile("native-" + name, "");
        try {
            java.nio.file.Files.write(exe, program(name));
            exe.toFile().setExecutable(true);
            List<String> command = new java.util.ArrayList<>(List.of(exe.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } finally {
            java.nio.file.Files.deleteIfExists(exe);
        }
    }

    /** What a run produced. */
    record Run(Task task, String stdout, String stderr) {
        int exitCode() {
            return task.exitCode();
        }
    }

    /** A started kernel running {@code name}: its task, and the kernel to wait on. */
    record Started(GuestKernel kernel, Task task) {
    }

    static Started start(GuestStack stack, FileSystem.Options files, OutputStream stdout, String name, String... args)
            throws Exception {
        return start(stack, 1, files, stdout, name, args);
    }

    /** The same in a VM of {@code vcpus} vCPUs. */
    static Started start(GuestStack stack, int vcpus, FileSystem.Options files, OutputStream stdout, String name,
                         String... args) throws Exception {
        Console console = Console.streams(InputStream.nullInputStream(), stdout, OutputStream.nullOutputStream());
        KernelConfig config = new KernelConfig(PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE, 2000,
                KernelConfig.Console.NONE, null, new LinuxOptions(files, console));
        GuestKernel k = stack.kernel("linux-" + name, vcpus, 64, config);
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/" + name));
        argv.addAll(List.of(args));
        Task t = k.launch(TaskSpec.linuxProcess(name, new LinuxProcessSpec("/bin/" + name, program(name), argv,
                List.of("HOME=/root", "PATH=/bin"))));
        k.start();
        return new Started(k, t);
    }

    /** {@code name} run natively on this host (the programs are x86-64 Linux executables): its standard output. */
    static String runNative(String name, String... args) throws Exception {
        java.nio.file.Path exe = java.nio.file.Files.createTempFile(name, "");
        try {
            java.nio.file.Files.write(exe, program(name));
            exe.toFile().setExecutable(true);
            List<String> cmd = new java.util.ArrayList<>(List.of(exe.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("native " + name + " failed: " + out);
            }
            return out;
        } finally {
            java.nio.file.Files.delete(exe);
        }
    }

    /** Runs {@code name} with {@code args} in a fresh one-vCPU VM of {@code stack}, in {@code files}' view. */
    static Run run(GuestStack stack, FileSystem.Options files, String name, String... args) throws Exception {
        return run(stack, files, new ByteArrayOutputStream(), name, args);
    }

    static Run run(GuestStack stack, FileSystem.Options files, OutputStream stdout, String name, String... args)
            throws Exception {
        return run(stack, 1, files, stdout, name, args);
    }

    /** The same in a VM of {@code vcpus} vCPUs. */
    static Run run(GuestStack stack, int vcpus, FileSystem.Options files, OutputStream stdout, String name,
                   String... args) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = Console.streams(InputStream.nullInputStream(), stdout, err);
        KernelConfig config = new KernelConfig(PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE, 2000,
                KernelConfig.Console.NONE, null, new LinuxOptions(files, console));
        GuestKernel k = stack.kernel("linux-" + name, vcpus, 64, config);
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/" + name));
        argv.addAll(List.of(args));
        Task t = k.launch(TaskSpec.linuxProcess(name, new LinuxProcessSpec("/bin/" + name, program(name), argv,
                List.of("HOME=/root", "PATH=/bin"))));
        GuestStack.runToEnd(k);
        return new Run(t, stdout instanceof ByteArrayOutputStream b ? b.toString() : "", err.toString());
    }
}
