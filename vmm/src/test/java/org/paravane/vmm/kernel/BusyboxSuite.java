package org.paravane.vmm.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * busybox 1.35.0's own test suite ({@code guests/linux-programs/busybox-1.35.0/testsuite}, vendored with its GPL-2.0
 * notice) laid out as a root folder and run by its own {@code runtest} under busybox sh, one applet at a time so each
 * result line belongs to its applet: {@code /bin} holds busybox and a link per applet, {@code /bb} is the build
 * folder runtest expects ({@code busybox}, a {@code .config} naming every applet the binary has: its feature options
 * are unknown, so the cases that need one say SKIPPED, alike on both sides), {@code /bb/testsuite} the suite.
 */
final class BusyboxSuite {
    /** Applets whose cases run by default: quick ones; {@code -Dparavane.busybox.applets=all} runs every one. */
    static final List<String> QUICK = List.of("basename", "cat", "cmp", "cut", "dirname", "echo", "expr", "false",
            "fold", "head", "ln", "md5sum", "mkdir", "mv", "nl", "paste", "pidof", "printf", "pwd", "rev", "rm", "rmdir",
            "sed", "seq", "sha256sum", "sort", "tail", "test", "tr", "true", "uniq", "wc", "xargs");

    /** Seconds one applet's runtest may take on either side ({@code -Dparavane.busybox.appletTimeout}). */
    static final long APPLET_TIMEOUT = Long.getLong("paravane.busybox.appletTimeout", 900);

    /** One applet's cases as a run reported them; {@code finished} false when it was stopped (timeout, end of run). */
    record Applet(String name, Set<String> passed, Set<String> failed, int skipped, boolean finished, long seconds) {
    }

    private BusyboxSuite() {
    }

