package org.paravane.difftest;

import static org.paravane.difftest.SequenceGenerator.AF;
import static org.paravane.difftest.SequenceGenerator.ALL;
import static org.paravane.difftest.SequenceGenerator.CF;
import static org.paravane.difftest.SequenceGenerator.OF;
import static org.paravane.difftest.SequenceGenerator.PF;
import static org.paravane.difftest.SequenceGenerator.SF;
import static org.paravane.difftest.SequenceGenerator.ZF;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hand-written cases for the extensions after SSE2: BMI2, ADX, RDRAND/RDSEED and the VEX #UD rules (from the
 * edge-value states of {@link InstructionForms}), and SSE3, SSSE3 and SSE4.1 (from the XMM states of
 * {@link SseForms}: integer forms from edge and random-bit states, floating-point forms under every MXCSR setting).
 * Also the random SIMD sequences over these forms.
 */
public final class ExtensionForms {
    private ExtensionForms() {
    }

    static final String M = SseForms.M, MQ = SseForms.MQ, MD = SseForms.MD;

    // ---- general-register extensions ----------------------------------------------------------------------------

    static List<InstructionForms.Form> integerForms() {
        List<InstructionForms.Form> f = new ArrayList<>();
        for (int s : new int[] {4, 8}) {
            String a = InstructionForms.reg(s, 0), b = InstructionForms.reg(s, 1), c = InstructionForms.reg(s, 2),
                    d = InstructionForms.reg(s, 3), m = InstructionForms.mem(s);
            f.add(InstructionForms.Form.of("bzhi " + a + ", " + b + ", " + c, ZF | SF | CF | OF, AF | PF));
            f.add(InstructionForms.Form.of("bzhi " + a + ", " + m + ", " + c, ZF | SF | CF | OF, AF | PF));
            for (String op : new String[] {"pdep", "pext"}) {
                f.add(InstructionForms.Form.of(op + " " + a + ", " + b + ", " + c, 0, 0));
                f.add(InstructionForms.Form.of(op + " " + a + ", " + c + ", " + b, 0, 0));
                f.add(InstructionForms.Form.of(op + " " + a + ", " + b + ", " + m, 0, 0));
            }
            f.add(InstructionForms.Form.of("mulx " + a + ", " + c + ", " + b, 0, 0));
            f.add(InstructionForms.Form.of("mulx " + a + ", " + c + ", " + m, 0, 0));
            f.add(InstructionForms.Form.of("mulx " + a + ", " + a + ", " + b, 0, 0));       // one destination twice
            f.add(InstructionForms.Form.of("mulx " + d + ", " + a + ", " + d, 0, 0));       // RDX read and written
            for (int n : new int[] {0, 1, 5, 31, 32, 63, 64, 255}) {
                f.add(InstructionForms.Form.of("rorx " + a + ", " + b + ", " + n, 0, 0));
            }
            f.add(InstructionForms.Form.of("rorx " + a + ", " + m + ", 7", 0, 0));
            for (String op : new String[] {"sarx", "shlx", "shrx"}) {
                f.add(InstructionForms.Form.of(op + " " + a + ", " + b + ", " + c, 0, 0));
                f.add(InstructionForms.Form.of(op + " " + a + ", " + m + ", " + c, 0, 0));
            }
            for (String op : new String[] {"adcx", "adox"}) {
                long flag = op.equals("adcx") ? CF : OF;
                f.add(new InstructionForms.Form(op + " r" + s, op + " " + a + ", " + b, flag, flag, 0, true));
                f.add(new InstructionForms.Form(op + " r,m" + s, op + " " + a + ", " + m, flag, flag, 0, true));
                f.add(new InstructionForms.Form(op + " chain" + s, "stc\n " + op + " " + a + ", " + b + "\n " + op + " "
                        + c + ", " + d, 0, ALL, 0, true));
            }
        }
        // RDRAND/RDSEED: the value is the source's, so what is compared is its shape: CF=1 and the other flags clear,
        // the bits a narrow form leaves (16-bit: kept, 32-bit: zeroed), a plausible bit count, two reads differing.
        for (String op : new String[] {"rdrand", "rdseed"}) {
            String flags = "\n pushfq\n pop rsi\n and esi, 0x8d5";
            f.add(new InstructionForms.Form(op + " 16", op + " ax" + flags + "\n mov rdx, rax\n shr rdx, 16\n xor eax, eax",
                    0, 0, 0, false));
            f.add(new InstructionForms.Form(op + " 32", op + " ecx" + flags + "\n mov rdx, rcx\n shr rdx, 32\n xor ecx, ecx",
                    0, 0, 0, false));
            f.add(new InstructionForms.Form(op + " 64", op + " r9" + flags + "\n popcnt rdx, r9\n sub edx, 12\n cmp edx, 40"
                    + "\n setbe dl\n movzx edx, dl\n xor r9d, r9d", 0, 0, 0, false));
            f.add(new InstructionForms.Form(op + " twice", op + " rax\n " + op + " rbx\n cmp rax, rbx\n setne cl\n xor eax, eax"
                    + "\n xor ebx, ebx", 0, 0, 0, false));
            f.add(InstructionForms.Form.of(".byte 0xf0, 0x0f, 0xc7, " + (op.equals("rdrand") ? "0xf0" : "0xf8"), 0, 0));  // LOCK
        }
        // VEX #UD rules: after 66/F2/F3/LOCK/REX, VEX.L=1, VEX.vvvv not 1111 where unused, a reserved map or group
        // member; and the encodings themselves (andn eax, ebx, ecx: c4 e2 60 f2 c1; rorx eax, ecx, 3: c4 e3 7b f0 c1 03).
        for (String bytes : new String[] {"0x66, 0xc4, 0xe2, 0x60, 0xf2, 0xc1", "0xf2, 0xc4, 0xe2, 0x60, 0xf2, 0xc1",
                "0xf3, 0xc4, 0xe2, 0x60, 0xf2, 0xc1", "0xf0, 0xc4, 0xe2, 0x60, 0xf2, 0xc1", "0x48, 0xc4, 0xe2, 0x60, 0xf2, 0xc1",
                "0xc4, 0xe2, 0x64, 0xf2, 0xc1", "0xc4, 0xe3, 0x7f, 0xf0, 0xc1, 0x03", "0xc4, 0xe3, 0x73, 0xf0, 0xc1, 0x03",
                "0xc4, 0xe2, 0x78, 0xf3, 0xc1", "0xc4, 0xe2, 0x78, 0xf3, 0xe1", "0xc4, 0xe0, 0x60, 0xf2, 0xc1",
                "0xc4, 0xe2, 0x61, 0xf2, 0xc1", "0xc4, 0xe2, 0x61, 0xf6, 0xc1", "0xc4, 0xe2, 0x60, 0xf2, 0xc1",
                "0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x03", "0x66, 0x0f, 0x38, 0xf6, 0xc3",
                "0x0f, 0x01, 0xc8", "0x0f, 0x01, 0xc9",                     // MONITOR, MWAIT: #UD (not advertised)
                "0xf2, 0x0f, 0xc7, 0xf0", "0xf3, 0x0f, 0xc7, 0xf0"}) {       // RDRAND under F2/F3
            f.add(InstructionForms.Form.of(".byte " + bytes, ALL, 0));
        }
        return f;
    }

