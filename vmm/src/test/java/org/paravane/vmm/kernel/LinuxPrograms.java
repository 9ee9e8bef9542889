package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * The Linux programs the tests run, and one way to run them, as a guest Linux process or natively for the expected
 * output: the test programs of guests/linux (on the test class path, by name), the real programs the guests module
 * builds into guests/target/linux-programs (Lua, busybox, sysbench) and the upstream suites, found through the system
 * properties the vmm build sets. A missing program or folder is a skip that says why.
 */
final class LinuxPrograms {
    /** The environment of a real program, guest or native. */
    static final List<String> ENV = List.of("PATH=/bin:/usr/bin", "HOME=/", "LANG=C", "TZ=UTC");
    /** The environment of a test program. */
    static final List<String> TEST_ENV = List.of("HOME=/root", "PATH=/bin");

    private LinuxPrograms() {
    }

    /** A test program's bytes; a skip when it was not built (the musl variants need musl-gcc). */
    static byte[] program(String name) throws IOException {
        try (InputStream in = LinuxPrograms.class.getResourceAsStream("/guests/linux/" + name)) {
            Assumptions.assumeTrue(in != null || !name.endsWith("-musl"),
                    () -> "musl-gcc was not found when the guests were built: " + name + " was skipped");
            if (in == null) {
                throw new IllegalStateException("guests/linux/" + name + " is not on the test classpath");
            }
            return in.readAllBytes();
        }
    }

