package org.paravane.emulated.cpu.decode;

import static org.paravane.emulated.cpu.decode.Mnemonic.*;

/**
 * The SSE and SSE2 rows of the two-byte opcode map, by mandatory prefix (none, 66, F3, F2; F2/F3 win over 66).
 * Operand specifications: {@code V} the XMM register of ModRM.reg, {@code U} the XMM register of ModRM.rm (a memory
 * form is #UD), {@code W}/{@code M} + size (x 16, q 8, d 4 bytes) an XMM register or memory / memory only, {@code Ey}
 * {@code Gy} {@code My} a general register or memory of 32 or 64 bits by REX.W, {@code Gd} a 32-bit general register,
 * {@code Ew} a 32-bit general register or a 16-bit memory operand, {@code Ib} an 8-bit immediate. Slots left empty
 * are later extensions: the decoder measures them as before and they raise #UD. The MMX forms (no prefix) use
 * {@code P} the MMX register of ModRM.reg, {@code N} that of ModRM.rm (a memory form is #UD) and {@code Q} an MMX
 * register or memory.
 */
final class SseMap {
    private SseMap() {
    }

    /**
     * A row entry; {@code registerForm} replaces the mnemonic when ModRM names a register (MOVLPS → MOVHLPS), and
     * {@code group} picks the mnemonic by ModRM.reg (the immediate shifts).
     */
    record Form(Mnemonic mnemonic, String[] ops, Mnemonic registerForm, Mnemonic[] group) {
    }

    static final int NONE = 0, P66 = 1, PF3 = 2, PF2 = 3;
    private static final Form[][] MAP = new Form[4][256];

    /** The form of {@code opcode} (second byte after 0F) under mandatory prefix {@code prefix}, or null. */
    static Form get(int prefix, int opcode) {
        return MAP[prefix][opcode];
    }

    private static void op(int prefix, int opcode, Mnemonic m, String ops) {
        MAP[prefix][opcode] = new Form(m, ops.isEmpty() ? new String[0] : ops.split(","), null, null);
    }

    /** The four prefixed forms of a floating-point arithmetic row: PS, PD, SS, SD. */
    private static void arith(int opcode, Mnemonic ps, Mnemonic pd, Mnemonic ss, Mnemonic sd, String suffix) {
        op(NONE, opcode, ps, "V,Wx" + suffix);
        op(P66, opcode, pd, "V,Wx" + suffix);
        if (ss != null) {
            op(PF3, opcode, ss, "V,Wd" + suffix);
        }
        if (sd != null) {
            op(PF2, opcode, sd, "V,Wq" + suffix);
        }
    }