    public static List<TestCase> integerCases() {
        return InstructionForms.cases(integerForms());
    }

    // ---- SSE3, SSSE3, SSE4.1 ------------------------------------------------------------------------------------

    /** Floating-point forms: run under every MXCSR setting. */
    static List<String> floatForms() {
        List<String> f = new ArrayList<>();
        for (String op : new String[] {"addsubps", "addsubpd", "haddps", "haddpd", "hsubps", "hsubpd"}) {
            f.add(op + " xmm0, xmm1");
            f.add(op + " xmm0, " + M);
            f.add(op + " xmm0, xmm0");
        }
        for (String op : new String[] {"roundps", "roundpd", "roundss", "roundsd"}) {
            String mem = op.endsWith("ss") ? MD : op.endsWith("sd") ? MQ : M;
            for (int imm : new int[] {0, 1, 2, 3, 4, 8, 9, 10, 11, 12}) {
                f.add(op + " xmm0, xmm1, " + imm);
            }
            f.add(op + " xmm0, " + mem + ", 1");
        }
        for (int imm : new int[] {0xFF, 0xF1, 0x31, 0x7E, 0x0F, 0xA5, 0xC2}) {
            f.add("dpps xmm0, xmm1, " + imm);
        }
        f.add("dpps xmm0, " + M + ", 0xf3");
        for (int imm : new int[] {0x33, 0x31, 0x12, 0xF3, 0x23}) {
            f.add("dppd xmm0, xmm1, " + imm);
        }
        f.add("dppd xmm0, " + M + ", 0x31");
        return f;
    }

