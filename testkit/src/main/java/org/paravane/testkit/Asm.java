package org.paravane.testkit;

import java.io.ByteArrayOutputStream;
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
 * Guest code for tests, from an encoder independent of the software CPU's decoder, two ways:
 * <ul>
 * <li>the GNU assembler and linker ({@link #assemble}, {@link #assembleFile}): Intel syntax, a flat binary at an
 * origin, cached by content under {@code target/asm-cache} of the running module;</li>
 * <li>hand-encoded instructions ({@code new Asm().movAl(1).outAl(0x10).hlt().bytes()}) for the flat guests of tests
 * that need no assembler at test time.</li>
 * </ul>
 */
public final class Asm {

    private static final Path CACHE = Path.of("target", "asm-cache");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    // --- GNU as/ld ---

    /** Assembles {@code source} (Intel syntax; {@code .intel_syntax noprefix} is prepended) linked at {@code origin}. */
    public static byte[] assemble(String source, long origin, String... defsyms) {
        String full = ".intel_syntax noprefix\n.text\n" + source + "\n";
        return build(full, origin, defsyms);
    }

    /**
     * Assembles a complete source file found on the class path as {@code resource} (it sets its own syntax).
     * {@code defsyms} of the form {@code name=value} go to the assembler, those of the form {@code ld:name=value} to
     * the linker.
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

    private static void exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- hand-encoded ---

    public Asm raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    private Asm imm32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    private Asm imm64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** mov al, imm8 */
    public Asm movAl(int v) {
        return raw(0xB0, v & 0xFF);
    }

    /** mov eax, imm32 (zero-extends into rax) */
    public Asm movEax(long v) {
        raw(0xB8);
        return imm32(v);
    }

    /** mov r64, imm64 for register number 0..7 (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi) */
    public Asm movImm64(int reg, long v) {
        raw(0x48, 0xB8 + reg);
        return imm64(v);
    }

    /** out imm8, al */
    public Asm outAl(int port) {
        return raw(0xE6, port);
    }

    /** in al, imm8 */
    public Asm inAl(int port) {
        return raw(0xE4, port);
    }

    /** mov dword [abs32], eax */
    public Asm storeEax(long address) {
        raw(0x89, 0x04, 0x25);
        return imm32(address);
    }

    /** mov qword [abs32], rax */
    public Asm storeRax(long address) {
        raw(0x48, 0x89, 0x04, 0x25);
        return imm32(address);
    }

    /** mov qword [abs32], rbx */
    public Asm storeRbx(long address) {
        raw(0x48, 0x89, 0x1C, 0x25);
        return imm32(address);
    }

    /** mov qword [rdi], rbx */
    public Asm storeRbxAtRdi() {
        return raw(0x48, 0x89, 0x1F);
    }

    /** mov eax, dword [abs32] */
    public Asm loadEax(long address) {
        raw(0x8B, 0x04, 0x25);
        return imm32(address);
    }

    /** mov rax, qword [abs32] */
    public Asm loadRax(long address) {
        raw(0x48, 0x8B, 0x04, 0x25);
        return imm32(address);
    }

    /** add rbx, qword [rsi] */
    public Asm addRbxFromRsi() {
        return raw(0x48, 0x03, 0x1E);
    }

    /** add rsi, imm32 */
    public Asm addRsi(long v) {
        raw(0x48, 0x81, 0xC6);
        return imm32(v);
    }

    /** dec rcx */
    public Asm decRcx() {
        return raw(0x48, 0xFF, 0xC9);
    }

    /** inc rbx */
    public Asm incRbx() {
        return raw(0x48, 0xFF, 0xC3);
    }

    /** jnz back to {@code target} (an offset in this code) */
    public Asm jnz(int target) {
        int rel = target - (size() + 2);
        if (rel < -128) {
            throw new IllegalArgumentException("jnz too far: " + rel);
        }
        return raw(0x75, rel & 0xFF);
    }

    /** jmp back to {@code target} */
    public Asm jmp(int target) {
        int rel = target - (size() + 2);
        return raw(0xEB, rel & 0xFF);
    }

    /** jmp . */
    public Asm spin() {
        return raw(0xEB, 0xFE);
    }

    public Asm hlt() {
        return raw(0xF4);
    }

    public Asm cli() {
        return raw(0xFA);
    }

    public Asm sti() {
        return raw(0xFB);
    }

    public Asm syscall() {
        return raw(0x0F, 0x05);
    }

    public Asm ud2() {
        return raw(0x0F, 0x0B);
    }

    public Asm nop() {
        return raw(0x90);
    }
}
