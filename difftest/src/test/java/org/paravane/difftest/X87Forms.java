package org.paravane.difftest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hand-written x87 cases: every implemented form (register, memory and popping forms) from x87 states built of edge
 * values (±0, denormals, pseudo-denormals, unnormals, ±infinity, QNaN, SNaN, the indefinite, the extremes, values that
 * round differently under each precision), with full, partly empty and nearly empty stacks at several TOPs, under
 * every rounding control, each precision control, and with exceptions unmasked (so a later waiting instruction
 * raises #MF). The memory operands sit at {@code [r15 + 0x40]} (m32 0x40, m64 0x48, m80 0x50, m16int 0x60, m32int
 * 0x64, m64int 0x68, BCD 0x70). Also the seeded random x87 sequences.
 */
public final class X87Forms {
    private X87Forms() {
    }

    /** Sign/exponent and significand pairs. */
    static final long[][] VALUES = {{0, 0}, {0x8000, 0}, {0x3FFF, 0x8000_0000_0000_0000L}, {0xBFFF, 0xC000_0000_0000_0000L},
            {0, 1}, {0x8000, 0x8000_0000_0000_0000L}, {1, 0x8000_0000_0000_0000L}, {0x7FFE, 0xFFFF_FFFF_FFFF_FFFFL},
            {0x7FFF, 0x8000_0000_0000_0000L}, {0xFFFF, 0x8000_0000_0000_0000L}, {0x7FFF, 0xC000_0000_0000_0001L},
            {0x7FFF, 0x8000_0000_0000_0001L}, {0xFFFF, 0xC000_0000_0000_0000L}, {0x3FFF, 0x0000_0000_0000_0001L},
            {0x3FFD, 0xAAAA_AAAA_AAAA_AAABL}, {0x4000, 0xC90F_DAA2_2168_C235L}, {0x3FFF, 0x8000_0000_0000_0401L},
            {0xC03E, 0x8000_0000_0000_0000L}, {0x403D, 0xFFFF_FFFF_FFFF_FC00L}, {0x3FFE, 0x8000_0000_0000_0000L},
            {0x0001, 0xFFFF_FFFF_FFFF_FFFFL}, {0x400E, 0xFFFE_8000_0000_0000L}, {0x43FE, 0x8000_0000_0000_0000L},
            {0x3C01, 0x8000_0000_0000_0000L}, {0x4011, 0xA000_0000_0000_0001L}, {0xBFFE, 0xFFFF_FFFF_FFFF_FFFFL}};
    static final long[] DOUBLES = SseForms.DOUBLES;
    static final int[] FLOATS = SseForms.FLOATS;
    /** RN/64, RD, RU, RZ, precision 24 and 53, IE DE ZE OE UE unmasked, everything unmasked, PC 24 with RU. */
    static final int[] FCWS = {0x37F, 0x77F, 0xB7F, 0xF7F, 0x07F, 0x27F, 0x360, 0x340, 0x87F};
    static final int VALUE_SETS = 8;

    static final String M32 = "dword ptr [r15 + 0x40]", M64 = "qword ptr [r15 + 0x48]", M80 = "tbyte ptr [r15 + 0x50]",
            I16 = "word ptr [r15 + 0x60]", I32 = "dword ptr [r15 + 0x64]", I64 = "qword ptr [r15 + 0x68]",
            BCD = "tbyte ptr [r15 + 0x70]";

