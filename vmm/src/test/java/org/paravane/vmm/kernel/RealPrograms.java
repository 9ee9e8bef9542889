package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * The real Linux programs the guests module builds into guests/target/linux-programs (Lua, busybox, sysbench) and the upstream suites, found through
 * the system properties the vmm build sets, and one way to run them: as a guest Linux process, or natively for the
 * expected output. A missing program or folder is a skip that says why.
 */
final class RealPrograms {
    static final List<String> ENV = List.of("PATH=/bin:/usr/bin", "HOME=/", "LANG=C", "TZ=UTC");

    private RealPrograms() {
    }

    /** A built program, or a skip naming what is missing. */
    static Path program(String name) {
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

    /** What one run of a program gave. */
    record Run(int exitCode, byte[] out, byte[] err, String failure, long nanos) {
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

    /** A guest process being run, so a test can act on its kernel meanwhile (move it) and then wait for it. */
    record Started(GuestKernel kernel, Task task, ByteArrayOutputStream out, ByteArrayOutputStream err, long start) {
        Run await(long timeoutSeconds) throws InterruptedException {
            boolean done = kernel.awaitTasks(timeoutSeconds, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - start;
            assertThat(done).as("%s finished in %d s; output so far: %s", task.name(), timeoutSeconds, out).isTrue();
            assertThat(kernel.panicReport()).as("guest kernel panic").isNull();
            Integer code = task.exitCode();
            return new Run(code == null ? -1 : code, out.toByteArray(), err.toByteArray(), task.failure(), nanos);
        }
    }

    /**
     * Starts {@code exe} with {@code args} (argv[0] is the executable's guest path, /bin/name) as a Linux process
     * on {@code stack}, its root {@code root} (the host folder under the in-memory layer, which takes every write; /tmp in memory).
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
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        FileSystem.Options files = new FileSystem.Options(root, false, List.of());   // writes go to memory
        LinuxOptions linux = new LinuxOptions(files, Console.streams(new ByteArrayInputStream(stdin), out, err));
        GuestKernel k = stack.kernel(vmName, 1, 512, new KernelConfig(PreemptionModel.PREEMPTIBLE,
                WaitPolicy.DECISION_TABLE, 2000, KernelConfig.Console.NONE, null, linux));
        String guestPath = "/bin/" + exe.getFileName();
        List<String> argv = new ArrayList<>();
        argv.add(guestPath);
        argv.addAll(args);
        long start = System.nanoTime();
        Task t = k.launch(TaskSpec.linuxProcess(vmName, new LinuxProcessSpec(guestPath, Files.readAllBytes(exe), argv, ENV)));
        k.start();
        return new Started(k, t, out, err, start);
    }

    static Run run(GuestStack stack, String vmName, Path exe, List<String> args, Path root, byte[] stdin,
                   long timeoutSeconds) throws Exception {
        return start(stack, vmName, exe, args, root, stdin).await(timeoutSeconds);
    }

    /** The same program natively, in {@code cwd}, with the same environment. */
    static Run runNative(Path exe, List<String> args, Path cwd, byte[] stdin) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        for (String e : ENV) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        Path errFile = Files.createTempFile("native-stderr", ".txt");
        pb.redirectError(errFile.toFile());
        try {
            long start = System.nanoTime();
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("native %s finished", cmd).isTrue();
            return new Run(p.exitValue(), out, Files.readAllBytes(errFile), null, System.nanoTime() - start);
        } finally {
            Files.delete(errFile);
        }
    }
}