    /** Integer and data-movement forms: one MXCSR setting. */
    static List<String> integerSimdForms() {
        List<String> f = new ArrayList<>();
        for (String op : new String[] {"movddup xmm0, xmm1", "movddup xmm0, qword ptr [r15 + 0x43]", "movshdup xmm0, xmm1",
                "movshdup xmm0, " + M, "movsldup xmm0, xmm1", "movsldup xmm0, " + M, "lddqu xmm0, xmmword ptr [r15 + 0x43]",
                "lddqu xmm0, " + M, "movntdqa xmm0, " + M, "movntdqa xmm0, xmmword ptr [r15 + 0x48]",
                "haddps xmm0, xmmword ptr [r15 + 0x48]", "pshufb xmm0, xmmword ptr [r15 + 0x44]",
                "ptest xmm0, xmmword ptr [r15 + 0x41]", "movshdup xmm0, xmmword ptr [r15 + 0x48]",
                "lddqu xmm0, xmmword ptr [r15 + 0x2ffc]", "pabsb xmm0, xmmword ptr [r15 + 0x2ff0]",
                "pmovzxbq xmm0, word ptr [r15 + 0x2fff]", "pmovsxwd xmm0, qword ptr [r15 + 0x41]"}) {
            f.add(op);
        }
        for (String op : new String[] {"pshufb", "phaddw", "phaddd", "phaddsw", "pmaddubsw", "phsubw", "phsubd", "phsubsw",
                "psignb", "psignw", "psignd", "pmulhrsw", "pabsb", "pabsw", "pabsd", "pmuldq", "pcmpeqq", "packusdw",
                "pminsb", "pminsd", "pminuw", "pminud", "pmaxsb", "pmaxsd", "pmaxuw", "pmaxud", "pmulld", "phminposuw",
                "ptest"}) {
            f.add(op + " xmm0, xmm1");
            f.add(op + " xmm0, " + M);
        }
        f.add("psignw xmm0, xmm0");
        f.add("phaddd xmm0, xmm0");
        for (String op : new String[] {"pmovsxbw", "pmovsxbd", "pmovsxbq", "pmovsxwd", "pmovsxwq", "pmovsxdq", "pmovzxbw",
                "pmovzxbd", "pmovzxbq", "pmovzxwd", "pmovzxwq", "pmovzxdq"}) {
            String mem = op.endsWith("bw") || op.endsWith("wd") || op.endsWith("dq") ? "qword ptr [r15 + 0x41]"
                    : op.endsWith("bq") ? "word ptr [r15 + 0x41]" : "dword ptr [r15 + 0x41]";
            f.add(op + " xmm0, xmm1");
            f.add(op + " xmm0, " + mem);
        }
        for (int n : new int[] {0, 1, 5, 8, 15, 16, 17, 24, 31, 32, 255}) {
            f.add("palignr xmm0, xmm1, " + n);
        }
        f.add("palignr xmm0, " + M + ", 9");
        for (int imm : new int[] {0, 0x5, 0xA5, 0xFF, 0x3C}) {
            f.add("blendps xmm0, xmm1, " + (imm & 15));
            f.add("blendpd xmm0, xmm1, " + (imm & 3));
            f.add("pblendw xmm0, xmm1, " + imm);
        }
        f.add("pblendw xmm0, " + M + ", 0x96");
        f.add("blendps xmm0, " + M + ", 0x9");
        f.add("blendpd xmm0, " + M + ", 0x2");
        for (String op : new String[] {"pblendvb", "blendvps", "blendvpd"}) {
            f.add(op + " xmm2, xmm1, xmm0");
            f.add(op + " xmm2, " + M + ", xmm0");
            f.add(op + " xmm0, xmm1, xmm0");
        }
        for (int imm = 0; imm < 8; imm++) {
            f.add("mpsadbw xmm0, xmm1, " + imm);
        }
        f.add("mpsadbw xmm0, " + M + ", 5");
        for (int i : new int[] {0, 3, 7, 15, 18}) {
            f.add("pextrb eax, xmm1, " + i);
            f.add("pextrb byte ptr [r15 + 0x43], xmm1, " + i);
            f.add("pinsrb xmm0, eax, " + i);
            f.add("pinsrb xmm0, byte ptr [r15 + 0x43], " + i);
            f.add("pextrw word ptr [r15 + 0x42], xmm1, " + i);
            f.add("pextrd eax, xmm1, " + i);
            f.add("pextrq rax, xmm1, " + i);
            f.add("pextrd dword ptr [r15 + 0x44], xmm1, " + i);
            f.add("pextrq qword ptr [r15 + 0x44], xmm1, " + i);
            f.add("extractps eax, xmm1, " + i);
            f.add("extractps dword ptr [r15 + 0x44], xmm1, " + i);
            f.add("pinsrd xmm0, eax, " + i);
            f.add("pinsrq xmm0, rax, " + i);
            f.add("pinsrd xmm0, dword ptr [r15 + 0x44], " + i);
            f.add("pinsrq xmm0, qword ptr [r15 + 0x44], " + i);
        }
        f.add(".byte 0x66, 0x0f, 0x3a, 0x15, 0xc8, 0x03");          // pextrw eax, xmm1, 3 (the SSE4.1 encoding)
        f.add(".byte 0x66, 0x48, 0x0f, 0x3a, 0x17, 0xc8, 0x02");    // extractps rax, xmm1, 2 (REX.W)
        // #UD: a register where only memory is allowed (LDDQU, MOVNTDQA), LOCK, a mandatory prefix the row lacks.
        for (String bytes : new String[] {"0xf2, 0x0f, 0xf0, 0xc1", "0x66, 0x0f, 0x38, 0x2a, 0xc1",
                "0xf0, 0x66, 0x0f, 0x38, 0x00, 0xc1", "0xf0, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x03", "0xf3, 0x0f, 0x38, 0x00, 0xc1",
                "0xf2, 0x0f, 0x3a, 0x0f, 0xc1, 0x03", "0xf3, 0x0f, 0x38, 0x17, 0xc1", "0xf2, 0x0f, 0x38, 0x2b, 0xc1"}) {
            f.add(".byte " + bytes);
        }
        for (int imm : new int[] {0, 0x4E, 0xC3, 0x3F, 0x90, 0x71}) {
            f.add("insertps xmm0, xmm1, " + imm);
            f.add("insertps xmm0, " + MD + ", " + imm);
        }
        // The MMX forms (no 66 prefix) need the MMX register file: #UD here; on the host they run (a difference we
        // accept by not comparing them).
        return f;
    }