    static {
        op(NONE, 0x10, MOVUPS, "V,Wx");
        op(P66, 0x10, MOVUPD, "V,Wx");
        op(PF3, 0x10, MOVSS, "V,Wd");
        op(PF2, 0x10, MOVSD, "V,Wq");
        op(NONE, 0x11, MOVUPS, "Wx,V");
        op(P66, 0x11, MOVUPD, "Wx,V");
        op(PF3, 0x11, MOVSS, "Wd,V");
        op(PF2, 0x11, MOVSD, "Wq,V");
        MAP[NONE][0x12] = new Form(MOVLPS, new String[] {"V", "Mq"}, MOVHLPS, null);
        op(P66, 0x12, MOVLPD, "V,Mq");
        op(NONE, 0x13, MOVLPS, "Mq,V");
        op(P66, 0x13, MOVLPD, "Mq,V");
        op(NONE, 0x14, UNPCKLPS, "V,Wx");
        op(P66, 0x14, UNPCKLPD, "V,Wx");
        op(NONE, 0x15, UNPCKHPS, "V,Wx");
        op(P66, 0x15, UNPCKHPD, "V,Wx");
        MAP[NONE][0x16] = new Form(MOVHPS, new String[] {"V", "Mq"}, MOVLHPS, null);
        op(P66, 0x16, MOVHPD, "V,Mq");
        op(NONE, 0x17, MOVHPS, "Mq,V");
        op(P66, 0x17, MOVHPD, "Mq,V");
        op(NONE, 0x28, MOVAPS, "V,Wx");
        op(P66, 0x28, MOVAPD, "V,Wx");
        op(NONE, 0x29, MOVAPS, "Wx,V");
        op(P66, 0x29, MOVAPD, "Wx,V");
        op(PF3, 0x2A, CVTSI2SS, "V,Ey");
        op(PF2, 0x2A, CVTSI2SD, "V,Ey");
        op(NONE, 0x2B, MOVNTPS, "Mx,V");
        op(P66, 0x2B, MOVNTPD, "Mx,V");
        op(PF3, 0x2C, CVTTSS2SI, "Gy,Wd");
        op(PF2, 0x2C, CVTTSD2SI, "Gy,Wq");
        op(PF3, 0x2D, CVTSS2SI, "Gy,Wd");
        op(PF2, 0x2D, CVTSD2SI, "Gy,Wq");
        op(NONE, 0x2E, UCOMISS, "V,Wd");
        op(P66, 0x2E, UCOMISD, "V,Wq");
        op(NONE, 0x2F, COMISS, "V,Wd");
        op(P66, 0x2F, COMISD, "V,Wq");
        op(NONE, 0x50, MOVMSKPS, "Gy,U");
        op(P66, 0x50, MOVMSKPD, "Gy,U");
        arith(0x51, SQRTPS, SQRTPD, SQRTSS, SQRTSD, "");
        op(NONE, 0x52, RSQRTPS, "V,Wx");
        op(PF3, 0x52, RSQRTSS, "V,Wd");
        op(NONE, 0x53, RCPPS, "V,Wx");
        op(PF3, 0x53, RCPSS, "V,Wd");
        arith(0x54, ANDPS, ANDPD, null, null, "");
        arith(0x55, ANDNPS, ANDNPD, null, null, "");
        arith(0x56, ORPS, ORPD, null, null, "");
        arith(0x57, XORPS, XORPD, null, null, "");
        arith(0x58, ADDPS, ADDPD, ADDSS, ADDSD, "");
        arith(0x59, MULPS, MULPD, MULSS, MULSD, "");
        op(NONE, 0x5A, CVTPS2PD, "V,Wq");
        op(P66, 0x5A, CVTPD2PS, "V,Wx");
        op(PF3, 0x5A, CVTSS2SD, "V,Wd");
        op(PF2, 0x5A, CVTSD2SS, "V,Wq");
        op(NONE, 0x5B, CVTDQ2PS, "V,Wx");
        op(P66, 0x5B, CVTPS2DQ, "V,Wx");
        op(PF3, 0x5B, CVTTPS2DQ, "V,Wx");
        arith(0x5C, SUBPS, SUBPD, SUBSS, SUBSD, "");
        arith(0x5D, MINPS, MINPD, MINSS, MINSD, "");
        arith(0x5E, DIVPS, DIVPD, DIVSS, DIVSD, "");
        arith(0x5F, MAXPS, MAXPD, MAXSS, MAXSD, "");
        Mnemonic[] row6 = {PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PACKSSWB, PCMPGTB, PCMPGTW, PCMPGTD, PACKUSWB, PUNPCKHBW,
                PUNPCKHWD, PUNPCKHDQ, PACKSSDW, PUNPCKLQDQ, PUNPCKHQDQ};
        for (int i = 0; i < row6.length; i++) {
            op(P66, 0x60 + i, row6[i], "V,Wx");
        }
        op(P66, 0x6E, MOVD, "V,Ey");
        op(P66, 0x6F, MOVDQA, "V,Wx");
        op(PF3, 0x6F, MOVDQU, "V,Wx");
        op(P66, 0x70, PSHUFD, "V,Wx,Ib");
        op(PF3, 0x70, PSHUFHW, "V,Wx,Ib");
        op(PF2, 0x70, PSHUFLW, "V,Wx,Ib");
        MAP[P66][0x71] = new Form(null, new String[] {"U", "Ib"}, null,
                new Mnemonic[] {null, null, PSRLW, null, PSRAW, null, PSLLW, null});
        MAP[P66][0x72] = new Form(null, new String[] {"U", "Ib"}, null,
                new Mnemonic[] {null, null, PSRLD, null, PSRAD, null, PSLLD, null});
        MAP[P66][0x73] = new Form(null, new String[] {"U", "Ib"}, null,
                new Mnemonic[] {null, null, PSRLQ, PSRLDQ, null, null, PSLLQ, PSLLDQ});
        op(P66, 0x74, PCMPEQB, "V,Wx");
        op(P66, 0x75, PCMPEQW, "V,Wx");
        op(P66, 0x76, PCMPEQD, "V,Wx");
        op(P66, 0x7E, MOVD, "Ey,V");
        op(PF3, 0x7E, MOVQ, "V,Wq");
        op(P66, 0x7F, MOVDQA, "Wx,V");
        op(PF3, 0x7F, MOVDQU, "Wx,V");
        arith(0xC2, CMPPS, CMPPD, CMPSS, CMPSD, ",Ib");
        op(NONE, 0xC3, MOVNTI, "My,Gy");
        op(P66, 0xC4, PINSRW, "V,Ew,Ib");
        op(P66, 0xC5, PEXTRW, "Gd,U,Ib");
        op(NONE, 0xC6, SHUFPS, "V,Wx,Ib");
        op(P66, 0xC6, SHUFPD, "V,Wx,Ib");
        Mnemonic[] rowD = {null, PSRLW, PSRLD, PSRLQ, PADDQ, PMULLW, MOVQ, PMOVMSKB, PSUBUSB, PSUBUSW, PMINUB, PAND,
                PADDUSB, PADDUSW, PMAXUB, PANDN, PAVGB, PSRAW, PSRAD, PAVGW, PMULHUW, PMULHW, null, MOVNTDQ, PSUBSB,
                PSUBSW, PMINSW, POR, PADDSB, PADDSW, PMAXSW, PXOR, null, PSLLW, PSLLD, PSLLQ, PMULUDQ, PMADDWD, PSADBW,
                MASKMOVDQU, PSUBB, PSUBW, PSUBD, PSUBQ, PADDB, PADDW, PADDD};
        for (int i = 0; i < rowD.length; i++) {
            if (rowD[i] != null) {
                op(P66, 0xD0 + i, rowD[i], "V,Wx");
            }
        }
        op(P66, 0xD6, MOVQ, "Wq,V");
        op(P66, 0xD7, PMOVMSKB, "Gy,U");
        op(P66, 0xE7, MOVNTDQ, "Mx,V");
        op(P66, 0xF7, MASKMOVDQU, "V,U");
        op(P66, 0xE6, CVTTPD2DQ, "V,Wx");
        op(PF3, 0xE6, CVTDQ2PD, "V,Wq");
        op(PF2, 0xE6, CVTPD2DQ, "V,Wx");
    }

