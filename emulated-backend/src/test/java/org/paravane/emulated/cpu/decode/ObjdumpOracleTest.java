package org.paravane.emulated.cpu.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decoder against GNU objdump (binutils' libopcodes, an independent x86 decoder consumed as a black box):
 * a few hundred thousand byte strings, biased towards prefixes, REX, VEX, ModRM/SIB/displacement shapes and the
 * opcode maps we implement, go through one {@code as}/{@code objdump} run; each string sits behind its own label, so
 * objdump decodes its first instruction from its first byte. Every instruction our decoder accepts must decode the
 * same in objdump (length, mnemonic, operands); and encodings objdump decodes as an integer instruction we implement
 * must not be rejected by us.
 *
 * <p>Why objdump: the Capstone jar on Maven Central ({@code com.github.zhkl0228:capstone}) bundles a native library
 * built without x86 ({@code cs_support(CS_ARCH_X86)} is 0), and iced's {@code DecoderTest64.txt} is 2.9 MB of fixed
 * cases we would have to vendor in part. objdump decodes any byte string we generate, needs nothing beyond binutils
 * (which the tests already use to assemble guest code), and so covers every prefix mix and addressing shape.
 */
class ObjdumpOracleTest {

    static final int COUNT = 200_000;
    static final int SLOT = 16;

    record Theirs(int length, String mnemonic, List<String> operands, boolean lock, String text) {
    }

    static byte[][] samples;
    static Map<Integer, Theirs> decoded;

    @BeforeAll
    static void disassemble() throws IOException, InterruptedException {
        samples = new byte[COUNT][];
        Random r = new Random(42);
        StringBuilder src = new StringBuilder(".text\n");
        for (int i = 0; i < COUNT; i++) {
            byte[] b = encoding(r);
            samples[i] = b;
            src.append("L").append(i).append(": .byte ");
            for (int k = 0; k < b.length; k++) {
                src.append(k == 0 ? "" : ",").append(b[k] & 0xFF);
            }
            src.append(",0x90\n");
        }
        Path dir = Files.createDirectories(Path.of("target", "objdump-oracle"));
        Path s = dir.resolve("samples.s"), o = dir.resolve("samples.o");
        Files.writeString(s, src);
        String why = run(List.of("as", "--64", "-o", o.toString(), s.toString()), null);
        Assumptions.assumeTrue(why == null, () -> "GNU as unavailable: " + why);
        Path out = dir.resolve("samples.txt");
        String why2 = run(List.of("objdump", "-d", "-z", "-M", "intel,intel64", "--insn-width=16", o.toString()), out);
        Assumptions.assumeTrue(why2 == null, () -> "GNU objdump unavailable: " + why2);
        decoded = parse(Files.readAllLines(out, StandardCharsets.UTF_8));
    }

    private static String run(List<String> command, Path output) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(output == null);
        if (output != null) {
            pb.redirectOutput(output.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String text = output == null ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return String.join(" ", command) + " failed: " + text;
        }
        return null;
    }

    private static final Pattern LABEL = Pattern.compile("^[0-9a-f]+ <L(\\d+)>:$");
    private static final Pattern LINE = Pattern.compile("^\\s*[0-9a-f]+:\\t([0-9a-f ]+?)\\s*\\t(.*)$");

    /** The first instruction after each label. */
    static Map<Integer, Theirs> parse(List<String> lines) {
        Map<Integer, Theirs> map = new HashMap<>();
        int current = -1;
        for (String line : lines) {
            Matcher l = LABEL.matcher(line);
            if (l.matches()) {
                current = Integer.parseInt(l.group(1));
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (current >= 0 && m.matches()) {
                int length = m.group(1).trim().split(" ").length;
                map.put(current, theirs(length, m.group(2)));
                current = -1;
            }
        }
        return map;
    }

    private static final Set<String> PREFIX_WORDS = Set.of("lock", "rep", "repz", "repnz", "repe", "repne", "data16",
            "data32", "addr32", "cs", "ds", "es", "ss", "fs", "gs", "bnd", "notrack", "xacquire", "xrelease", "rex");

    static Theirs theirs(int length, String text) {
        String t = text;
        int hash = t.indexOf('#');
        if (hash >= 0) {
            t = t.substring(0, hash);
        }
        t = t.trim();
        boolean lock = false;
        String[] words = t.split("\\s+", 2);
        while (words.length > 0 && (PREFIX_WORDS.contains(words[0]) || words[0].startsWith("rex."))) {
            lock |= words[0].equals("lock");
            t = words.length > 1 ? words[1].trim() : "";
            words = t.split("\\s+", 2);
        }
        String mnemonic = words[0];
        List<String> ops = new ArrayList<>();
        if (words.length > 1) {
            for (String o : words[1].split(",")) {
                ops.add(o.trim());
            }
        }
        return new Theirs(length, mnemonic, ops, lock, text.trim());
    }

    private static final byte[] PREFIXES = {0x66, 0x67, (byte) 0xF2, (byte) 0xF3, (byte) 0xF0, 0x2E, 0x3E, 0x26, 0x36,
            0x64, 0x65};

    /** A byte string that starts like an instruction: a few prefixes, maybe REX, an opcode, random operand bytes. */
    static byte[] encoding(Random r) {
        byte[] b = new byte[15];
        r.nextBytes(b);
        int p = 0;
        int prefixes = r.nextInt(4) == 0 ? r.nextInt(4) : 0;
        for (int i = 0; i < prefixes; i++) {
            b[p++] = PREFIXES[r.nextInt(PREFIXES.length)];
        }
        if (r.nextInt(3) == 0) {
            b[p++] = (byte) (0x40 | r.nextInt(16));
        }
        switch (r.nextInt(10)) {
            case 0, 1, 2 -> {
                b[p++] = 0x0F;
                if (r.nextInt(8) == 0) {
                    b[p++] = (byte) (r.nextBoolean() ? 0x38 : 0x01);
                }
            }
            case 3 -> b[p++] = (byte) (0xC4 + r.nextInt(2));
            default -> {
            }
        }
        return b;
    }

    private static Decoded ours(Decoder decoder, int i) {
        byte[] b = samples[i];
        // Each slot holds 15 random bytes and a NOP, so label i sits at 16 * i.
        return decoder.decode((long) i * SLOT, k -> k < b.length ? b[k] & 0xFF : 0x90);
    }

    @Test
    void acceptedInstructionsDecodeAsObjdumpDecodesThem() {
        Decoder decoder = new Decoder();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> covered = new TreeMap<>();
        for (int i = 0; i < COUNT && problems.size() < 60; i++) {
            Decoded d = ours(decoder, i);
            if (d == null || d.invalid() || d.mnemonic() == Mnemonic.TOO_LONG) {
                continue;
            }
            Theirs t = decoded.get(i);
            String hex = HexFormat.ofDelimiter(" ").formatHex(samples[i], 0, Math.min(d.length(), 15));
            if (t == null || t.mnemonic().equals("(bad)")) {
                if (!knownStricter(d, samples[i])) {
                    problems.add(hex + ": ours '" + d + "', objdump: (bad)");
                }
                continue;
            }
            if (t.mnemonic().isEmpty()) {
                continue;            // objdump shows an ignored REX (one followed by a prefix or another REX) apart
            }
            String problem = compare(d, t);
            if (problem != null) {
                problems.add(hex + ": ours '" + d + "' (" + d.length() + " bytes), objdump '" + t.text() + "' ("
                        + t.length() + " bytes): " + problem);
            } else {
                covered.merge(d.mnemonic().text(), 1, Integer::sum);
            }
        }
        assertThat(problems).as(() -> problems.size() + " differences:\n" + String.join("\n", problems)).isEmpty();
        assertThat(covered.keySet()).as("mnemonics covered: " + covered).hasSizeGreaterThan(100);
    }

    @Test
    void integerInstructionsObjdumpDecodesAreNotRejected() {
        Decoder decoder = new Decoder();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < COUNT && problems.size() < 60; i++) {
            Decoded d = ours(decoder, i);
            if (d == null || d.mnemonic() != Mnemonic.UD) {
                continue;
            }
            Theirs t = decoded.get(i);
            if (t == null || t.mnemonic().isEmpty() || t.text().contains("(bad)") || t.lock() || t.mnemonic().startsWith("ud")
                    || t.text().contains("?") || t.text().matches(".*\\bmov\\s+cs,.*")) {
                continue;                                  // objdump prints LOCK where the CPU raises #UD
            }
            if (IMPLEMENTED.contains(normalize(t.mnemonic()))) {
                problems.add(HexFormat.ofDelimiter(" ").formatHex(samples[i], 0, t.length()) + ": objdump decodes '"
                        + t.text() + "', we raise #UD");
            }
        }
        assertThat(problems).as(() -> problems.size() + " rejected:\n" + String.join("\n", problems)).isEmpty();
    }

    // ---- comparison -------------------------------------------------------------------------------------------------

    /**
     * Encodings objdump calls invalid that CPUs execute: prefixes a legacy instruction ignores (F2 on BSF/BSR,
     * F2/F3 on WBINVD) and the fences with a ModRM r/m other than 0 (the SDM's group 15 table names only mod = 11).
     * F2 0F BC and 0F AE F9 were run on the host CPU: BSF and SFENCE.
     */
    static boolean knownStricter(Decoded d, byte[] bytes) {
        return switch (d.mnemonic()) {
            case BSF, BSR, WBINVD -> true;
            case LFENCE, MFENCE, SFENCE -> true;
            // The x87 aliases objdump calls bad (D9 D8+i, DC D0+i/D8+i, DD C8+i, DE D0+i, DF C8+i/D0+i/D8+i): run natively.
            case FPU -> true;
            default -> false;
        };
    }

    static final Set<String> IMPLEMENTED;

    static {
        java.util.HashSet<String> s = new java.util.HashSet<>();
        for (Mnemonic m : Mnemonic.values()) {
            if (m != Mnemonic.UD && m != Mnemonic.UNSUPPORTED && m != Mnemonic.X87 && m != Mnemonic.TOO_LONG) {
                s.add(m.text());
            }
        }
        for (String c : Decoded.CONDITIONS) {
            s.add("j" + c);
            s.add("set" + c);
            s.add("cmov" + c);
        }
        IMPLEMENTED = Set.copyOf(s);
    }

    static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "sal" -> "shl";
            case "movabs" -> "mov";
            case "jecxz" -> "jrcxz";
            case "iretd", "iretq", "iretw" -> "iret";
            case "sysretq", "sysretl", "sysretd" -> "sysret";
            case "pushw" -> "push";
            case "retfw", "retfd" -> "retf";
            case "leavew" -> "leave";
            case "enterw" -> "enter";
            case "wbnoinvd" -> "wbinvd";
            case "popw" -> "pop";
            case "pushfq", "pushfw" -> "pushf";
            case "popfq", "popfw" -> "popf";
            case "cwde", "cdqe" -> "cbw";
            case "cdq", "cqo" -> "cwd";
            case "lret", "retfq", "lretq" -> "retf";
            case "icebp" -> "int1";
            case "retq" -> "ret";
            case "callq" -> "call";
            case "jmpq" -> "jmp";
            default -> n;
        };
    }

    private static String ourName(Decoded d) {
        return switch (d.mnemonic()) {
            case JCC -> "j" + Decoded.CONDITIONS[d.cond()];
            case SETCC -> "set" + Decoded.CONDITIONS[d.cond()];
            case CMOVCC -> "cmov" + Decoded.CONDITIONS[d.cond()];
            case MOV_CR, MOV_DR, MOV_SEG -> "mov";
            case PUSH_SEG -> "push";
            case POP_SEG -> "pop";
            default -> d.mnemonic().text();
        };
    }

    static String compare(Decoded d, Theirs t) {
        if (d.mnemonic() == Mnemonic.FWAIT && t.mnemonic().startsWith("f") && t.length() > d.length()) {
            return null;        // objdump shows FWAIT and the x87 instruction after it as one (fstsw = fwait; fnstsw)
        }
        if (d.length() != t.length()) {
            return "length";
        }
        if (d.mnemonic() == Mnemonic.FPU) {
            // The x87 escapes decode to one mnemonic (the executor reads the opcode): length and family compared.
            return t.mnemonic().startsWith("f") ? null : "x87 family";
        }
        String theirs = normalize(t.mnemonic());
        Mnemonic m = d.mnemonic();
        if (m == Mnemonic.XCHG && theirs.equals("pause")) {
            return null;        // F3 REX.B 90 exchanges R8 with RAX on the CPU (checked natively); objdump says PAUSE
        }
        if (m == Mnemonic.NOP && (theirs.equals("nop") || theirs.equals("xchg") || theirs.startsWith("bnd")
                || theirs.startsWith("rdssp") || theirs.equals("cldemote"))
                || m == Mnemonic.PREFETCH && (theirs.startsWith("prefetch") || theirs.equals("nop"))
                || m == Mnemonic.ENDBR64 && theirs.equals("endbr64")) {
            return null;
        }
        List<String> ops = t.operands();
        Matcher pseudo = CMP_PSEUDO.matcher(theirs);
        if (pseudo.matches() && d.operandCount() == 3 && d.op(2) instanceof Operand.Imm imm) {
            // objdump names CMPPS & co by their predicate (cmpltsd) and drops the immediate
            int predicate = List.of("eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord").indexOf(pseudo.group(1));
            if (!ourName(d).equals("cmp" + pseudo.group(2)) || imm.value() != predicate) {
                return "mnemonic";
            }
            ops = new ArrayList<>(ops);
            ops.add("0x" + Integer.toHexString(predicate));
        } else if (!ourName(d).equals(theirs)) {
            return "mnemonic";
        }
        if (d.lock() != t.lock()) {
            return "lock prefix";
        }
        if (Set.of(Mnemonic.MOVS, Mnemonic.CMPS, Mnemonic.STOS, Mnemonic.LODS, Mnemonic.SCAS, Mnemonic.INS,
                Mnemonic.OUTS, Mnemonic.XLAT).contains(m)) {
            return null;                                   // objdump spells out the implicit operands
        }
        if (ops.size() != d.operandCount()) {
            return "operand count " + d.operandCount() + " vs " + ops.size();
        }
        for (int i = 0; i < ops.size(); i++) {
            String p = operand(d, d.op(i), ops.get(i));
            if (p != null) {
                return "operand " + i + ": " + p;
            }
        }
        return null;
    }

    private static final Pattern CMP_PSEUDO = Pattern.compile("^cmp(eq|lt|le|unord|neq|nlt|nle|ord)(ps|pd|ss|sd)$");
    private static final Pattern MEM = Pattern.compile(
            "^(?:(\\w+) PTR )?(?:(es|cs|ss|ds|fs|gs):)?(?:\\[(.*)\\]|(0x[0-9a-f]+))$");
    private static final Pattern TARGET = Pattern.compile("^([0-9a-f]+) <.*>$");

    static long hex(String s) {
        return Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16);
    }

    private static String operand(Decoded d, Operand ours, String theirs) {
        return switch (ours) {
            case Operand.Xmm x -> ("xmm" + x.number()).equals(theirs) ? null : "xmm" + x.number() + " vs " + theirs;
            case Operand.Mmx x -> ("mm" + x.number()).equals(theirs) ? null : "mm" + x.number() + " vs " + theirs;
            case Operand.Reg r -> Decoded.registerName(r.size(), r.number()).equals(theirs) ? null
                    : Decoded.registerName(r.size(), r.number()) + " vs " + theirs;
            case Operand.SegReg s -> new String[] {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"}[s.number()].equals(theirs) ? null
                    : "segment register vs " + theirs;
            case Operand.ControlReg c -> ("cr" + c.number()).equals(theirs) ? null : "cr" + c.number() + " vs " + theirs;
            case Operand.DebugReg r -> ("db" + r.number()).equals(theirs) || ("dr" + r.number()).equals(theirs) ? null
                    : "dr" + r.number() + " vs " + theirs;
            case Operand.Imm i -> {
                if (theirs.equals("1") && i.value() == 1) {
                    yield null;                            // the implicit count of D0..D3
                }
                if (!theirs.startsWith("0x")) {
                    yield "immediate vs " + theirs;
                }
                long v = hex(theirs);
                int bits = 8 * Math.max(i.size(), d.opSize());
                if (Set.of(Mnemonic.ENTER, Mnemonic.RET, Mnemonic.RETF, Mnemonic.INT, Mnemonic.IN, Mnemonic.OUT,
                        Mnemonic.BT, Mnemonic.BTS, Mnemonic.BTR, Mnemonic.BTC).contains(d.mnemonic())
                        || d.mnemonic() == Mnemonic.SHLD || d.mnemonic() == Mnemonic.SHRD
                        || Set.of(Mnemonic.ROL, Mnemonic.ROR, Mnemonic.RCL, Mnemonic.RCR, Mnemonic.SHL, Mnemonic.SHR,
                        Mnemonic.SAR).contains(d.mnemonic())) {
                    bits = 8 * i.size();
                }
                long mask = bits >= 64 ? -1L : (1L << bits) - 1;
                yield ((i.value() ^ v) & mask) == 0 ? null : "0x" + Long.toHexString(i.value()) + " vs " + theirs;
            }
            case Operand.Rel r -> {
                Matcher m = TARGET.matcher(theirs);
                long target = m.matches() ? hex(m.group(1)) : theirs.startsWith("0x") ? hex(theirs) : -1;
                yield target == r.target() ? null : "target 0x" + Long.toHexString(r.target()) + " vs " + theirs;
            }
            case Operand.Mem m -> memory(m, theirs);
        };
    }

    private static String memory(Operand.Mem m, String theirs) {
        Matcher x = MEM.matcher(theirs);
        if (!x.matches()) {
            return "memory vs " + theirs;
        }
        String seg = x.group(2);
        String ourSeg = m.segment() == 4 ? "fs" : m.segment() == 5 ? "gs" : null;
        if (ourSeg != null && !ourSeg.equals(seg)) {
            return "segment " + ourSeg + " vs " + seg;
        }
        String base = null, index = null;
        int scale = 1;
        long disp = 0;
        if (x.group(4) != null) {
            disp = hex(x.group(4));
        } else {
            String expr = x.group(3).replace("-", "+-");
            for (String term : expr.split("\\+")) {
                if (term.isEmpty()) {
                    continue;
                }
                boolean neg = term.startsWith("-");
                String v = neg ? term.substring(1) : term;
                if (v.startsWith("0x")) {
                    disp += neg ? -hex(v) : hex(v);
                } else if (v.contains("*")) {
                    index = v.substring(0, v.indexOf('*'));
                    scale = Integer.parseInt(v.substring(v.indexOf('*') + 1));
                } else {
                    base = v;
                }
            }
        }
        String ourBase = m.ripRelative() ? (m.addressSize() == 4 ? "eip" : "rip")
                : m.base() < 0 ? null : Decoded.registerName(m.addressSize(), m.base());
        String ourIndex = m.index() < 0 ? null : Decoded.registerName(m.addressSize(), m.index());
        if ("riz".equals(index) || "eiz".equals(index)) {
            index = null;                                  // SIB without an index, spelled out by objdump
        }
        if (!Objects.equals(ourBase, base)) {
            return "base " + ourBase + " vs " + base;
        }
        if (!Objects.equals(ourIndex, index)) {
            return "index " + ourIndex + " vs " + index;
        }
        if (ourIndex != null && (1 << m.scale()) != scale) {
            return "scale " + (1 << m.scale()) + " vs " + scale;
        }
        long ourDisp = m.disp();
        long mask = m.addressSize() == 4 || (m.base() < 0 && !m.ripRelative() && m.index() < 0 && m.addressSize() == 4)
                ? 0xFFFF_FFFFL : -1L;
        if (((ourDisp ^ disp) & mask) != 0) {
            return "displacement 0x" + Long.toHexString(ourDisp) + " vs 0x" + Long.toHexString(disp);
        }
        return null;
    }
}
