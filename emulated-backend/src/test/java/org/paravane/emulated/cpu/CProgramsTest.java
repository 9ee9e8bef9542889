package org.paravane.emulated.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.TestVm;

/**
 * Real compiler output: freestanding C programs (sorting, integer arithmetic of every width with 128-bit products and
 * quotients, jump tables, computed goto, recursion, struct copies, string functions) built by gcc with
 * {@code -mgeneral-regs-only} at several optimization levels, and again with SSE2 at -O3 (vectorized), plus a
 * floating-point program (n-body, matrix product, conversions, every MXCSR rounding mode) and a long double one (x87:
 * series, FSQRT, FPREM, conversions of every width, every rounding and precision control), into flat images, run at
 * CPL 3, and compared with the same source built for the host and run natively.
 */
class CProgramsTest {
    static final Path WORK = Path.of("target", "c-programs");
    static final String[] FILES = {"crt.S", "link.ld", "lib.c", "native-main.c", "sort.c", "arith.c", "control.c",
            "float.c", "x87.c"};

    static Stream<Arguments> programs() {
        List<Arguments> all = new ArrayList<>();
        for (String p : new String[] {"sort", "arith", "control"}) {
            for (String opt : new String[] {"-O2", "-Os", "-O3 sse"}) {
                all.add(Arguments.of(p, opt));
            }
        }
        for (String opt : new String[] {"-O2 sse", "-O3 sse", "-Os sse"}) {
            all.add(Arguments.of("float", opt));
            all.add(Arguments.of("x87", opt));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("programs")
    void guestResultEqualsTheNativeResult(String program, String opt) throws Exception {
        Path dir = prepare();
        boolean sse = opt.endsWith(" sse");
        opt = opt.split(" ")[0];
        String tag = program + opt + (sse ? "-sse" : "");
        Path elf = dir.resolve(tag + ".elf"), bin = dir.resolve(tag + ".bin"), exe = dir.resolve(tag + ".native");
        run(dir, "gcc", opt, "-ffreestanding", "-fno-pic", "-no-pie", sse ? "-msse2" : "-mgeneral-regs-only", "-mno-red-zone",
                "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-tree-loop-distribute-patterns",
                "-nostdlib", "-static", "-Wl,-T,link.ld", "-o", elf.getFileName().toString(), "crt.S", "lib.c",
                program + ".c", "-lgcc");
        run(dir, "objcopy", "-O", "binary", elf.getFileName().toString(), bin.getFileName().toString());
        run(dir, "gcc", opt, "-o", exe.getFileName().toString(), program + ".c", "native-main.c");
        long expected = Long.parseUnsignedLong(run(dir, exe.toAbsolutePath().toString()).trim(), 16);
        try (TestVm t = new TestVm()) {
            t.load(TestVm.CODE, Files.readAllBytes(bin));
            Vcpu v = t.start(0, 3, TestVm.CODE);
            assertThat(t.runToResult(v)).as(tag).isEqualTo(expected);
            assertThat(v.stats().instructions()).as("a real workload").isGreaterThan(100_000);
        }
    }

    private static synchronized Path prepare() throws IOException {
        Files.createDirectories(WORK);
        for (String f : FILES) {
            try (InputStream in = CProgramsTest.class.getResourceAsStream("/guest/c/" + f)) {
                Files.write(WORK.resolve(f), in.readAllBytes());
            }
        }
        return WORK;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort(command[0] + " is not available: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