    // MMX (no mandatory prefix), and the SSE/SSE2 instructions that name MMX registers.
    static {
        Mnemonic[] row6 = {PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PACKSSWB, PCMPGTB, PCMPGTW, PCMPGTD, PACKUSWB, PUNPCKHBW,
                PUNPCKHWD, PUNPCKHDQ, PACKSSDW};
        for (int i = 0; i < row6.length; i++) {
            op(NONE, 0x60 + i, row6[i], i < 3 ? "P,Qd" : "P,Qq");     // PUNPCKL* read 32 bits of memory
        }
        op(NONE, 0x6E, MOVD, "P,Ey");
        op(NONE, 0x6F, MOVQ, "P,Qq");
        op(NONE, 0x70, PSHUFW, "P,Qq,Ib");
        MAP[NONE][0x71] = new Form(null, new String[] {"N", "Ib"}, null,
                new Mnemonic[] {null, null, PSRLW, null, PSRAW, null, PSLLW, null});
        MAP[NONE][0x72] = new Form(null, new String[] {"N", "Ib"}, null,
                new Mnemonic[] {null, null, PSRLD, null, PSRAD, null, PSLLD, null});
        MAP[NONE][0x73] = new Form(null, new String[] {"N", "Ib"}, null,
                new Mnemonic[] {null, null, PSRLQ, null, null, null, PSLLQ, null});
        op(NONE, 0x74, PCMPEQB, "P,Qq");
        op(NONE, 0x75, PCMPEQW, "P,Qq");
        op(NONE, 0x76, PCMPEQD, "P,Qq");
        op(NONE, 0x7E, MOVD, "Ey,P");
        op(NONE, 0x7F, MOVQ, "Qq,P");
        op(NONE, 0xC4, PINSRW, "P,Ew,Ib");
        op(NONE, 0xC5, PEXTRW, "Gd,N,Ib");
        Mnemonic[] rowD = {null, PSRLW, PSRLD, PSRLQ, PADDQ, PMULLW, null, null, PSUBUSB, PSUBUSW, PMINUB, PAND,
                PADDUSB, PADDUSW, PMAXUB, PANDN, PAVGB, PSRAW, PSRAD, PAVGW, PMULHUW, PMULHW, null, null, PSUBSB,
                PSUBSW, PMINSW, POR, PADDSB, PADDSW, PMAXSW, PXOR, null, PSLLW, PSLLD, PSLLQ, PMULUDQ, PMADDWD, PSADBW,
                null, PSUBB, PSUBW, PSUBD, PSUBQ, PADDB, PADDW, PADDD};
        for (int i = 0; i < rowD.length; i++) {
            if (rowD[i] != null) {
                op(NONE, 0xD0 + i, rowD[i], "P,Qq");
            }
        }
        op(NONE, 0xD7, PMOVMSKB, "Gy,N");
        op(NONE, 0xE7, MOVNTQ, "Mq,P");
        op(NONE, 0xF7, MASKMOVQ, "P,N");
        op(NONE, 0x2A, CVTPI2PS, "V,Qq");
        op(P66, 0x2A, CVTPI2PD, "V,Qq");
        op(NONE, 0x2C, CVTTPS2PI, "P,Wq");
        op(P66, 0x2C, CVTTPD2PI, "P,Wx");
        op(NONE, 0x2D, CVTPS2PI, "P,Wq");
        op(P66, 0x2D, CVTPD2PI, "P,Wx");
        op(PF3, 0xD6, MOVQ2DQ, "V,N");
        op(PF2, 0xD6, MOVDQ2Q, "P,U");
    }
}
