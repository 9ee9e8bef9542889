package org.paravane.emulated.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Assembles guest code with the GNU assembler and linker (Intel syntax, flat binary at an origin), caching results
 * by content under {@code target/asm-cache}, so the encodings in tests come from an encoder independent of our
 * decoder.
 */
public final class Asm {
    private Asm() {
    }

    private static final Path CACHE = Path.of("target", "asm-cache");

    /** Assembles {@code source} (Intel syntax; {@code .intel_syntax noprefix} is prepended) linked at {@code origin}. */
    public static byte[] assemble(String source, long origin, String... defsyms) {
        String full = ".intel_syntax noprefix\n.text\n" + source + "\n";
        return build(full, origin, defsyms);
    }

    /**
     * Assembles a complete source file (it sets its own syntax). {@code defsyms} of the form {@code name=value} go
     * to the assembler, those of the form {@code ld:name=value} to the linker.
     */
    public static byte[] assembleFile(String resource, long origin, String... defsyms) {
        try (var in = Asm.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return build(new String(in.readAllBytes(), StandardCharsets.UTF_8), origin, defsyms);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized byte[] build(String source, long origin, String... defsyms) {
        try {
            String key = hash(source + "|" + origin + "|" + String.join(",", defsyms));
            Path bin = CACHE.resolve(key + ".bin");
            if (Files.exists(bin)) {
                return Files.readAllBytes(bin);
            }
            Files.createDirectories(CACHE);
            Path src = CACHE.resolve(key + ".S");
            Path obj = CACHE.resolve(key + ".o");
            Files.writeString(src, source);
            List<String> as = new ArrayList<>(List.of("as", "--64", "-o", obj.toString()));
            List<String> ld = new ArrayList<>(List.of("ld", "-Ttext=0x" + Long.toHexString(origin), "--oformat", "binary"));
            for (String d : defsyms) {
                if (d.startsWith("ld:")) {
                    ld.add("--defsym");
                    ld.add(d.substring(3));
                } else {
                    as.add("--defsym");
                    as.add(d);
                }
            }
            as.add(src.toString());
            exec(as);
            Path tmp = CACHE.resolve(key + ".tmp");
            ld.addAll(List.of("-o", tmp.toString(), obj.toString()));
            exec(ld);
            Files.move(tmp, bin);
            return Files.readAllBytes(bin);
        } catch (IOException e) {
            throw new IllegalStateException("assembling failed: " + e.getMessage(), e);
        }
    }

    static void exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
