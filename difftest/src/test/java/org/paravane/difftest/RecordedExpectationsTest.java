package org.paravane.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.paravane.emulated.EmulatedBackend;

/**
 * The emulated backend against results recorded on real hardware: every 29th hand-written case's final state as the
 * host CPU left it, checked in under {@code recorded/} (no gcc or native runner needed to replay). Re-record on an
 * x86-64 host with {@code -Ddifftest.record=true} after changing {@link InstructionForms}.
 */
class RecordedExpectationsTest {
    static final String FILE = "recorded/host-cpu.txt";

    static List<TestCase> selection() {
        List<TestCase> all = InstructionForms.cases();
        List<TestCase> picked = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 29) {
            picked.add(all.get(i));
        }
        return picked;
    }

    /** One line: name, kind, vector, error, cr2, rip, rflags (defined bits), changed registers, data digest. */
    static String line(TestCase tc, CpuRecord r) {
        StringBuilder b = new StringBuilder();
        b.append(tc.name().replace('\n', ';')).append('\t').append(r.kind()).append('\t').append(r.vector()).append('\t')
                .append(Long.toHexString(r.error())).append('\t').append(Long.toHexString(r.cr2())).append('\t')
                .append(Long.toHexString(r.rip() - Layout.CODE)).append('\t')
                .append(Long.toHexString(r.regs()[Layout.RFLAGS] & Differ.FLAGS & ~tc.unknownAfter(Layout.CODE)))
                .append('\t');
        for (int i = 0; i < 16; i++) {
            if (r.regs()[i] != tc.regs()[i]) {
                b.append(Layout.NAMES[i]).append('=').append(Long.toHexString(r.regs()[i])).append(',');
            }
        }
        b.append('\t').append(digest(r.data()));
        return b.toString();
    }

    /**
     * The host's record with its exception vector as the architecture names it, where the host's kernel is known to
     * report that exception as another (this PVM host reports a non-canonical stack access as #GP, not #SS): the same
     * reading the live differential tests use ({@link Reference#reportsAs}).
     */
    static CpuRecord architectural(NativeCpu host, CpuRecord reported, CpuRecord emulated) {
        if (reported.kind() == CpuRecord.Kind.FAULT && emulated.kind() == CpuRecord.Kind.FAULT
                && reported.vector() != emulated.vector() && host.reportsAs(emulated.vector(), reported.vector())) {
            return reported.withVector(emulated.vector());
        }
        return reported;
    }

    static String digest(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data), 0, 8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theEmulatedBackendReproducesTheRecordedHardwareResults() throws IOException {
        List<TestCase> cases = selection();
        if (Boolean.getBoolean("difftest.record")) {
            Assumptions.assumeTrue(NativeCpu.unavailableReason() == null, NativeCpu::unavailableReason);
            NativeCpu nativeCpu = new NativeCpu();
            List<List<CpuRecord>> host = nativeCpu.run(cases);
            List<List<CpuRecord>> ours;
            try (BackendCpu emulated = new BackendCpu(new EmulatedBackend())) {
                ours = emulated.run(cases);
            }
            StringBuilder out = new StringBuilder("# Final states of InstructionForms cases on the host CPU ("
                    + System.getProperty("os.arch") + "), recorded by RecordedExpectationsTest with -Ddifftest.record=true\n");
            for (int i = 0; i < cases.size(); i++) {
                out.append(line(cases.get(i), architectural(nativeCpu, host.get(i).getLast(), ours.get(i).getLast())))
                        .append('\n');
            }
            Path file = Path.of("src", "test", "resources", FILE);
            Files.createDirectories(file.getParent());
            Files.writeString(file, out);
        }
        Map<String, String> recorded = new LinkedHashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/" + FILE)) {
            Assumptions.assumeTrue(in != null, "no recorded expectations yet: run once with -Ddifftest.record=true");
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.startsWith("#") && !l.isBlank()) {
                    recorded.put(l.substring(0, l.indexOf('\t')), l);
                }
            }
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        try (BackendCpu emulated = new BackendCpu(new EmulatedBackend())) {
            List<List<CpuRecord>> ours = emulated.run(cases);
            for (int i = 0; i < cases.size(); i++) {
                String expected = recorded.get(cases.get(i).name().replace('\n', ';'));
                if (expected == null) {
                    wrong.add("no recording for '" + cases.get(i).name() + "' (re-record after changing the forms)");
                    continue;
                }
                String actual = line(cases.get(i), ours.get(i).getLast());
                if (!actual.equals(expected)) {
                    wrong.add("recorded: " + expected + "\nemulated: " + actual);
                }
                checked++;
            }
        }
        assertThat(wrong).as(() -> String.join("\n", wrong)).isEmpty();
        assertThat(checked).isGreaterThan(500);
    }
}
