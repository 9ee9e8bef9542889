package org.paravane.difftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hand-written MMX cases: every MMX form (register and memory operands, the immediate shifts, the moves to and from
 * general registers and memory, the conversions between MMX and XMM) and the transitions between x87 and MMX state
 * (TOP, tags, the exponents of written registers, EMMS), from the x87 states of {@link X87Forms} (their significands
 * are the MMX registers) and the XMM states of {@link SseForms}. The memory operand is {@code [r15 + 0x48]}.
 */
public final class MmxForms {
    private MmxForms() {
    }

    static final String Q = "qword ptr [r15 + 0x48]";

    static List<String> forms() {
        List<String> f = new ArrayList<>();
        for (String op : new String[] {"paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq", "paddsb",
                "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw", "pmullw", "pmulhw", "pmulhuw",
                "pmuludq", "pmaddwd", "psadbw", "pavgb", "pavgw", "pminub", "pmaxub", "pminsw", "pmaxsw", "pand", "pandn",
                "por", "pxor", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd", "psllw", "pslld", "psllq",
                "psrlw", "psrld", "psrlq", "psraw", "psrad", "punpcklbw", "punpcklwd", "punpckldq", "punpckhbw",
                "punpckhwd", "punpckhdq", "packsswb", "packssdw", "packuswb"}) {
            f.add(op + " mm0, mm1");
            f.add(op + " mm3, " + (op.startsWith("punpckl") ? "dword ptr [r15 + 0x48]" : Q));
        }
        for (String op : new String[] {"psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad"}) {
            for (int n : new int[] {0, 1, 7, 15, 16, 31, 33, 64}) {
                f.add(op + " mm2, " + n);
            }
        }
        for (int imm : new int[] {0, 0x1B, 0xE4, 0x39}) {
            f.add("pshufw mm0, mm1, " + imm);
            f.add("pshufw mm0, " + Q + ", " + imm);
            f.add("pinsrw mm0, eax, " + (imm & 7));
            f.add("pextrw eax, mm1, " + (imm & 7));
        }
        for (String op : new String[] {"pinsrw mm5, word ptr [r15 + 0x48], 2", "pmovmskb eax, mm1", "movd mm0, eax",
                "movd mm0, dword ptr [r15 + 0x48]", "movd eax, mm1", "movd dword ptr [r15 + 0x48], mm1", "movq mm0, rax",
                "movq rax, mm1", "movq mm0, mm1", "movq mm7, " + Q, "movq " + Q + ", mm6", "movntq " + Q + ", mm1",
                "lea rdi, [r15 + 0x80]\n maskmovq mm0, mm1", "emms", "emms\n fld1", "movq mm0, mm1\n fld1", "fld1\n movq mm1, mm0",
                "fninit\n movd mm0, eax\n fstp st(0)", "cvtpi2ps xmm0, mm1", "cvtpi2ps xmm0, " + Q, "cvtpi2pd xmm0, mm1",
                "cvtpi2pd xmm1, " + Q, "cvtps2pi mm0, xmm1", "cvtps2pi mm0, " + Q, "cvttps2pi mm0, xmm1",
                "cvtpd2pi mm0, xmm1", "cvttpd2pi mm0, xmm1", "cvtpd2pi mm0, xmmword ptr [r15 + 0x40]",
                "movq2dq xmm0, mm1", "movdq2q mm0, xmm1", "movq qword ptr [r15 + 0x2ffc], mm1"}) {
            f.add(op);
        }
        return f;
    }

    static final int VALUE_SETS = 6;
    static final long[] MXCSRS = {0x1F80, 0x3F80, 0x7F80, 0x1000};

    public static List<TestCase> cases() {
        List<String> forms = forms();
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> seqs = new ArrayList<>();
        for (String form : forms) {
            for (int k = 0; k < VALUE_SETS; k++) {
                for (long mx : MXCSRS) {
                    names.add(form.replace('\n', ';') + " #" + k + " mxcsr " + Long.toHexString(mx));
                    seqs.add(List.of(SequenceGenerator.G.plain(form)));
                }
            }
        }
        List<TestCase> raw = SequenceGenerator.fixed(names, seqs, 29, true);
        List<TestCase> cases = new ArrayList<>(raw.size());
        Random r = new Random(31);
        int i = 0;
        for (String form : forms) {
            for (int k = 0; k < VALUE_SETS; k++) {
                for (long mx : MXCSRS) {
                    long[] s = SseForms.simd(k, mx, r);
                    long[] x87 = X87Forms.simd(k + 2, 0x37F, r);
                    System.arraycopy(x87, Layout.X87, s, Layout.X87, Layout.SIMD_WORDS - Layout.X87);
                    TestCase tc = SseForms.prepare(raw.get(i++), s);
                    cases.add(tc);
                }
            }
        }
        return cases;
    }
}
