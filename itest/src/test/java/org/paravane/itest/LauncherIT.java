package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
}
