package org.paravane.difftest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of valid user-mode instruction sequences over the integer instruction set: ALU, shifts and
 * rotates, multiply/divide, moves and extensions, bit operations, BMI1, BMI2, ADX, conditional moves/sets/jumps (forward),
 * stack operations, string operations with REP prefixes, locked read-modify-writes, flag instructions, and a few
 * instructions that fault. Memory operands stay inside the data area ({@code R15} points into it, {@code R14} is a
 * small index, GS has its base there), so the host CPU and the backends see the same memory.
 *
 * <p>Every instruction carries the flags it reads, defines and leaves undefined; the generator tracks which flags
 * are undefined at each point (merging over forward branches), never lets an instruction read one (it defines them
 * first with a CMP), and records the masks so the comparison skips undefined flags.
 */
public final class SequenceGenerator {

    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, ALL = 0x8D5;

    /** One generated instruction. {@code branch} is the label it jumps to ({@code -1}: none; {@code 1000}: the end). */
    record G(String text, long reads, long defines, long undefined, int branch) {
        static G plain(String text) {
            return new G(text, 0, 0, 0, -1);
        }
    }

    static final String[] R64 = {"rax", "rcx", "rdx", "rbx", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13"};
    static final String[] R32 = {"eax", "ecx", "edx", "ebx", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d"};
    static final String[] R16 = {"ax", "cx", "dx", "bx", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w"};
    static final String[] R8 = {"al", "cl", "dl", "bl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b"};
    static final String[] R8_LEGACY = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
    static final String[] SRC64_EXTRA = {"r14", "r15"};
    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
    static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    static final String[] SHIFTS = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sar"};

    private final Random rnd;
    private int sequence;
    private final List<G> out = new ArrayList<>();

    public SequenceGenerator(long seed) {
        this.rnd = new Random(seed);
    }

    // ---- cases --------------------------------------------------------------------------------------------------

    /** {@code count} random cases; {@code first} numbers the labels of the first. */
    public List<TestCase> cases(int count, String prefix) {
        List<List<G>> all = new ArrayList<>(count);
        List<GnuAs.Sequence> sources = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            sequence = k;
            List<G> seq = randomSequence();
            all.add(seq);
            sources.add(new GnuAs.Sequence(seq.stream().map(G::text).toList()));
        }
        List<GnuAs.Assembled> asm = GnuAs.assemble(sources);
        List<TestCase> cases = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            cases.add(testCase(prefix + " #" + k, all.get(k), asm.get(k), initialRegs(), randomData(), true));
        }
        return cases;
    }

    /** A test case from fixed instruction lines (hand-written forms), with random registers and data. */
    static List<TestCase> fixed(List<String> names, List<List<G>> sequences, long seed, boolean stepwise) {
        SequenceGenerator g = new SequenceGenerator(seed);
        List<GnuAs.Sequence> sources = sequences.stream().map(s -> new GnuAs.Sequence(s.stream().map(G::text).toList())).toList();
        List<GnuAs.Assembled> asm = GnuAs.assemble(sources);
        List<TestCase> cases = new ArrayList<>();
        for (int k = 0; k < sequences.size(); k++) {
            cases.add(g.testCase(names.get(k), sequences.get(k), asm.get(k), g.initialRegs(), g.randomData(), stepwise));
        }
        return cases;
    }

    private TestCase testCase(String name, List<G> seq, GnuAs.Assembled a, long[] regs, byte[] data, boolean stepwise) {
        long[][] masks = masks(seq);
        return new TestCase(name, a.source(), a.code(), a.offsets(), masks[0], masks[1], regs, Layout.DATA + 0x1000, data,
                stepwise);
    }

    /** Undefined flags before and after each instruction, merged over forward branches. */
    static long[][] masks(List<G> seq) {
        int n = seq.size();
        long[] before = new long[n + 1];
        long[] after = new long[n];
        for (int i = 0; i < n; i++) {
            G g = seq.get(i);
            long a = (before[i] & ~g.defines()) | g.undefined();
            // A unit of several instructions (a string-op preamble) is masked conservatively at every step in it.
            after[i] = g.text().contains("\n") ? a | before[i] : a;
            before[i + 1] |= a;
            if (g.branch() >= 0) {
                int target = Math.min(g.branch(), n);
                before[target] |= a;
            }
        }
        return new long[][] {Arrays.copyOf(before, n), after};
    }

    long[] initialRegs() {
        long[] r = new long[18];
        for (int i = 0; i < 16; i++) {
            r[i] = value(8);
        }
        r[4] = Layout.DATA + 0x3800 - 8L * rnd.nextInt(16);
        r[14] = rnd.nextInt(256);
        r[15] = Layout.DATA + 0x1000;
        r[17] = 0x202 | (rnd.nextLong() & ALL) | (rnd.nextInt(8) == 0 ? 0x400 : 0);
        return r;
    }

    byte[] randomData() {
        byte[] d = new byte[Layout.DATA_SIZE];
        rnd.nextBytes(d);
        return d;
    }

    /** An interesting value of {@code size} bytes: edges and random bits. */
    long value(int size) {
        long v = switch (rnd.nextInt(10)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> 1L << (size * 8 - 1);
            case 4 -> (1L << (size * 8 - 1)) - 1;
            case 5 -> rnd.nextInt(256);
            case 6 -> -rnd.nextInt(256);
            default -> rnd.nextLong();
        };
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    // ---- sequences ----------------------------------------------------------------------------------------------

    private long unknown;
    private long[] pendingMerge;

    private List<G> randomSequence() {
        out.clear();
        unknown = 0;
        int length = 6 + rnd.nextInt(18);
        pendingMerge = new long[length + 64];
        while (out.size() < length) {
            int at = out.size();
            unknown |= pendingMerge[at];
            G g = next(length);
            if ((g.reads() & unknown) != 0) {
                emit(new G("cmp " + pick(R64) + ", " + pick(R64), 0, ALL, 0, -1));
                continue;
            }
            emit(g);
        }
        return List.copyOf(out);
    }

    private void emit(G g) {
        int at = out.size();
        out.add(g);
        long after = (unknown & ~g.defines()) | g.undefined();
        if (g.branch() >= 0 && g.branch() < pendingMerge.length) {
            pendingMerge[g.branch()] |= after;
        }
        unknown = after;
    }

    private String pick(String[] a) {
        return a[rnd.nextInt(a.length)];
    }

    private String src64() {
        return rnd.nextInt(6) == 0 ? pick(SRC64_EXTRA) : pick(R64);
    }

    static String reg(int size, int i) {
        return switch (size) {
            case 1 -> R8[i];
            case 2 -> R16[i];
            case 4 -> R32[i];
            default -> R64[i];
        };
    }

    private String r(int size) {
        return reg(size, rnd.nextInt(R64.length));
    }

    private int size() {
        return switch (rnd.nextInt(8)) {
            case 0 -> 1;
            case 1 -> 2;
            case 2, 3, 4 -> 4;
            default -> 8;
        };
    }

    static String ptr(int size) {
        return switch (size) {
            case 1 -> "byte ptr ";
            case 2 -> "word ptr ";
            case 4 -> "dword ptr ";
            case 8 -> "qword ptr ";
            default -> "xmmword ptr ";
        };
    }

    /** A memory operand inside the data area. */
    private String mem(int size) {
        int disp = rnd.nextInt(0x1000) - 0x800;
        String d = (disp < 0 ? " - " : " + ") + Math.abs(disp);
        return ptr(size) + switch (rnd.nextInt(6)) {
            case 0, 1 -> "[r15" + d + "]";
            case 2 -> "[r15 + r14*" + (1 << rnd.nextInt(4)) + d + "]";
            case 3 -> "gs:[r14*" + (1 << rnd.nextInt(4)) + d + "]";
            case 4 -> "[r15d" + d + "]";
            default -> "[r15 + r14" + d + "]";
        };
    }

    private String imm(int size) {
        long v = value(Math.min(size, 4));
        if (size >= 4) {
            v = (int) v;                                  // imm32, sign-extended for 64-bit operations
        }
        return Long.toString(size == 1 ? v & 0xFF : size == 2 ? v & 0xFFFF : v);
    }

    private G next(int length) {
        int f = rnd.nextInt(100);
        if (f < 22) {
            return alu();
        } else if (f < 34) {
            return move();
        } else if (f < 44) {
            return shift();
        } else if (f < 50) {
            return unary();
        } else if (f < 56) {
            return mulDiv();
        } else if (f < 64) {
            return bits();
        } else if (f < 74) {
            return conditional(length);
        } else if (f < 80) {
            return stack();
        } else if (f < 84) {
            return string();
        } else if (f < 90) {
            return atomic();
        } else if (f < 97) {
            return misc();
        }
        return fault();
    }

    private G alu() {
        int op = rnd.nextInt(9);
        String name = op == 8 ? "test" : ALU[op];
        long reads = op == 2 || op == 3 ? CF : 0;
        boolean logic = op == 1 || op == 4 || op == 6 || op == 8;
        long defines = logic ? ALL & ~AF : ALL;
        long undefined = logic ? AF : 0;
        int size = size();
        String a, b;
        switch (rnd.nextInt(5)) {
            case 0 -> {
                a = r(size);
                b = size == 8 ? src64() : r(size);
            }
            case 1 -> {
                a = r(size);
                b = imm(size);
            }
            case 2 -> {
                a = r(size);
                b = mem(size);
                if (op == 8) {
                    String t = a;
                    a = b;
                    b = t;
                }
            }
            case 3 -> {
                a = mem(size);
                b = r(size);
            }
            default -> {
                a = mem(size);
                b = imm(size);
            }
        }
        if (size == 1 && rnd.nextInt(4) == 0) {
            a = pick(R8_LEGACY);
            b = rnd.nextBoolean() ? pick(R8_LEGACY) : imm(1);
        }
        boolean lock = a.contains("[") && op != 7 && op != 8 && rnd.nextInt(3) == 0;
        return new G((lock ? "lock " : "") + name + " " + a + ", " + b, reads, defines, undefined, -1);
    }

    private G move() {
        int size = size();
        return switch (rnd.nextInt(14)) {
            case 0 -> G.plain("mov " + r(size) + ", " + (size == 8 ? src64() : r(size)));
            case 1 -> G.plain("mov " + r(size) + ", " + mem(size));
            case 2 -> G.plain("mov " + mem(size) + ", " + r(size));
            case 3 -> G.plain("mov " + mem(size) + ", " + imm(size));
            case 4 -> G.plain(size == 8 ? "movabs " + r(8) + ", " + value(8) : "mov " + r(size) + ", " + imm(size));
            case 5 -> {
                int from = rnd.nextBoolean() ? 1 : 2;
                int to = from == 1 ? (rnd.nextBoolean() ? 2 : 4) : 4;
                if (rnd.nextBoolean()) {
                    to = 8;
                }
                String src = rnd.nextBoolean() ? reg(from, rnd.nextInt(R64.length)) : mem(from);
                yield G.plain((rnd.nextBoolean() ? "movzx " : "movsx ") + r(to) + ", " + src);
            }
            case 6 -> G.plain("movsxd " + r(8) + ", " + (rnd.nextBoolean() ? r(4) : mem(4)));
            case 7 -> {
                String[] forms = {"[r15 + r14*4 + 12]", "[rax + rbx]", "[rcx*8 - 7]", "[r15d + r14d*2 + 100]", "[rip + 5]",
                        "[rsp + 8]", "[rbp + r12*1 - 1000]", "[r13]"};
                int s = rnd.nextInt(3) == 0 ? 4 : 8;
                if (rnd.nextInt(8) == 0) {
                    s = 2;
                }
                yield G.plain("lea " + r(s) + ", " + forms[rnd.nextInt(forms.length)]);
            }
            case 8 -> G.plain("xchg " + r(size) + ", " + r(size));
            case 9 -> G.plain("xchg " + mem(size) + ", " + r(size));
            case 10 -> G.plain("bswap " + r(rnd.nextBoolean() ? 4 : 8));
            case 11 -> {
                int s = 2 << rnd.nextInt(3);
                yield G.plain(rnd.nextBoolean() ? "movbe " + r(s) + ", " + mem(s) : "movbe " + mem(s) + ", " + r(s));
            }
            case 12 -> G.plain(pick(new String[] {"cbw", "cwde", "cdqe", "cwd", "cdq", "cqo"}));
            default -> G.plain("movabs rax, qword ptr [" + (Layout.DATA + 0x100 + 8 * rnd.nextInt(64)) + "]");
        };
    }

    private G shift() {
        int op = rnd.nextInt(SHIFTS.length);
        String name = SHIFTS[op];
        int size = size();
        String dst = rnd.nextInt(3) == 0 ? mem(size) : r(size);
        int kind = rnd.nextInt(3);
        String count = kind == 0 ? "cl" : kind == 1 ? "1" : Integer.toString(rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt(size * 8 + 2));
        boolean rotate = op < 4;
        boolean through = op == 2 || op == 3;
        long reads = through ? CF : 0;
        // Worst case over the (unknown) count: OF is defined for a count of 1 only; AF is undefined after a shift
        // by a non-zero count; a narrow shift by its width or more leaves CF undefined.
        long undefined;
        long defines;
        if (rotate) {
            defines = 0;
            undefined = count.equals("1") ? 0 : OF;
        } else {
            defines = 0;
            undefined = AF | (count.equals("1") ? 0 : OF) | (size < 4 ? CF : 0);
        }
        return new G(name + " " + dst + ", " + count, reads, defines, undefined, -1);
    }

    private G unary() {
        int size = size();
        String dst = rnd.nextBoolean() ? r(size) : mem(size);
        boolean lock = dst.contains("[") && rnd.nextInt(3) == 0;
        return switch (rnd.nextInt(4)) {
            case 0 -> new G((lock ? "lock " : "") + "inc " + dst, 0, ALL & ~CF, 0, -1);
            case 1 -> new G((lock ? "lock " : "") + "dec " + dst, 0, ALL & ~CF, 0, -1);
            case 2 -> G.plain((lock ? "lock " : "") + "not " + dst);
            default -> new G((lock ? "lock " : "") + "neg " + dst, 0, ALL, 0, -1);
        };
    }

    private G mulDiv() {
        int size = size();
        String src = rnd.nextBoolean() ? r(size) : mem(size);
        return switch (rnd.nextInt(6)) {
            case 0 -> new G("mul " + src, 0, CF | OF, SF | ZF | AF | PF, -1);
            case 1 -> new G("imul " + src, 0, CF | OF, SF | ZF | AF | PF, -1);
            case 2 -> {
                int s = size == 1 ? 4 : size;
                yield new G("imul " + r(s) + ", " + (rnd.nextBoolean() ? r(s) : mem(s)), 0, CF | OF, SF | ZF | AF | PF, -1);
            }
            case 3 -> {
                int s = size == 1 ? 8 : size;
                yield new G("imul " + r(s) + ", " + (rnd.nextBoolean() ? r(s) : mem(s)) + ", " + imm(Math.min(s, 4)), 0,
                        CF | OF, SF | ZF | AF | PF, -1);
            }
            case 4 -> new G("div " + src, 0, 0, ALL, -1);
            default -> new G("idiv " + src, 0, 0, ALL, -1);
        };
    }

    private G bits() {
        int size = rnd.nextBoolean() ? 8 : rnd.nextBoolean() ? 4 : 2;
        String[] bt = {"bt", "bts", "btr", "btc"};
        return switch (rnd.nextInt(10)) {
            case 0 -> new G(pick(bt) + " " + r(size) + ", " + r(size), 0, CF, OF | SF | AF | PF, -1);
            case 1 -> new G(pick(bt) + " " + (rnd.nextBoolean() ? r(size) : mem(size)) + ", " + rnd.nextInt(256), 0, CF,
                    OF | SF | AF | PF, -1);
            case 2 -> {
                String op = pick(bt);
                String idx = size == 8 ? "r14" : size == 4 ? "r14d" : "r14w";
                yield new G((!op.equals("bt") && rnd.nextBoolean() ? "lock " : "") + op + " " + mem(size) + ", " + idx, 0, CF,
                        OF | SF | AF | PF, -1);
            }
            case 3 -> new G((rnd.nextBoolean() ? "bsf " : "bsr ") + r(size) + ", " + (rnd.nextBoolean() ? r(size) : mem(size)),
                    0, ZF, CF | OF | SF | AF | PF, -1);
            case 4 -> new G((rnd.nextBoolean() ? "tzcnt " : "lzcnt ") + r(size) + ", " + (rnd.nextBoolean() ? r(size) : mem(size)),
                    0, CF | ZF, OF | SF | AF | PF, -1);
            case 5 -> new G("popcnt " + r(size) + ", " + (rnd.nextBoolean() ? r(size) : mem(size)), 0, ALL, 0, -1);
            case 6 -> {
                int s = rnd.nextBoolean() ? 8 : 4;
                int c = rnd.nextInt(s * 8);
                String op = rnd.nextBoolean() ? "shld " : "shrd ";
                yield new G(op + (rnd.nextBoolean() ? r(s) : mem(s)) + ", " + r(s) + ", " + c, 0, 0,
                        AF | (c == 1 ? 0 : OF), -1);
            }
            case 7 -> {
                int s = rnd.nextBoolean() ? 8 : 4;
                String src = rnd.nextBoolean() ? r(s) : mem(s);
                yield switch (rnd.nextInt(5)) {
                    case 0 -> new G("andn " + r(s) + ", " + r(s) + ", " + src, 0, ALL & ~(AF | PF), AF | PF, -1);
                    case 1 -> new G("bextr " + r(s) + ", " + src + ", " + r(s), 0, ZF | CF | OF, AF | SF | PF, -1);
                    case 2 -> new G("blsi " + r(s) + ", " + src, 0, ZF | SF | CF | OF, AF | PF, -1);
                    case 3 -> new G("blsmsk " + r(s) + ", " + src, 0, ZF | SF | CF | OF, AF | PF, -1);
                    default -> new G("blsr " + r(s) + ", " + src, 0, ZF | SF | CF | OF, AF | PF, -1);
                };
            }
            case 8 -> bmi2();
            default -> {
                int c = rnd.nextInt(17);
                yield new G((rnd.nextBoolean() ? "shld " : "shrd ") + r(2) + ", " + r(2) + ", " + c, 0, 0,
                        AF | (c == 1 ? 0 : OF), -1);
            }
        };
    }

    /** BMI2 and ADX: only BZHI, ADCX and ADOX touch the flags. */
    private G bmi2() {
        int s = rnd.nextBoolean() ? 8 : 4;
        String src = rnd.nextBoolean() ? r(s) : mem(s);
        return switch (rnd.nextInt(9)) {
            case 0 -> new G("bzhi " + r(s) + ", " + src + ", " + r(s), 0, ZF | SF | CF | OF, AF | PF, -1);
            case 1 -> G.plain("pdep " + r(s) + ", " + r(s) + ", " + src);
            case 2 -> G.plain("pext " + r(s) + ", " + r(s) + ", " + src);
            case 3 -> G.plain("mulx " + r(s) + ", " + r(s) + ", " + src);
            case 4 -> G.plain("rorx " + r(s) + ", " + src + ", " + rnd.nextInt(256));
            case 5 -> G.plain(pick(new String[] {"sarx ", "shlx ", "shrx "}) + r(s) + ", " + src + ", " + r(s));
            case 6 -> new G("adcx " + r(s) + ", " + src, CF, CF, 0, -1);
            case 7 -> new G("adox " + r(s) + ", " + src, OF, OF, 0, -1);
            default -> new G("andn " + r(s) + ", " + r(s) + ", " + src, 0, ALL & ~(AF | PF), AF | PF, -1);
        };
    }

    static long conditionReads(int cc) {
        return switch (cc >>> 1) {
            case 0 -> OF;
            case 1 -> CF;
            case 2 -> ZF;
            case 3 -> CF | ZF;
            case 4 -> SF;
            case 5 -> PF;
            case 6 -> SF | OF;
            default -> ZF | SF | OF;
        };
    }

    private G conditional(int length) {
        int cc = rnd.nextInt(16);
        long reads = conditionReads(cc);
        int size = rnd.nextBoolean() ? 8 : rnd.nextBoolean() ? 4 : 2;
        return switch (rnd.nextInt(5)) {
            case 0 -> new G("cmov" + CC[cc] + " " + r(size) + ", " + (rnd.nextBoolean() ? r(size) : mem(size)), reads, 0, 0, -1);
            case 1 -> new G("set" + CC[cc] + " " + (rnd.nextBoolean() ? r(1) : mem(1)), reads, 0, 0, -1);
            case 2, 3 -> {
                int target = Math.min(out.size() + 1 + rnd.nextInt(4), length);
                String label = target >= length ? "s" + sequence + "_end" : "s" + sequence + "_" + target;
                yield new G("j" + CC[cc] + " " + label, reads, 0, 0, target >= length ? 1000 : target);
            }
            default -> {
                int target = Math.min(out.size() + 1 + rnd.nextInt(4), length);
                String label = target >= length ? "s" + sequence + "_end" : "s" + sequence + "_" + target;
                String op = switch (rnd.nextInt(4)) {
                    case 0 -> "jmp ";
                    case 1 -> "jrcxz ";
                    case 2 -> "jecxz ";
                    default -> "loop ";
                };
                yield new G(op + label, 0, 0, 0, target >= length ? 1000 : target);
            }
        };
    }

    private G stack() {
        return switch (rnd.nextInt(7)) {
            case 0 -> G.plain("push " + src64());
            case 1 -> G.plain("pop " + r(8));
            case 2 -> G.plain("push " + (rnd.nextBoolean() ? imm(4) : imm(1)));
            case 3 -> G.plain("push " + mem(8));
            case 4 -> G.plain("pop " + mem(8));
            case 5 -> G.plain(rnd.nextBoolean() ? "push " + r(2) : "pop " + r(2));
            default -> G.plain("push qword ptr [rsp + " + 8 * rnd.nextInt(4) + "]");
        };
    }

    private G string() {
        // The preamble points RSI/RDI into the data area and makes RCX small.
        // The preamble points RSI/RDI into the data area and makes RCX small; it is one unit with the string
        // instruction, so no branch lands inside it.
        int n = rnd.nextInt(40);
        int src = rnd.nextInt(0x1000), dst = rnd.nextInt(0x1000);
        String preamble = "lea rsi, [r15 + " + (src - 0x400) + "]\n lea rdi, [r15 + " + (dst - 0x400) + "]\n mov ecx, " + n
                + (rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? "\n std" : "\n cld") : "") + "\n ";
        String suffix = "bwdq".charAt(rnd.nextInt(4)) + "";
        return switch (rnd.nextInt(7)) {
            case 0, 1 -> G.plain(preamble + "rep movs" + suffix);
            case 2 -> G.plain(preamble + "rep stos" + suffix);
            case 3 -> G.plain(preamble + "lods" + suffix);
            // With RCX = 0 a repeated compare does nothing: the flags it would define stay as they were.
            case 4 -> new G(preamble + (rnd.nextBoolean() ? "repe" : "repne") + " cmps" + suffix, 0, n == 0 ? 0 : ALL, 0, -1);
            case 5 -> new G(preamble + (rnd.nextBoolean() ? "repe" : "repne") + " scas" + suffix, 0, n == 0 ? 0 : ALL, 0, -1);
            default -> G.plain(preamble + "movs" + suffix);
        };
    }

    private G atomic() {
        int size = size();
        return switch (rnd.nextInt(5)) {
            case 0 -> new G((rnd.nextBoolean() ? "lock " : "") + "xadd " + mem(size) + ", " + r(size), 0, ALL, 0, -1);
            case 1 -> new G("xadd " + r(size) + ", " + r(size), 0, ALL, 0, -1);
            case 2 -> new G((rnd.nextBoolean() ? "lock " : "") + "cmpxchg " + mem(size) + ", " + r(size), 0, ALL, 0, -1);
            case 3 -> new G("cmpxchg " + r(size) + ", " + r(size), 0, ALL, 0, -1);
            default -> new G((rnd.nextBoolean() ? "lock " : "") + "cmpxchg8b qword ptr [r15 + " + 8 * (rnd.nextInt(64) - 32) + "]",
                    0, ZF, 0, -1);
        };
    }

    private G misc() {
        return switch (rnd.nextInt(12)) {
            case 0 -> new G("clc", 0, CF, 0, -1);
            case 1 -> new G("stc", 0, CF, 0, -1);
            case 2 -> new G("cmc", CF, CF, 0, -1);
            case 3 -> new G("lahf", SF | ZF | AF | PF | CF, 0, 0, -1);
            case 4 -> new G("sahf", 0, SF | ZF | AF | PF | CF, 0, -1);
            case 5 -> G.plain("nop");
            case 6 -> G.plain("nop dword ptr [rax + rax*1 + 0]");
            case 7 -> G.plain("endbr64");
            case 8 -> G.plain("pause");
            case 9 -> G.plain(rnd.nextBoolean() ? "cld" : "std");
            case 10 -> new G("cmpxchg16b xmmword ptr [r15 + " + 16 * (rnd.nextInt(32) - 16) + "]", 0, ZF, 0, -1);
            default -> G.plain("lea rbx, [r15 + " + (rnd.nextInt(0x800) - 0x400) + "]\n xlatb");
        };
    }

    private G fault() {
        return switch (rnd.nextInt(9)) {
            case 0 -> G.plain("ud2");
            case 1 -> G.plain("int3");
            case 2 -> G.plain("mov rax, qword ptr [0x30000000]");
            case 3 -> G.plain("mov qword ptr [0x30000000], rcx");
            case 4 -> G.plain("movabs rax, 0x8000000000000000\n mov rbx, [rax]");
            case 5 -> G.plain("hlt");
            case 6 -> G.plain("cli");
            case 7 -> G.plain("out 0x80, al");
            default -> G.plain("mov rax, cr0");
        };
    }
}