    static Path testsuite() {
        Path p = Path.of(System.getProperty("paravane.busybox.testsuite",
                "../guests/linux-programs/busybox-1.35.0/testsuite")).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(p.resolve("runtest")), () -> "skipped: no busybox testsuite at " + p);
        return p;
    }

    /** The applets to run: {@code -Dparavane.busybox.applets} (a comma list, or {@code all}), else {@link #QUICK}. */
    static List<String> applets(Path testsuite) throws IOException {
        String chosen = System.getProperty("paravane.busybox.applets", "");
        if (chosen.isBlank()) {
            return QUICK;
        }
        if (!chosen.equals("all")) {
            return List.of(chosen.split(","));
        }
        Set<String> all = new TreeSet<>();
        try (Stream<Path> files = Files.list(testsuite)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (Files.isDirectory(f)) {
                    all.add(n);
                } else if (n.endsWith(".tests") && !n.startsWith("all_")) {   // all_sourcecode needs the sources
                    all.add(n.substring(0, n.length() - ".tests".length()));
                }
            }
        }
        return List.copyOf(all);
    }

    /** Lays the root out in {@code root}: /bin, /bb (busybox, .config, suite.sh) and /bb/testsuite. */
    static void layOut(Path root, Path busybox, Path testsuite, List<String> applets) throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path bb = Files.createDirectories(root.resolve("bb"));
        Files.copy(busybox, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        List<String> list = new ArrayList<>();
        for (String a : LinuxPrograms.runNative(busybox, List.of("--list"), root, new byte[0]).stdout().split("\n")) {
            if (!a.isBlank()) {
                list.add(a.strip());
            }
        }
        StringBuilder config = new StringBuilder("# the applets of ").append(busybox).append(" (busybox --list)\n");
        for (String a : list) {
            if (!a.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
            }
            if (a.matches("[a-z0-9_.-]+")) {   // not [ and [[ (test's other names): ash.tests sources the file
                config.append("CONFIG_").append(a.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_')).append("=y\n");
            }
        }
        Files.writeString(bb.resolve(".config"), config);
        Files.createSymbolicLink(bb.resolve("busybox"), Path.of("../bin/busybox"));
        copyTree(testsuite, bb.resolve("testsuite"));
        // each applet under busybox timeout, so one that hangs (on either side) is a row that says so, not a lost run
        StringBuilder script = new StringBuilder("exec 2>&1\ncd /bb/testsuite\n");
        if (Boolean.getBoolean("paravane.busybox.verbose")) {
            script.append("export VERBOSE=1\n");   // runtest then prints each failing case's output
        }
        for (String a : applets) {
            script.append("s=$(date +%s); echo '=== ").append(a).append("'; timeout -s KILL ").append(APPLET_TIMEOUT)
                    .append(" ./runtest '").append(a).append("'; r=$?; echo \"=== end ").append(a)
                    .append(" $(( $(date +%s) - s )) $r\"\n");
        }
        Files.writeString(bb.resolve("suite.sh"), script);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);   // keeps the scripts executable
                }
            }
        }
    }

    /** The suite natively over the same root (see {@link NativeChroot}): its output. */
    static String runNative(Path root) throws Exception {
        return NativeChroot.run(root, "/", List.of("/bin/busybox", "sh", "/bb/suite.sh"), new byte[0], 3600).stdout();
    }

    /** Where the guest run's output goes as it comes: {@code -Dparavane.busybox.log=FILE}, else nowhere. */
    static OutputStream guestLog() throws IOException {
        String file = System.getProperty("paravane.busybox.log", "");
        return file.isBlank() ? OutputStream.nullOutputStream() : Files.newOutputStream(Path.of(file));
    }

    /** The per-applet results of a run's output, in the order the applets ran. */
    static Map<String, Applet> parse(String output) throws IOException {
        Map<String, Applet> results = new LinkedHashMap<>();
        String applet = null;
        Set<String> passed = new LinkedHashSet<>(), failed = new LinkedHashSet<>();
        int skipped = 0;
        try (BufferedReader in = new BufferedReader(new java.io.StringReader(output))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("=== end ")) {
                    String[] parts = line.split(" ");   // === end APPLET SECONDS STATUS (137: killed by timeout)
                    boolean finished = parts.length < 5 || !parts[4].equals("137");
                    results.put(applet, new Applet(applet, passed, failed, skipped, finished, Long.parseLong(parts[3])));
                    applet = null;
                } else if (line.startsWith("=== ")) {
                    applet = line.substring(4);
                    passed = new LinkedHashSet<>();
                    failed = new LinkedHashSet<>();
                    skipped = 0;
                } else if (applet != null && line.startsWith("PASS: ")) {
                    passed.add(line.substring(6));
                } else if (applet != null && line.startsWith("FAIL: ")) {
                    failed.add(line.substring(6));
                } else if (applet != null && (line.startsWith("SKIPPED: ") || line.startsWith("UNTESTED: "))) {
                    skipped++;
                }
            }
        }
        if (applet != null) {
            results.put(applet, new Applet(applet, passed, failed, skipped, false, -1));   // the run stopped in it
        }
        return results;
    }

    /** The known differences: {@code applet<TAB>case} lines of the resource; lines starting with # are comments. */
    static Set<String> knownDifferences() throws IOException {
        Set<String> known = new TreeSet<>();
        try (InputStream in = BusyboxSuite.class.getResourceAsStream("/busybox-suite-differences.txt")) {
            if (in == null) {
                throw new IOException("no busybox-suite-differences.txt on the test class path");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    known.add(line.strip());
                }
            }
        }
        return known;
    }

    /** The side-by-side table: per applet, passed/failed/skipped natively and as a guest. */
    static String table(List<String> applets, Map<String, Applet> nat, Map<String, Applet> guest) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "| applet | native pass/fail/skip | guest pass/fail/skip |%n|---|---|---|%n"));
        for (String a : applets) {
            b.append("| ").append(a).append(" | ").append(cell(nat.get(a))).append(" | ").append(cell(guest == null ? null : guest.get(a)))
                    .append(" |\n");
        }
        return b.toString();
    }

    private static String cell(Applet a) {
        if (a == null) {
            return "not run";
        }
        return a.passed().size() + " / " + a.failed().size() + " / " + a.skipped() + (a.finished() ? "" : " (stopped)")
                + (a.seconds() >= 0 ? ", " + a.seconds() + " s" : "");
    }
}
