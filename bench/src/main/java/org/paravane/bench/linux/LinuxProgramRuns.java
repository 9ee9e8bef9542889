package org.paravane.bench.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system call round trip (sysbench: getpid in a loop, a 4 KiB pread of a cached file in a loop; the program
 * times its own loop with CLOCK_MONOTONIC) and Lua's test suite wall time, natively, under {@code qemu-x86_64} and on
 * each usable Paravane backend, in one run. The figures of the README's measurements come from here.
 *
 * <pre>
 * ./mvnw -B -o -Pbench -DskipTests package -pl bench -am -Dparavane.conformance=/path/to/conformance
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.paravane.bench.linux.LinuxProgramRuns \
 *     [--programs guests/target/linux-programs] [--conformance DIR] [--getpid 200000]
 *     [--pread 100000] [--lua full|soft|none] [--backends emulated,kvm] [--skip-qemu]
 * </pre>
 */
public final class LinuxProgramRuns {
    private static final Pattern PER_CALL = Pattern.compile("(\\d+) ns/call");

    private final Path programs;
    private final Path conformance;
    private final long getpid, pread;
    private final String lua;
    private final List<String> backends;
    private final boolean qemu;

    private LinuxProgramRuns(Map<String, String> o) {
        programs = Path.of(o.getOrDefault("programs", "guests/target/linux-programs")).toAbsolutePath().normalize();
        conformance = Path.of(o.getOrDefault("conformance", "../shared/conformance")).toAbsolutePath().normalize();
        getpid = Long.parseLong(o.getOrDefault("getpid", "200000"));
        pread = Long.parseLong(o.getOrDefault("pread", "100000"));
        lua = o.getOrDefault("lua", "full");
        backends = List.of(o.getOrDefault("backends", "emulated,kvm").split(","));
        qemu = !o.containsKey("skip-qemu");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i] + " (options are --name value)");
            }
            String key = args[i].substring(2);
            o.put(key, key.equals("skip-qemu") ? "" : args[++i]);
        }
        new LinuxProgramRuns(o).runAll();
        System.exit(0);
    }

    private void runAll() throws Exception {
        Path sysbench = require(programs.resolve("sysbench"));
        System.out.printf("system call round trip: sysbench getpid %d, pread (4 KiB of a cached file) %d; ns per call%n",
                getpid, pread);
        System.out.printf("%-14s %12s %12s%n", "where", "getpid", "pread 4 KiB");
        List<String> g = List.of("getpid", Long.toString(getpid));
        List<String> p = List.of("pread", "/sysbench", Long.toString(pread));
        List<String> pNative = List.of("pread", sysbench.toString(), Long.toString(pread));
        row("native", perCall(host(List.of(), sysbench, g, programs)), perCall(host(List.of(), sysbench, pNative, programs)));
        if (qemu) {
            List<String> q = List.of("qemu-x86_64");
            row("qemu-x86_64", perCall(host(q, sysbench, g, programs)), perCall(host(q, sysbench, pNative, programs)));
        }
        for (String b : backends) {
            try (GuestRunner r = runner(b)) {
                if (r != null) {
                    row(r.name(), perCall(guest(r, sysbench, g, programs)), perCall(guest(r, sysbench, p, programs)));
                }
            }
        }
        if (lua.equals("none")) {
            return;
        }
        Path luaExe = require(programs.resolve("lua"));
        Path testes = conformance.resolve("lua-5.4.7/testes");
        if (!Files.isDirectory(testes)) {
            System.out.println("Lua test suite: skipped, no " + testes + " (--conformance DIR)");
            return;
        }
        String flags = lua.equals("soft") ? "_port=true; _soft=true" : "_port=true";
        List<String> a = List.of("-e" + flags, "all.lua");
        System.out.printf("%nLua 5.4.7 test suite (lua -e\"%s\" all.lua in testes/), wall time%n", flags);
        suite("native", host(List.of(), luaExe, a, testes));
        if (qemu) {
            suite("qemu-x86_64", host(List.of("qemu-x86_64"), luaExe, a, testes));
        }
        for (String b : backends) {
            try (GuestRunner r = runner(b)) {
                if (r != null) {
                    suite(r.name(), guest(r, luaExe, a, testes));
                }
            }
        }
    }

    private static GuestRunner runner(String name) {
        return switch (name) {
            case "emulated" -> GuestRunner.emulated();
            case "kvm" -> GuestRunner.kvm();
            default -> throw new IllegalArgumentException("unknown backend " + name + " (emulated, kvm)");
        };
    }

    private static Path require(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + " is missing: build the guests module (--programs DIR)");
        }
        return p;
    }

    private static void row(String where, String a, String b) {
        System.out.printf("%-14s %12s %12s%n", where, a, b);
    }

    private static void suite(String where, GuestRunner.Result r) {
        boolean ok = r.exitCode() == 0 && r.stdout().contains("final OK !!!");
        System.out.printf("%-14s %8.1f s  %s%n", where, r.nanos() / 1e9, ok ? "final OK !!!"
                : "FAILED (exit " + r.exitCode() + "): " + tail(r.stdout() + r.stderr()));
    }

    private static String perCall(GuestRunner.Result r) {
        Matcher m = PER_CALL.matcher(r.stdout());
        return r.exitCode() == 0 && m.find() ? String.format("%,d", Long.parseLong(m.group(1)))
                : "failed: " + tail(r.stdout() + r.stderr());
    }

    private static String tail(String s) {
        s = s.strip();
        return s.length() < 300 ? s : "..." + s.substring(s.length() - 300);
    }

    private static GuestRunner.Result host(List<String> prefix, Path exe, List<String> args, Path cwd)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(exe.toString());
        cmd.addAll(args);
        Path err = Files.createTempFile("linux-runs", ".err");
        try {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(1, TimeUnit.HOURS);
            return new GuestRunner.Result(p.exitValue(), out, Files.readString(err), System.nanoTime() - start);
        } finally {
            Files.delete(err);
        }
    }

    private static GuestRunner.Result guest(GuestRunner r, Path exe, List<String> args, Path root) throws Exception {
        return r.run(exe, args, root, 3600);
    }
}
