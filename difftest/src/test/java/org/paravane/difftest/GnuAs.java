package org.paravane.difftest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Assembles many instruction sequences in one run of the GNU assembler (an encoder independent of the decoder under
 * test): each sequence's instructions carry labels {@code s<k>_<i>} and {@code s<k>_end}, whose offsets come back
 * from {@code nm}, so each sequence can be cut out with its instruction boundaries.
 */
public final class GnuAs {
    private GnuAs() {
    }

    /** One sequence: its instructions as Intel-syntax lines (branch targets may name {@code s<k>_<i>} labels). */
    public record Sequence(List<String> lines) {
    }

    /** A sequence's bytes and the offset of each instruction. */
    public record Assembled(byte[] code, int[] offsets, String source) {
    }

    public static List<Assembled> assemble(List<Sequence> sequences) {
        StringBuilder src = new StringBuilder(".intel_syntax noprefix\n.text\n");
        for (int k = 0; k < sequences.size(); k++) {
            List<String> lines = sequences.get(k).lines();
            for (int i = 0; i < lines.size(); i++) {
                src.append("s").append(k).append('_').append(i).append(": ").append(lines.get(i)).append('\n');
            }
            src.append("s").append(k).append("_end:\n.p2align 4, 0xcc\n");
        }
        try {
            Path dir = Files.createDirectories(Path.of("target", "gnu-as"));
            Path s = dir.resolve("seq.S"), o = dir.resolve("seq.o"), bin = dir.resolve("seq.bin");
            Files.writeString(s, src);
            run(List.of("as", "--64", "-o", o.toString(), s.toString()));
            run(List.of("objcopy", "-O", "binary", "-j", ".text", o.toString(), bin.toString()));
            byte[] all = Files.readAllBytes(bin);
            Map<String, Integer> symbols = new HashMap<>();
            for (String line : run(List.of("nm", o.toString())).split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && f[2].startsWith("s")) {
                    symbols.put(f[2], (int) Long.parseLong(f[0], 16));
                }
            }
            List<Assembled> out = new ArrayList<>(sequences.size());
            for (int k = 0; k < sequences.size(); k++) {
                List<String> lines = sequences.get(k).lines();
                int start = symbols.get("s" + k + "_0");
                int end = symbols.get("s" + k + "_end");
                int[] offsets = new int[lines.size()];
                for (int i = 0; i < lines.size(); i++) {
                    offsets[i] = symbols.get("s" + k + "_" + i) - start;
                }
                byte[] code = java.util.Arrays.copyOfRange(all, start, end);
                out.add(new Assembled(code, offsets, String.join("\n", lines)));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("assembling " + sequences.size() + " sequences: " + e.getMessage(), e);
        }
    }

    static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed:\n" + out.lines().limit(40)
                        .reduce("", (a, b) -> a + b + "\n"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