    static List<String> forms() {
        List<String> f = new ArrayList<>();
        for (String op : new String[] {"fadd", "fmul", "fsub", "fsubr", "fdiv", "fdivr"}) {
            f.add(op + " st(0), st(1)");
            f.add(op + " st(0), st(3)");
            f.add(op + " st(2), st(0)");
            f.add(op + "p st(1), st(0)");
            f.add(op + "p st(3), st(0)");
            f.add(op + " " + M32);
            f.add(op + " " + M64);
            f.add("fi" + op.substring(1) + " " + I16);
            f.add("fi" + op.substring(1) + " " + I32);
        }
        f.add("fadd st(0), st(0)");
        f.add("fmul st(0), st(0)\n fmul st(0), st(0)\n fmul st(0), st(0)");
        for (String op : new String[] {"fcom", "fcomp", "fucom", "fucomp"}) {
            f.add(op + " st(1)");
            f.add(op + " st(4)");
        }
        for (String op : new String[] {"fcom " + M32, "fcomp " + M64, "ficom " + I16, "ficomp " + I32, "fcompp", "fucompp",
                "fcomi st(0), st(1)", "fcomip st(0), st(2)", "fucomi st(0), st(1)", "fucomip st(0), st(3)", "ftst", "fxam",
                "fld st(0)", "fld st(3)", "fld " + M32, "fld " + M64, "fld " + M80, "fild " + I16, "fild " + I32, "fild " + I64,
                "fbld " + BCD, "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", "fst st(2)", "fstp st(1)",
                "fst " + M32, "fst " + M64, "fstp " + M32, "fstp " + M64, "fstp " + M80, "fist " + I16, "fist " + I32,
                "fistp " + I16, "fistp " + I32, "fistp " + I64, "fisttp " + I16, "fisttp " + I32, "fisttp " + I64,
                "fbstp " + BCD, "fxch st(1)", "fxch st(5)", "fchs", "fabs", "fsqrt", "frndint", "fscale", "fxtract", "fprem",
                "fprem1", "fprem\n fprem\n fprem", "ffree st(1)", "fincstp", "fdecstp", "fnop", "fnclex", "fninit", "fwait",
                "fnstsw ax", "fnstsw " + I16, "fnstcw " + I16, "mov word ptr [r15 + 0x60], 0xf7f\n fldcw " + I16,
                "mov word ptr [r15 + 0x60], 0x360\n fldcw " + I16 + "\n fadd st(0), st(1)\n fnop",
                "fnstenv [r15 + 0x100]", "fnstenv [r15 + 0x100]\n fldenv [r15 + 0x100]",
                "fnsave [r15 + 0x100]", "fnsave [r15 + 0x100]\n frstor [r15 + 0x100]", "fadd st(0), st(1)\n fwait",
                "fdiv st(0), st(1)\n fxch st(1)", "fadd st(0), st(1)\n fnstsw ax\n fnclex\n fld1",
                // MXCSR_MASK (bytes 28-31) is cleared: the host offers MXCSR.MM (0x2FFFF), this CPU does not (0xFFFF).
                "fxsave64 [r15 + 0x200]\n mov dword ptr [r15 + 0x21c], 0", "fxsave [r15 + 0x200]\n mov dword ptr [r15 + 0x21c], 0",
                "fadd st(0), st(1)\n fxsave64 [r15 + 0x200]\n fninit\n fxrstor64 [r15 + 0x200]\n mov dword ptr [r15 + 0x21c], 0",
                "fst qword ptr [r15 + 0x2ffc]", "fstp " + M80.replace("0x50", "0x2ff8"), "fld tbyte ptr [r15 + 0x2ff8]"}) {
            f.add(op);
        }
        for (String cc : new String[] {"b", "e", "be", "u", "nb", "ne", "nbe", "nu"}) {
            f.add("fcmov" + cc + " st(0), st(1)");
        }
        return f;
    }

    /** The x87 words of value set {@code k} under control word {@code fcw}. */
    static long[] simd(int k, int fcw, Random r) {
        long[] s = Layout.resetSimd();
        int top = (k * 3) % 8;
        int valid = switch (k % 3) {
            case 0 -> 8;
            case 1 -> 2;
            default -> 6;
        };
        int tags = 0;
        for (int i = 0; i < 8; i++) {
            long[] v = VALUES[(k * 5 + i * 7) % VALUES.length];
            if (k >= 6) {
                v = new long[] {r.nextInt(2) << 15 | (0x3FF0 + r.nextInt(32)), r.nextLong() | 1L << 63};
            }
            s[Layout.ST + 2 * i] = v[1];
            s[Layout.ST + 2 * i + 1] = v[0];
            if (i < valid) {
                tags |= 1 << ((top + i) & 7);
            }
        }
        s[Layout.X87] = fcw | (long) (top << 11) << 16 | (long) tags << 32;
        return s;
    }

