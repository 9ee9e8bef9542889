package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.GuestStack.DATA;
import static org.paravane.vmm.kernel.GuestStack.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.source.FilePageSource;
import org.paravane.vmm.source.PatternPageSource;

/**
 * Every guest program shipped in guests/ runs to the same output, reports and exit status on the software CPU and on
 * KVM (skipped with a reason where /dev/kvm is not usable).
 */
class SameResultsOnEveryBackendTest {
    @TempDir
    Path dir;

    /** One run: a program, its argument, and whether it gets the data region (pattern or file). */
    private record Case(String program, long arg, String data) {
    }

    private static final List<Case> CASES = List.of(
            new Case("hello", 0, null), new Case("worker", 40, null),
            new Case("scanner", 1, "pattern"), new Case("scanner", 2, "pattern"),
            new Case("kscan", 0, "pattern"), new Case("kscan", 1, "pattern"), new Case("kscan", 2, "pattern"),
            new Case("kscan", 3, "pattern"), new Case("checksum", 0, "file"),
            new Case("cpu_alu", 200_000, null), new Case("cpu_sieve", 2, null), new Case("cpu_fib", 1, null),
            new Case("cpu_crc", 2, null), new Case("faults", 0, null), new Case("faults", 1, null),
            new Case("faults", 2, null), new Case("faults", 3, null), new Case("traps", 0, null), new Case("traps", 1, null),
            new Case("traps", 2, null), new Case("traps", 3, null), new Case("traps", 6, null), new Case("traps", 7, null),
            new Case("traps", 8, null), new Case("traps", 9, null));

    private Map<String, String> runAll(GuestStack stack) throws Exception {
        Path file = dir.resolve("data.txt");
        Files.writeString(file, "The quick brown fox jumps over the lazy dog\n".repeat(1000));
        Map<String, String> out = new TreeMap<>();
        for (Case c : CASES) {
            long bytes = 24 * 4096;
            PageSource source = c.data() == null ? PageSource.ZERO
                    : c.data().equals("file") ? FilePageSource.whole(file, DATA) : new PatternPageSource(99);
            long content = c.data() != null && c.data().equals("file") ? Files.size(file) : bytes;
            GuestKernel k = stack.kernel(c.program() + c.arg(), 1, c.data() == null ? 0 : bytes, source,
                    PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
            Task t = k.launch(new TaskSpec(c.program(), image(c.program()), c.arg(),
                    c.data() == null ? null : new TaskSpec.DataMapping(DATA, bytes, content)));
            GuestStack.runToEnd(k);
            // Output and reports are the guest's; the kernel's kill reports name RIPs, which are the same too.
            String result = "exit=" + t.exitCode() + " reports=" + new TreeMap<>(t.reports()).entrySet().stream()
                    .filter(e -> !e.getKey().equals("nanos")).toList() + " output=" + t.output()
                    + " failure=" + t.failure();
            out.put(c.program() + "(" + c.arg() + ")", result);
        }
        return out;
    }

    @Test
    void everyProgramGivesTheSameResultsOnKvmAndOnTheSoftwareCpu() throws Exception {
        Map<String, String> kvm;
        try (GuestStack s = GuestStack.kvm()) {
            kvm = runAll(s);
        }
        Map<String, String> emulated;
        try (GuestStack s = GuestStack.emulated()) {
            emulated = runAll(s);
        }
        List<String> differences = new ArrayList<>();
        emulated.forEach((k, v) -> {
            if (!v.equals(kvm.get(k))) {
                differences.add(k + "\n  emulated: " + v + "\n  kvm:      " + kvm.get(k));
            }
        });
        assertThat(differences).as("programs whose results differ").isEmpty();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(Files.readAllBytes(dir.resolve("data.txt")));
        assertThat(emulated.get("checksum(0)")).as("the guest's CRC-32 of the file-backed region equals java.util.zip's")
                .contains("crc32=" + crc.getValue());
        assertThat(emulated).hasSize(CASES.size());
    }
}
