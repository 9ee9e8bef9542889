package org.paravane.emulated.cpu.decode;

import static org.paravane.emulated.cpu.decode.Mnemonic.*;

/**
 * The SSE3, SSSE3 and SSE4.1 rows: the few in the two-byte map (0F xx) and the three-byte maps 0F 38 and 0F 3A, by
 * mandatory prefix, in the notation of {@link SseMap} (plus {@code Eb}/{@code Ew}/{@code Ed}: a general register or
 * memory of that size, and {@code Wb}/{@code Ww}: an XMM register or a memory operand of 1/2 bytes). Only the XMM
 * (66-prefixed) forms of SSSE3 are here: their MMX forms need the MMX register file.
 */
final class SseExtMap {
    private SseExtMap() {
    }

    private static final SseMap.Form[][] TWO = new SseMap.Form[4][256];
    private static final SseMap.Form[][] MAP38 = new SseMap.Form[4][256];
    private static final SseMap.Form[][] MAP3A = new SseMap.Form[4][256];

    /** The form of 0F {@code opcode} under {@code prefix}, or null. */
    static SseMap.Form two(int prefix, int opcode) {
        return TWO[prefix][opcode];
    }

    /** The form of 0F 38 {@code opcode} under {@code prefix}, or null. */
    static SseMap.Form map38(int prefix, int opcode) {
        return MAP38[prefix][opcode];
    }

    /** The form of 0F 3A {@code opcode} under {@code prefix}, or null. */
    static SseMap.Form map3A(int prefix, int opcode) {
        return MAP3A[prefix][opcode];
    }

    private static void op(SseMap.Form[][] map, int prefix, int opcode, Mnemonic m, String ops) {
        map[prefix][opcode] = new SseMap.Form(m, ops.split(","), null, null);
    }

    static {
        int p66 = SseMap.P66, f2 = SseMap.PF2, f3 = SseMap.PF3;
        // SSE3
        op(TWO, p66, 0xD0, ADDSUBPD, "V,Wx");
        op(TWO, f2, 0xD0, ADDSUBPS, "V,Wx");
        op(TWO, p66, 0x7C, HADDPD, "V,Wx");
        op(TWO, f2, 0x7C, HADDPS, "V,Wx");
        op(TWO, p66, 0x7D, HSUBPD, "V,Wx");
        op(TWO, f2, 0x7D, HSUBPS, "V,Wx");
        op(TWO, f2, 0x12, MOVDDUP, "V,Wq");
        op(TWO, f3, 0x12, MOVSLDUP, "V,Wx");
        op(TWO, f3, 0x16, MOVSHDUP, "V,Wx");
        op(TWO, f2, 0xF0, LDDQU, "V,Mx");
        // SSSE3
        Mnemonic[] row0 = {PSHUFB, PHADDW, PHADDD, PHADDSW, PMADDUBSW, PHSUBW, PHSUBD, PHSUBSW, PSIGNB, PSIGNW, PSIGND,
                PMULHRSW};
        for (int i = 0; i < row0.length; i++) {
            op(MAP38, p66, i, row0[i], "V,Wx");
        }
        op(MAP38, p66, 0x1C, PABSB, "V,Wx");
        op(MAP38, p66, 0x1D, PABSW, "V,Wx");
        op(MAP38, p66, 0x1E, PABSD, "V,Wx");
        op(MAP3A, p66, 0x0F, PALIGNR, "V,Wx,Ib");
        // SSE4.1
        op(MAP38, p66, 0x10, PBLENDVB, "V,Wx");
        op(MAP38, p66, 0x14, BLENDVPS, "V,Wx");
        op(MAP38, p66, 0x15, BLENDVPD, "V,Wx");
        op(MAP38, p66, 0x17, PTEST, "V,Wx");
        Mnemonic[] sx = {PMOVSXBW, PMOVSXBD, PMOVSXBQ, PMOVSXWD, PMOVSXWQ, PMOVSXDQ};
        Mnemonic[] zx = {PMOVZXBW, PMOVZXBD, PMOVZXBQ, PMOVZXWD, PMOVZXWQ, PMOVZXDQ};
        String[] width = {"V,Wq", "V,Wd", "V,Ww", "V,Wq", "V,Wd", "V,Wq"};
        for (int i = 0; i < 6; i++) {
            op(MAP38, p66, 0x20 + i, sx[i], width[i]);
            op(MAP38, p66, 0x30 + i, zx[i], width[i]);
        }
        op(MAP38, p66, 0x28, PMULDQ, "V,Wx");
        op(MAP38, p66, 0x29, PCMPEQQ, "V,Wx");
        op(MAP38, p66, 0x2A, MOVNTDQA, "V,Mx");
        op(MAP38, p66, 0x2B, PACKUSDW, "V,Wx");
        Mnemonic[] minMax = {PMINSB, PMINSD, PMINUW, PMINUD, PMAXSB, PMAXSD, PMAXUW, PMAXUD, PMULLD, PHMINPOSUW};
        for (int i = 0; i < minMax.length; i++) {
            op(MAP38, p66, 0x38 + i, minMax[i], "V,Wx");
        }
        op(MAP3A, p66, 0x08, ROUNDPS, "V,Wx,Ib");
        op(MAP3A, p66, 0x09, ROUNDPD, "V,Wx,Ib");
        op(MAP3A, p66, 0x0A, ROUNDSS, "V,Wd,Ib");
        op(MAP3A, p66, 0x0B, ROUNDSD, "V,Wq,Ib");
        op(MAP3A, p66, 0x0C, BLENDPS, "V,Wx,Ib");
        op(MAP3A, p66, 0x0D, BLENDPD, "V,Wx,Ib");
        op(MAP3A, p66, 0x0E, PBLENDW, "V,Wx,Ib");
        op(MAP3A, p66, 0x14, PEXTRB, "Eb,V,Ib");
        op(MAP3A, p66, 0x15, PEXTRW, "Ew,V,Ib");
        op(MAP3A, p66, 0x16, PEXTRD, "Ey,V,Ib");
        op(MAP3A, p66, 0x17, EXTRACTPS, "Ed,V,Ib");
        op(MAP3A, p66, 0x20, PINSRB, "V,Eb,Ib");
        op(MAP3A, p66, 0x21, INSERTPS, "V,Wd,Ib");
        op(MAP3A, p66, 0x22, PINSRD, "V,Ey,Ib");
        op(MAP3A, p66, 0x40, DPPS, "V,Wx,Ib");
        op(MAP3A, p66, 0x41, DPPD, "V,Wx,Ib");
        op(MAP3A, p66, 0x42, MPSADBW, "V,Wx,Ib");
    }
}