    static SequenceGenerator.G line(String text) {
        return new SequenceGenerator.G(text, 0, text.startsWith("ptest") || SseForms.setsFlags(text) ? ALL : 0, 0, -1);
    }

    static final long[] DEFAULT_MXCSR = {0x1F80};

    public static List<TestCase> simdCases() {
        List<TestCase> cases = new ArrayList<>(SseForms.cases(floatForms(), SseForms.VALUE_SETS, SseForms.MXCSRS,
                ExtensionForms::line));
        cases.addAll(SseForms.cases(integerSimdForms(), 12, DEFAULT_MXCSR, ExtensionForms::line));
        return cases;
    }

    /** {@code count} random sequences of 3-12 forms (SSE/SSE2 and the extensions) from random states. */
    public static List<TestCase> randomSimd(long seed, int count) {
        List<String> forms = new ArrayList<>();
        for (String f : floatForms()) {
            forms.add(f);
        }
        for (String f : integerSimdForms()) {
            if (!f.startsWith(".") && !f.contains("0x2f") && !f.contains("0x48]")) {
                forms.add(f);
            }
        }
        forms.addAll(SseForms.forms().stream().filter(f -> !f.contains("\n") && !f.startsWith("f") && !f.contains("mxcsr")
                && !f.contains("0x2f") && !f.contains("0x48]") && !f.contains("0x44]") && !f.contains("0x43]")
                && !f.contains("0x45]") && !f.contains("0x208")).toList());
        Random r = new Random(seed);
        String[] regs = {"xmm0", "xmm1", "xmm2", "xmm3", "xmm7", "xmm9", "xmm15"};
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            List<SequenceGenerator.G> seq = new ArrayList<>();
            int n = 3 + r.nextInt(10);
            for (int i = 0; i < n; i++) {
                String f = forms.get(r.nextInt(forms.size()));
                if (!f.contains("blendv")) {
                    f = f.replace("xmm0", "XA");                 // the blends' mask stays XMM0
                }
                f = f.replace("xmm1", "XB").replace("xmm2", "XC");
                f = f.replace("XA", regs[r.nextInt(regs.length)]).replace("XB", regs[r.nextInt(regs.length)])
                        .replace("XC", regs[r.nextInt(regs.length)]);
                seq.add(line(f));
            }
            names.add("extension seed " + seed + " #" + k);
            seqs.add(seq);
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, seed, true);
        List<TestCase> cases = new ArrayList<>();
        for (TestCase tc : raw) {
            int k = r.nextInt(12);
            cases.add(SseForms.prepare(tc, SseForms.simd(k, SseForms.MXCSRS[r.nextInt(SseForms.MXCSRS.length)], r)));
        }
        return cases;
    }
}