    public static List<TestCase> cases() {
        List<String> forms = forms();
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        for (String form : forms) {
            for (int k = 0; k < VALUE_SETS; k++) {
                for (int fcw : FCWS) {
                    names.add(form.replace('\n', ';') + " #" + k + " fcw " + Integer.toHexString(fcw));
                    seqs.add(List.of(g(form)));
                }
            }
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, 13, true);
        List<TestCase> cases = new ArrayList<>(raw.size());
        Random r = new Random(23);
        int i = 0;
        for (String form : forms) {
            for (int k = 0; k < VALUE_SETS; k++) {
                for (int fcw : FCWS) {
                    cases.add(prepare(raw.get(i++), k, simd(k, fcw, r)));
                }
            }
        }
        return cases;
    }

    static SequenceGenerator.G g(String text) {
        boolean flags = text.contains("fcomi") || text.contains("fucomi");
        return new SequenceGenerator.G(text, 0, flags ? SequenceGenerator.ALL : 0, 0, -1);
    }

    /** The memory operands of value set {@code k}. */
    static TestCase prepare(TestCase tc, int k, long[] simd) {
        byte[] data = tc.data().clone();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long[] v80 = VALUES[(k * 11 + 3) % VALUES.length];
        b.putInt(0x1040, FLOATS[(k * 3 + 1) % FLOATS.length]);
        b.putLong(0x1048, DOUBLES[(k * 7 + 2) % DOUBLES.length]);
        b.putLong(0x1050, v80[1]).putShort(0x1058, (short) v80[0]);
        short[] i16 = {0, 1, -1, 32767, -32768, 3, 1000, -7};
        int[] i32 = {0, -1, 0x7FFF_FFFF, 0x8000_0000, 5, 123456789, -3, 16777217};
        long[] i64 = {0, Long.MIN_VALUE, Long.MAX_VALUE, -2, 0x20_0000_0000_0001L, 7, 1L << 62, -123456789012345L};
        b.putShort(0x1060, i16[k]).putInt(0x1064, i32[k]).putLong(0x1068, i64[k]);
        long[] bcd = {0x0000_0000_0000_0000L, 0x1234_5678_9012_3456L, 0x9999_9999_9999_9999L, 0x0000_0000_0000_0042L,
                0x0000_0000_0000_0001L, 0x5000_0000_0000_0000L, 0x0000_0000_1234_0000L, 0x0987_6543_2109_8765L};
        b.putLong(0x1070, bcd[k]).putShort(0x1078, (short) (k % 2 == 1 ? 0x8099 : 0x0012));
        long[] regs = tc.regs().clone();
        regs[15] = Layout.DATA + 0x1000;
        return new TestCase(tc.name(), tc.source(), tc.code(), tc.offsets(), tc.before(), tc.after(), regs, tc.gsBase(),
                data, tc.stepwise(), simd);
    }

    /**
     * {@code count} random sequences of 3-12 x87 forms each (one in eight an MMX form, so sequences cross between x87
     * and MMX state), from random states and control words.
     */
    public static List<TestCase> random(long seed, int count) {
        Random r = new Random(seed);
        List<String> forms = forms().stream().filter(f -> !f.contains("\n") && !f.contains("0x2ff") && !f.contains("0x100")
                && !f.contains("0x200")).toList();
        List<String> mmx = MmxForms.forms().stream().filter(f -> !f.contains("\n") && !f.contains("0x2ff")
                && !f.contains("xmm") && !f.contains("r15 + 0x40")).toList();
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            List<SequenceGenerator.G> seq = new ArrayList<>();
            int n = 3 + r.nextInt(10);
            for (int i = 0; i < n; i++) {
                String f = r.nextInt(8) == 0 ? mmx.get(r.nextInt(mmx.size())) : forms.get(r.nextInt(forms.size()));
                f = f.replaceAll("st\\((\\d)\\)", "st(N$1)");
                while (f.contains("st(N")) {
                    int at = f.indexOf("st(N");
                    f = f.substring(0, at) + "st(" + (f.charAt(at + 4) == '0' ? 0 : 1 + r.nextInt(7)) + f.substring(at + 5);
                }
                seq.add(g(f));
            }
            names.add("x87 seed " + seed + " #" + k);
            seqs.add(seq);
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, seed, true);
        List<TestCase> cases = new ArrayList<>();
        for (TestCase tc : raw) {
            int k = r.nextInt(VALUE_SETS);
            cases.add(prepare(tc, k, simd(k, FCWS[r.nextInt(FCWS.length)], r)));
        }
        return cases;
    }
}
