package org.paravane.difftest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hand-written SSE/SSE2 cases: every implemented form (register and memory operands) from XMM states built of edge
 * values (±0, denormals, ±infinity, QNaN and SNaN, the extremes, values that round differently in each mode), under
 * each MXCSR rounding mode, with DAZ+FTZ, and with every exception unmasked (where a flag raised becomes #XM).
 * XMM0 is the destination, XMM1 the source; the memory operand {@code [r15 + 0x40]} (16-byte aligned) holds XMM1.
 * Also the seeded random SSE sequences.
 */
public final class SseForms {
    private SseForms() {
    }

    static final long[] DOUBLES = {0, 0x8000_0000_0000_0000L, 0x3FF0_0000_0000_0000L, 0xBFF8_0000_0000_0000L, 1L,
            0x800F_FFFF_FFFF_FFFFL, 0x0010_0000_0000_0000L, 0x7FEF_FFFF_FFFF_FFFFL, 0x7FF0_0000_0000_0000L,
            0xFFF0_0000_0000_0000L, 0x7FF8_0000_0000_0001L, 0x7FF0_0000_0000_0001L, 0x3FD5_5555_5555_5555L,
            0x3FB9_9999_9999_999AL, 0x3FF0_0000_0000_0001L, 0xC1E0_0000_0000_0000L, 0x41E0_0000_0000_0000L,
            0x0018_0000_0000_0001L, 0x4340_0000_0000_0001L, 0xBCB0_0000_0000_0000L};
    static final int[] FLOATS = {0, 0x8000_0000, 0x3F80_0000, 0xBFC0_0000, 1, 0x807F_FFFF, 0x0080_0000, 0x7F7F_FFFF,
            0x7F80_0000, 0xFF80_0000, 0x7FC0_0001, 0x7F80_0001, 0x3EAA_AAAB, 0x3DCC_CCCD, 0x3F80_0001, 0xCF00_0000,
            0x4F00_0000, 0x00C0_0001, 0x4B80_0001, 0xB380_0000};
    /**
     * RN, RD, RU, RZ, DAZ+FTZ (RN), FTZ (RD), DAZ (RU), everything unmasked but precision, only overflow and
     * underflow unmasked.
     */
    static final long[] MXCSRS = {0x1F80, 0x3F80, 0x5F80, 0x7F80, 0x9FC0, 0xBF80, 0x5FC0, 0x1000, 0x1380};

    static final String M = "xmmword ptr [r15 + 0x40]", MQ = "qword ptr [r15 + 0x40]", MD = "dword ptr [r15 + 0x40]";

    /** Each entry: instruction text, whether it defines the arithmetic flags (COMIS/UCOMIS). */
    static List<String> forms() {
        List<String> f = new ArrayList<>();
        for (String op : new String[] {"add", "sub", "mul", "div", "min", "max", "sqrt"}) {
            f.add(op + "ps xmm0, xmm1");
            f.add(op + "pd xmm0, xmm1");
            f.add(op + "ss xmm0, xmm1");
            f.add(op + "sd xmm0, xmm1");
            f.add(op + "ps xmm0, " + M);
            f.add(op + "pd xmm0, " + M);
            f.add(op + "ss xmm0, " + MD);
            f.add(op + "sd xmm0, " + MQ);
        }
        for (String op : new String[] {"add", "mul", "div", "sub"}) {
            for (String t : new String[] {"ps", "pd", "ss", "sd"}) {
                f.add(op + t + " xmm0, xmm0");                // squares and doubles: overflow and underflow
            }
        }
        f.add("mulsd xmm0, xmm0\n mulsd xmm0, xmm0\n mulsd xmm0, xmm0");
        f.add("mulps xmm0, xmm0\n mulps xmm0, xmm0\n mulps xmm0, xmm0");
        f.add("cvtsd2ss xmm0, xmm0");
        f.add("cvtpd2ps xmm0, xmm0");
        for (int p = 0; p < 8; p++) {
            for (String t : new String[] {"ps", "pd", "ss", "sd"}) {
                f.add("cmp" + t + " xmm0, xmm1, " + p);
            }
        }
        f.add("cmpsd xmm0, " + MQ + ", 1");
        f.add("cmpps xmm0, " + M + ", 6");
        for (String op : new String[] {"comiss xmm0, xmm1", "ucomiss xmm0, xmm1", "comisd xmm0, xmm1", "ucomisd xmm0, xmm1",
                "comisd xmm0, " + MQ, "ucomiss xmm0, " + MD}) {
            f.add(op);
        }
        for (String op : new String[] {"andps", "andnps", "orps", "xorps", "andpd", "andnpd", "orpd", "xorpd", "unpcklps",
                "unpckhps", "unpcklpd", "unpckhpd", "paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq",
                "paddsb", "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw", "pmullw", "pmulhw",
                "pmulhuw", "pmuludq", "pmaddwd", "psadbw", "pavgb", "pavgw", "pminub", "pmaxub", "pminsw", "pmaxsw", "pand",
                "pandn", "por", "pxor", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd", "psllw", "pslld",
                "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad", "punpcklbw", "punpcklwd", "punpckldq", "punpcklqdq",
                "punpckhbw", "punpckhwd", "punpckhdq", "punpckhqdq", "packsswb", "packssdw", "packuswb"}) {
            f.add(op + " xmm0, xmm1");
            f.add(op + " xmm0, " + M);
        }
        for (String op : new String[] {"psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad", "pslldq",
                "psrldq"}) {
            for (int n : new int[] {0, 1, 7, 15, 16, 31, 33, 63, 64, 200}) {
                f.add(op + " xmm0, " + n);
            }
        }
        for (int imm : new int[] {0, 0x1B, 0xE4, 0x4E, 0xFF, 0x39}) {
            f.add("shufps xmm0, xmm1, " + imm);
            f.add("shufpd xmm0, xmm1, " + (imm & 3));
            f.add("pshufd xmm0, xmm1, " + imm);
            f.add("pshuflw xmm0, " + M + ", " + imm);
            f.add("pshufhw xmm0, xmm1, " + imm);
            f.add("pinsrw xmm0, eax, " + (imm & 7));
            f.add("pextrw eax, xmm1, " + (imm & 7));
        }
        f.add("pinsrw xmm0, word ptr [r15 + 0x40], 5");
        for (String op : new String[] {"movaps xmm0, xmm1", "movups xmm0, " + M, "movaps " + M + ", xmm0",
                "movups xmmword ptr [r15 + 0x43], xmm0", "movapd xmm0, " + M, "movupd " + M + ", xmm0", "movdqa xmm0, " + M,
                "movdqu xmm0, xmmword ptr [r15 + 0x45]", "movdqa " + M + ", xmm1", "movdqu " + M + ", xmm0",
                "movss xmm0, xmm1", "movss xmm0, " + MD, "movss " + MD + ", xmm0", "movsd xmm0, xmm1", "movsd xmm0, " + MQ,
                "movsd " + MQ + ", xmm0", "movhlps xmm0, xmm1", "movlhps xmm0, xmm1", "movlps xmm0, " + MQ,
                "movhps xmm0, " + MQ, "movlps " + MQ + ", xmm1", "movhps " + MQ + ", xmm1", "movlpd xmm0, " + MQ,
                "movhpd xmm0, " + MQ, "movhpd " + MQ + ", xmm1", "movd xmm0, eax", "movd xmm0, " + MD, "movd eax, xmm1",
                "movd " + MD + ", xmm1", "movq xmm0, rax", "movq rax, xmm1", "movq xmm0, xmm1", "movq xmm0, " + MQ,
                "movq " + MQ + ", xmm1", "movmskps eax, xmm1", "movmskpd eax, xmm0", "pmovmskb eax, xmm1",
                "movntdq " + M + ", xmm1", "movntps " + M + ", xmm0", "movntpd " + M + ", xmm1", "movupd xmm0, " + M,
                "movapd " + M + ", xmm1", "movaps xmm0, " + M, "movlpd " + MQ + ", xmm1", "movhps " + MQ + ", xmm0",
                "cvtps2pd xmm0, " + MQ, "cvtps2dq xmm0, " + M, "cvtdq2ps xmm0, " + M, "cvtpd2ps xmm0, " + M,
                "cvttps2dq xmm0, " + M, "cvtss2sd xmm0, " + MD, "cvttss2si rax, " + MD, "cvtsd2si rax, " + MQ, "movnti " + MQ + ", rax", "movnti " + MD + ", eax",
                "lea rdi, [r15 + 0x80]\n maskmovdqu xmm0, xmm1",
                "cvtsi2sd xmm0, eax", "cvtsi2sd xmm0, rax", "cvtsi2ss xmm0, eax", "cvtsi2ss xmm0, rax", "cvtsi2sd xmm0, " + MQ,
                "cvtsi2ss xmm0, " + MD, "cvttsd2si eax, xmm1", "cvttsd2si rax, xmm1", "cvtsd2si eax, xmm1",
                "cvtsd2si rax, xmm1", "cvttss2si eax, xmm1", "cvttss2si rax, xmm1", "cvtss2si eax, xmm1", "cvtss2si rax, xmm1",
                "cvttsd2si rax, " + MQ, "cvtss2si eax, " + MD, "cvtsd2ss xmm0, xmm1", "cvtss2sd xmm0, xmm1",
                "cvtsd2ss xmm0, " + MQ, "cvtps2pd xmm0, xmm1", "cvtpd2ps xmm0, xmm1", "cvtdq2ps xmm0, xmm1",
                "cvtps2dq xmm0, xmm1", "cvttps2dq xmm0, xmm1", "cvtdq2pd xmm0, xmm1", "cvtpd2dq xmm0, xmm1",
                "cvttpd2dq xmm0, " + M, "cvtdq2pd xmm0, " + MQ,
                "stmxcsr " + MD, "and dword ptr [r15 + 0x40], 0xffc0\n ldmxcsr " + MD, "ldmxcsr dword ptr [r15 + 0x48]",
                "mov dword ptr [r15 + 0x40], 0x10000\n ldmxcsr " + MD, "fnstcw word ptr [r15 + 0x40]",
                "mov word ptr [r15 + 0x40], 0x27f\n fldcw word ptr [r15 + 0x40]\n fnstcw word ptr [r15 + 0x42]",
                "fninit\n fnstcw word ptr [r15 + 0x44]", "fwait",
                "fninit\n fxsave64 [r15 + 0x200]\n mov dword ptr [r15 + 0x21c], 0",
                "fninit\n fxsave [r15 + 0x200]\n mov dword ptr [r15 + 0x21c], 0",
                "fxsave64 [r15 + 0x200]\n pxor xmm0, xmm0\n mov dword ptr [r15 + 0x218], 0x7f80\n fxrstor64 [r15 + 0x200]\n mov dword ptr [r15 + 0x21c], 0",
                "movaps xmm0, xmmword ptr [r15 + 0x48]", "movdqa xmmword ptr [r15 + 0x44], xmm0", "addps xmm0, xmmword ptr [r15 + 0x44]",
                "fxsave [r15 + 0x208]", "mov dword ptr [r15 + 0x218], 0x40000\n fxrstor [r15 + 0x200]",
                // 16-byte accesses that run into the unmapped page after the data area: #PF, nothing written.
                "movups xmmword ptr [r15 + 0x2ff8], xmm1", "movdqu xmm0, xmmword ptr [r15 + 0x2ffc]",
                "movsd qword ptr [r15 + 0x2ffc], xmm1", "lea rdi, [r15 + 0x2ff8]\n maskmovdqu xmm1, xmm2",
                "fxsave64 [r15 + 0x2f00]",
                "pause", "sfence", "lfence", "mfence", "prefetcht0 [r15 + 0x40]", "clflush [r15 + 0x40]"}) {
            f.add(op);
        }
        return f;
    }

    static boolean setsFlags(String text) {
        return text.contains("comis");
    }

    /** The XMM/MXCSR state of value set {@code k}: lanes from the edge tables, shifted per register. */
    static long[] simd(int k, long mxcsr, Random r) {
        long[] s = Layout.resetSimd();
        for (int x = 0; x < 16; x++) {
            int base = k * 3 + x * 5;
            if (k % 2 == 0) {
                s[2 * x] = DOUBLES[(base) % DOUBLES.length];
                s[2 * x + 1] = DOUBLES[(base + 7) % DOUBLES.length];
            } else {
                s[2 * x] = (FLOATS[base % FLOATS.length] & 0xFFFF_FFFFL) | (long) FLOATS[(base + 3) % FLOATS.length] << 32;
                s[2 * x + 1] = (FLOATS[(base + 9) % FLOATS.length] & 0xFFFF_FFFFL) | (long) FLOATS[(base + 13) % FLOATS.length] << 32;
            }
            if (k >= 8) {
                s[2 * x] = r.nextLong();
                s[2 * x + 1] = r.nextLong();
            }
        }
        s[Layout.MXCSR] = mxcsr;
        return s;
    }

    static final int VALUE_SETS = 8;

    public static List<TestCase> cases() {
        List<String> forms = forms();
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        for (String form : forms) {
            for (int k = 0; k < VALUE_SETS; k++) {
                for (long mx : MXCSRS) {
                    names.add(form.replace('\n', ';') + " #" + k + " mxcsr " + Long.toHexString(mx));
                    seqs.add(List.of(g(form)));
                }
            }
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, 13, true);
        List<TestCase> cases = new ArrayList<>(raw.size());
        Random r = new Random(17);
        int i = 0;
        for (String form : forms) {
            for (int k = 0; k < VALUE_SETS; k++) {
                for (long mx : MXCSRS) {
                    cases.add(prepare(raw.get(i++), simd(k, mx, r)));
                }
            }
        }
        return cases;
    }

    static SequenceGenerator.G g(String text) {
        return new SequenceGenerator.G(text, 0, setsFlags(text) ? SequenceGenerator.ALL : 0, 0, -1);
    }

    /** The memory operand holds XMM1; RAX a lane of XMM1 (for the GPR forms). */
    static TestCase prepare(TestCase tc, long[] simd) {
        byte[] data = tc.data().clone();
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1040, simd[2]).putLong(0x1048, simd[3]);
        long[] regs = tc.regs().clone();
        regs[0] = simd[2] ^ simd[5];
        regs[15] = Layout.DATA + 0x1000;
        return new TestCase(tc.name(), tc.source(), tc.code(), tc.offsets(), tc.before(), tc.after(), regs, tc.gsBase(),
                data, tc.stepwise(), simd);
    }

    /** {@code count} random sequences of 3-12 SSE forms each, from random edge states and MXCSR modes. */
    public static List<TestCase> random(long seed, int count) {
        Random r = new Random(seed);
        List<String> forms = forms().stream().filter(f -> !f.contains("\n") && !f.contains("r15 + 0x4") || f.contains(M)
                || f.contains(MQ) || f.contains(MD)).toList();
        String[] regs = {"xmm0", "xmm1", "xmm2", "xmm3", "xmm7", "xmm9", "xmm15"};
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            List<SequenceGenerator.G> seq = new ArrayList<>();
            int n = 3 + r.nextInt(10);
            for (int i = 0; i < n; i++) {
                String f = forms.get(r.nextInt(forms.size()));
                if (f.contains("\n") || f.startsWith("f") || f.contains("mxcsr")) {
                    continue;
                }
                f = f.replace("xmm0", "XA").replace("xmm1", "XB");
                f = f.replace("XA", regs[r.nextInt(regs.length)]).replace("XB", regs[r.nextInt(regs.length)]);
                seq.add(g(f));
            }
            if (seq.isEmpty()) {
                seq.add(g("pxor xmm0, xmm1"));
            }
            names.add("sse seed " + seed + " #" + k);
            seqs.add(seq);
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, seed, true);
        List<TestCase> cases = new ArrayList<>();
        for (TestCase tc : raw) {
            cases.add(prepare(tc, simd(r.nextInt(VALUE_SETS), MXCSRS[r.nextInt(MXCSRS.length)], r)));
        }
        return cases;
    }
}
