package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** The ./paravane launcher and ./mvnw as a user runs them, from the repository root. */
public class LauncherIT {

    private static final File ROOT = new File(System.getProperty("paravane.root", "..")).getAbsoluteFile();

    record Run(int status, String out, String err, long millis) {
    }

    static Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT);
        pb.environment().putAll(env);
        File out = File.createTempFile("paravane-out", ".txt");
        File err = File.createTempFile("paravane-err", ".txt");
        pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Run r = new Run(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
                java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8), millis);
        out.delete();
        err.delete();
        return r;
    }

    /** A machine whose only JDK is 17: JAVA_HOME points at it and the usual places hold nothing newer. */
    private static Map<String, String> withoutJdk25() {
        String jdk17 = new File("/usr/lib/jvm/java-17-openjdk-amd64").isDirectory()
                ? "/usr/lib/jvm/java-17-openjdk-amd64" : "/nonexistent-jdk";
        return Map.of("JAVA_HOME", jdk17, "PARAVANE_JDK_DIRS", "/nonexistent", "PATH", "/usr/bin:/bin");
    }

    @Test
    public void launcherWithoutJdk25SaysSoInOneLine() throws Exception {
        Run r = run(withoutJdk25(), "./paravane", "backends");
        assertEquals(r.err, 1, r.status);
        List<String> lines = r.err.lines().toList();
        assertEquals("exactly one line: " + r.err, 1, lines.size());
        assertTrue(lines.get(0), lines.get(0).startsWith("paravane: no JDK 25 or newer found"));
        assertTrue(lines.get(0), lines.get(0).contains("install"));
    }

    @Test
    public void buildWithoutJdk25SaysSoInOneLine() throws Exception {
        Run r = run(withoutJdk25(), "./mvnw", "-v");
        assertEquals(r.err, 1, r.status);
        assertEquals("exactly one line: " + r.err, 1, r.err.lines().count());
        assertTrue(r.err, r.err.startsWith("paravane: no JDK 25 or newer found"));
    }

    @Test
    public void backendsAnswersThroughTheLauncher() throws Exception {
        Run r = run(Map.of(), "./paravane", "backends");
        assertEquals(r.err, 0, r.status);
        assertTrue(r.out, r.out.contains("backend"));
        System.out.printf("./paravane backends: %d ms from exec to exit%n", r.millis);
    }

    @Test
    public void unknownCommandFailsWithItsName() throws Exception {
        Run r = run(Map.of(), "./paravane", "no-such-command");
        assertEquals(1, r.status);
        assertTrue(r.err, r.err.contains("paravane:no-such-command"));
    }

    @Test
    public void ctrlCStopsTheForegroundVmAndNothingElse() throws Exception {
        try (Interactive shell = new Interactive(ROOT, true)) {
            shell.type("paravane:run --detach --name bg --backend emulated worker:0\n");
            int at = shell.await("VM bg started", 0, 60_000);
            shell.ctrlC();   // at an idle prompt: nothing to stop, nothing harmed
            at = shell.await("nothing runs now", at, 10_000);
            at = vms(shell, at);
            // hello prints, then the worker never ends: once the greeting shows, the run is in the foreground
            shell.type("paravane:run --name fg --backend emulated hello worker:0\n");
            at = shell.await("hello, world from task 1", at, 30_000);
            // Ctrl-C until the run says it was stopped (one that comes just before the run registered is an idle one)
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                shell.ctrlC();
                try {
                    at = shell.await("VM fg was stopped by Ctrl-C; the container and other VMs keep running", at, 1_000);
                    break;
                } catch (AssertionError notYet) {
                    if (!shell.isAlive() || System.currentTimeMillis() > deadline) {
                        throw notYet;
                    }
                }
            }
            int tableAt = vms(shell, at);
            String table = shell.screen().substring(tableAt);
            shell.type("paravane:kill bg\n");
            shell.await("VM bg stopped", tableAt, 10_000);
            assertTrue("the detached VM still runs:\n" + shell.screen(), table.lines().anyMatch(l -> l.matches("bg\\s+emulated\\s+running.*")));
            assertFalse("the stopped foreground VM is gone:\n" + shell.screen(), table.lines().anyMatch(l -> l.startsWith("fg ")));
        }
    }

    /**
     * Types paravane:vms until its table shows; where the table starts. The terminal discards what was typed while it
     * handled a Ctrl-C (the line discipline flushes its input after sending SIGINT), so the first may be lost.
     */
    private static int vms(Interactive shell, int from) throws Exception {
        for (int attempt = 1; ; attempt++) {
            shell.type("paravane:vms\n");
            try {
                return shell.await("DATA SOURCE", from, 3_000);
            } catch (AssertionError lost) {
                if (attempt == 5 || !shell.isAlive()) {
                    throw lost;
                }
            }
        }
    }

    @Test
    public void theFirstCommandTypedFindsTheParavaneCommands() throws Exception {
        try (Interactive shell = new Interactive(ROOT, false)) {
            shell.type("paravane:images\n");   // typed at once, before the container has finished starting
            shell.endOfInput();
            shell.waitForExit(120_000);
            assertTrue(shell.screen(), shell.screen().contains("prints a greeting"));
            assertFalse(shell.screen(), shell.screen().contains("not found"));
        }
    }

    @Test
    public void aOneShotDetachedRunIsRefusedWithTheReason() throws Exception {
        Run r = run(Map.of(), "./paravane", "run", "--detach", "hello");
        assertEquals(r.out + r.err, 2, r.status);
        assertTrue(r.err, r.err.contains("--detach needs the interactive shell"));
    }

    @Test
    public void aGuestProgramBuiltOutsideTheTreeWithTheMakeIncludeRuns() throws Exception {
        Path dir = Files.createTempDirectory("paravane-own-guest");
        // the worked example of the README, word for word
        Files.writeString(dir.resolve("Makefile"), "include " + ROOT + "/guests/paravane-guest.mk\n\nall: squares.elf\n");
        Files.writeString(dir.resolve("squares.c"), """
                #include "paravane.h"

                int main(long n) {
                    for (long i = 1; i <= n; i++) {
                        printf("%ld squared is %ld\\n", i, i * i);
                    }
                    return 0;
                }
                """);
        Run make = run(Map.of(), "make", "-C", dir.toString());
        assertEquals(make.out + make.err, 0, make.status);
        Run r = run(Map.of(), "./paravane", "run", "--backend", "emulated", dir.resolve("squares.elf") + ":3");
        assertEquals(r.out + r.err, 0, r.status);
        assertTrue(r.out, r.out.contains("1 squared is 1\n2 squared is 4\n3 squared is 9\n"));
        assertTrue(r.out, r.out.contains("(squares.elf) exited with 0"));
    }

    /** The last line of stderr (the container may log before it) is the one-line error; the status says its kind. */
    private static void refused(int status, String message, String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = "./paravane";
        command[1] = "run";
        System.arraycopy(args, 0, command, 2, args.length);
        Run r = run(Map.of(), command);
        assertEquals(String.join(" ", args) + ": " + r.out + r.err, status, r.status);
        List<String> lines = r.err.lines().toList();
        assertTrue(r.err, !lines.isEmpty() && lines.getLast().startsWith("paravane: ") && lines.getLast().contains(message));
        assertEquals("nothing on stdout", "", r.out);
    }

    @Test
    public void badInputToRunIsOneLineWithTheStatusOfItsKind() throws Exception {
        refused(127, "no program 'no-such-program-h7'", "no-such-program-h7");
        refused(126, "README.md: not an ELF executable", "README.md");
        refused(2, "--root README.md: not a directory", "--root", "README.md", "/bin/true");
        refused(2, "mount /nonexistent-h7", "--mount", "/nonexistent-h7:/x", "README.md");
        refused(2, "--vcpus: 'x' is not a whole number", "--vcpus", "x", "hello");
        refused(2, "unknown option --frobnicate", "--frobnicate", "hello");
        refused(126, "dynamic executables need an interpreter", "--backend", "emulated", linuxProgram("hello-dynamic"));
    }

    private static String linuxProgram(String name) {
        File f = new File(ROOT, "guests/target/classes/guests/linux/" + name);
        assertTrue("built by the guests module: " + f, f.isFile());
        return f.getPath();
    }

    @Test
    public void aLinuxProgramsOutputAndExitStatusAreTheLaunchers() throws Exception {
        Run hello = run(Map.of(), "./paravane", "run", "--backend", "emulated", linuxProgram("hello"));
        assertEquals(hello.err, 0, hello.status);
        assertEquals("only the program's output", "hello, world\n", hello.out);
        Run killed = run(Map.of(), "./paravane", "run", "--backend", "emulated", linuxProgram("faults"), "segv");
        assertEquals(killed.out + killed.err, 139, killed.status);
        assertEquals("fault: segv\n", killed.out);
        assertTrue(killed.err, killed.err.lines().toList().getLast().matches("paravane: .*faults: killed by SIGSEGV at .*"));
    }

    /** 1 GiB through stdout in a container of 160 MiB of heap: nothing holds it (not a timing). */
    @Test
    public void aProgramWritingAGibibyteToStdoutRunsInBoundedMemory() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("./paravane", "run", "--backend", "emulated", linuxProgram("bigwrite"), "1024")
                .directory(ROOT).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PARAVANE_JAVA_OPTS", "-Xmx160m");
        Process p = pb.start();
        long bytes = 0;
        try (java.io.InputStream in = p.getInputStream()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
            }
        }
        assertTrue("bigwrite did not end in 10 minutes", p.waitFor(600, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals(1L << 30, bytes);
    }
}