    /** A built real program, or a skip naming what is missing. */
    static Path realProgram(String name) {
        String dir = System.getProperty("paravane.linux.programs", "../guests/target/linux-programs");
        Path p = Path.of(dir, name).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(p), () -> "skipped: " + p + " was not built ("
                + switch (name) {
                    case "lua" -> "the guests build makes it from the conformance folder, " + conformanceDir();
                    case "busybox" -> "the guests build copies /bin/busybox: apt-get install busybox-static";
                    default -> "the guests build makes it with gcc";
                } + ")");
        return p;
    }

    /** A folder of the conformance suites (e.g. {@code lua-5.4.7}), or a skip naming where it was looked for. */
    static Path conformance(String folder) {
        Path p = conformanceDir().resolve(folder);
        Assumptions.assumeTrue(Files.isDirectory(p), () -> "skipped: no " + p
                + " (set -Dparavane.conformance=<folder holding " + folder + ">)");
        return p;
    }

    private static Path conformanceDir() {
        return Path.of(System.getProperty("paravane.conformance", "../../shared/conformance")).toAbsolutePath().normalize();
    }

    /** What one run of a program gave; {@code task} is the guest's (null for a native run). */
    record Run(int exitCode, byte[] out, byte[] err, String failure, long nanos, Task task) {
        String stdout() {
            return new String(out, StandardCharsets.UTF_8);
        }

        String stderr() {
            return new String(err, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + (failure == null ? "" : " (" + failure + ")") + ", stdout " + tail(stdout())
                    + ", stderr " + tail(stderr());
        }

        private static String tail(String s) {
            return s.length() <= 2000 ? "[" + s + "]" : "[..." + s.substring(s.length() - 2000) + "]";
        }
    }

    /**
     * A guest process being run, so a test can act on its kernel meanwhile (move it, signal it) and then wait for it.
     * Its standard output is kept when it goes to a {@link ByteArrayOutputStream}.
     */
    record Started(GuestKernel kernel, Task task, OutputStream out, ByteArrayOutputStream err, long start) {
        /** Waits up to {@code timeoutSeconds} for every task, with no guest kernel panic. */
        Run await(long timeoutSeconds) throws InterruptedException {
            boolean done = kernel.awaitTasks(timeoutSeconds, TimeUnit.SECONDS);
            assertThat(done).as("%s finished in %d s; output so far: %s", task.name(), timeoutSeconds, out).isTrue();
            assertThat(kernel.panicReport()).as("guest kernel panic").isNull();
            return result();
        }

        /** Waits as {@link GuestStack#awaitEnd} does. */
        Run awaitEnd() throws InterruptedException {
            GuestStack.awaitEnd(kernel);
            return result();
        }

        private Run result() {
            long nanos = System.nanoTime() - start;
            Integer code = task.exitCode();
            byte[] stdout = out instanceof ByteArrayOutputStream b ? b.toByteArray() : new byte[0];
            return new Run(code == null ? -1 : code, stdout, err.toByteArray(), task.failure(), nanos, task);
        }
    }

    /**
     * Starts {@code exe} as the Linux process {@code /bin/<name>} with {@code args} after argv[0], in a VM of
     * {@code vcpus} vCPUs, {@code memoryMiB} of memory and at most {@code maxProcesses}, in {@code files}' view.
     */
    private static Started launch(GuestStack stack, String vmName, int vcpus, int memoryMiB, int maxProcesses,
                                  FileSystem.Options files, InputStream stdin, OutputStream stdout, String name,
                                  byte[] exe, List<String> args, List<String> env) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LinuxOptions linux = new LinuxOptions(files, Console.streams(stdin, stdout, err), maxProcesses);
        GuestKernel k = stack.kernel(vmName, vcpus, memoryMiB, new KernelConfig(PreemptionModel.PREEMPTIBLE,
                WaitPolicy.DECISION_TABLE, 2000, KernelConfig.Console.NONE, null, linux));
        String guestPath = "/bin/" + name;
        List<String> argv = new ArrayList<>();
        argv.add(guestPath);
        argv.addAll(args);
        long start = System.nanoTime();
        Task t = k.launch(TaskSpec.linuxProcess(name, new LinuxProcessSpec(guestPath, exe, argv, env)));
        k.start();
        return new Started(k, t, stdout, err, start);
    }

    /** Starts test program {@code name} with {@code args} in a one-vCPU VM of {@code stack}, in {@code files}' view. */
    static Started start(GuestStack stack, FileSystem.Options files, OutputStream stdout, String name, String... args)
            throws IOException {
        return start(stack, 1, files, stdout, name, args);
    }

    /** The same in a VM of {@code vcpus} vCPUs. */
    static Started start(GuestStack stack, int vcpus, FileSystem.Options files, OutputStream stdout, String name,
                         String... args) throws IOException {
        return start(stack, vcpus, LinuxOptions.DEFAULT_MAX_PROCESSES, files, stdout, name, args);
    }

    /** The same with a process limit of {@code maxProcesses}. */
    static Started start(GuestStack stack, int vcpus, int maxProcesses, FileSystem.Options files, OutputStream stdout,
                         String name, String... args) throws IOException {
        return launch(stack, "linux-" + name, vcpus, 64, maxProcesses, files, InputStream.nullInputStream(), stdout,
                name, program(name), List.of(args), TEST_ENV);
    }

    /** Runs test program {@code name} with {@code args} to its end in a fresh one-vCPU VM, in {@code files}' view. */
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
        return start(stack, vcpus, files, stdout, name, args).awaitEnd();
    }

    /**
     * Starts real program {@code exe} with {@code args} as a Linux process on {@code stack}, its root {@code root}
     * (the host folder under the in-memory layer, which takes every write; /tmp in memory).
     */
    static Started start(GuestStack stack, String vmName, Path exe, List<String> args, Path root, byte[] stdin)
            throws IOException {
        return start(stack, vmName, exe, args, root, stdin, null);
    }

    /** As {@link #start}, with the guest's stdout also copied to {@code echo} as it comes (a long run's progress). */
    static Started start(GuestStack stack, String vmName, Path exe, List<String> args, Path root, byte[] stdin,
                         OutputStream echo) throws IOException {
        ByteArrayOutputStream out = echo == null ? new ByteArrayOutputStream() : new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                try {
                    echo.write(b, off, len);
                    echo.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public synchronized void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
        FileSystem.Options files = new FileSystem.Options(root, false, List.of());   // writes go to memory
        return launch(stack, vmName, 1, 512, LinuxOptions.DEFAULT_MAX_PROCESSES, files, new ByteArrayInputStream(stdin),
                out,
                exe.getFileName().toString(), Files.readAllBytes(exe), args, ENV);
    }

    static Run run(GuestStack stack, String vmName, Path exe, List<String> args, Path root, byte[] stdin,
                   long timeoutSeconds) throws Exception {
        return start(stack, vmName, exe, args, root, stdin).await(timeoutSeconds);
    }

    /** Real program {@code exe} natively, in {@code cwd}, with the same environment as a guest. */
    static Run runNative(Path exe, List<String> args, Path cwd, byte[] stdin) throws Exception {
        List<String> command = new ArrayList<>(List.of(exe.toString()));
        command.addAll(args);
        return runProcess(command, cwd, ENV, stdin, 120);
    }

    /**
     * Test program {@code name} run natively on this host with {@code args} (the same static executable, the same
     * environment, stdin /dev/null), or a skip when the host cannot run x86-64 Linux executables.
     */
    static Run runNative(String name, String... args) throws Exception {
        Assumptions.assumeTrue("Linux".equals(System.getProperty("os.name")), "native runs need a Linux host");
        Assumptions.assumeTrue(List.of("amd64", "x86_64").contains(System.getProperty("os.arch")),
                "native runs need an x86-64 host");
        Path exe = Files.createTempFile("native-" + name, "");
        try {
            Files.write(exe, program(name));
            exe.toFile().setExecutable(true);
            List<String> command = new ArrayList<>(List.of(exe.toString()));
            command.addAll(List.of(args));
            return runProcess(command, null, TEST_ENV, null, 120);
        } finally {
            Files.deleteIfExists(exe);
        }
    }

    /** The standard output of a native run of test program {@code name}, which must exit with 0. */
    static String nativeStdout(String name, String... args) throws Exception {
        Run r = runNative(name, args);
        assertThat(r.exitCode()).as("native %s %s: %s", name, List.of(args), r).isZero();
        return r.stdout();
    }

    /**
     * Runs {@code command} on the host in {@code cwd} (null: this process's) with environment {@code env} (null:
     * this process's), {@code stdin} on its standard input (null: /dev/null), and gives what it printed.
     */
    static Run runProcess(List<String> command, Path cwd, List<String> env, byte[] stdin, long timeoutSeconds)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        if (env != null) {
            pb.environment().clear();
            for (String e : env) {
                int eq = e.indexOf('=');
                pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Path errFile = Files.createTempFile("native-stderr", ".txt");
        pb.redirectError(errFile.toFile());
        try {
            long start = System.nanoTime();
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("native " + command + " did not finish in " + timeoutSeconds + " s");
            }
            return new Run(p.exitValue(), out, Files.readAllBytes(errFile), null, System.nanoTime() - start, null);
        } finally {
            Files.delete(errFile);
        }
    }
}
