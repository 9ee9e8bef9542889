package org.paravane.emulated.cpu.decode;

import static org.paravane.emulated.cpu.decode.Mnemonic.*;

/**
 * The one- and two-byte opcode maps the {@link Decoder} reads: per opcode the mnemonic, operand specifications
 * (Intel opcode-map notation) and flags; groups pick the mnemonic by ModRM.reg. The SSE rows are in {@link SseMap}.
 */
final class OpcodeMap {
    private OpcodeMap() {
    }

    // Operand specifications (Intel opcode-map notation).
    static final int E_B = 1, E_W = 2, E_D = 3, E_Q = 4, E_V = 5, E_Y = 6, G_B = 7, G_W = 8, G_D = 9, G_Q = 10,
            G_V = 11, G_Y = 12, I_B = 13, I_BS = 14, I_W = 15, I_Z = 16, I_V = 17, J_B = 18, J_Z = 19, M_ANY = 20,
            M_B = 21, M_W = 22, M_V = 23, M_P = 24, Z_B = 25, Z_V = 26, AL = 27, R_AX = 28, CL = 29, DX = 30, ONE = 31,
            O_B = 32, O_V = 33, S_W = 34, C_Q = 35, D_Q = 36, R_Q = 37, E_VW = 38, B_Y = 39, M_Y = 40, E_VQ = 41,
            SEG_FS = 42, SEG_GS = 43;

    // Entry flags.
    static final int MODRM = 1, D64 = 4, F64 = 8, MEM = 16, REG = 32, STRING = 64, IMM8 = 128,
            GROUP = 256;

    /** Instructions that take a LOCK prefix (with a memory destination); anywhere else LOCK is #UD. */
    static final java.util.Set<Mnemonic> LOCKABLE = java.util.EnumSet.of(ADD, OR, ADC, SBB, AND, SUB, XOR,
            BTS, BTR, BTC, XCHG, XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B, INC, DEC, NOT, NEG);

    record Entry(Mnemonic mnemonic, int[] ops, int flags, int cond, Mnemonic[] group) {
    }

    static final Entry[] ONE_BYTE = new Entry[256];
    static final Entry[] TWO_BYTE = new Entry[256];
    static final Entry UD_ENTRY = new Entry(UD, new int[0], 0, 0, null);

    // ---- the opcode maps ----------------------------------------------------------------------------------------

    static int[] parse(String ops) {
        if (ops.isEmpty()) {
            return new int[0];
        }
        String[] parts = ops.split(",");
        int[] specs = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            specs[i] = switch (parts[i]) {
                case "Eb" -> E_B; case "Ew" -> E_W; case "Ed" -> E_D; case "Eq" -> E_Q; case "Ev" -> E_V; case "Ey" -> E_Y;
                case "Evw" -> E_VW; case "Evq" -> E_VQ;
                case "Gb" -> G_B; case "Gw" -> G_W; case "Gd" -> G_D; case "Gq" -> G_Q; case "Gv" -> G_V; case "Gy" -> G_Y;
                case "Ib" -> I_B; case "Ibs" -> I_BS; case "Iw" -> I_W; case "Iz" -> I_Z; case "Iv" -> I_V;
                case "Jb" -> J_B; case "Jz" -> J_Z;
                case "M" -> M_ANY; case "Mb" -> M_B; case "Mw" -> M_W; case "Mv" -> M_V; case "Mp" -> M_P; case "My" -> M_Y;
                case "Zb" -> Z_B; case "Zv" -> Z_V;
                case "AL" -> AL; case "rAX" -> R_AX; case "CL" -> CL; case "DX" -> DX; case "1" -> ONE;
                case "Ob" -> O_B; case "Ov" -> O_V; case "Sw" -> S_W; case "Cq" -> C_Q; case "Dq" -> D_Q; case "Rq" -> R_Q;
                case "FS" -> SEG_FS; case "GS" -> SEG_GS;
                default -> throw new IllegalArgumentException("operand spec '" + parts[i] + "'");
            };
        }
        return specs;
    }

    static boolean needsModrm(String ops) {
        for (String p : ops.split(",")) {
            if (!p.isEmpty() && "EGMSCDR".indexOf(p.charAt(0)) >= 0 && !p.equals("DX") && !p.equals("CL") && !p.equals("GS")) {
                return true;
            }
        }
        return false;
    }

    static void op(Entry[] map, int opcode, Mnemonic m, String ops, int flags) {
        map[opcode] = new Entry(m, parse(ops), flags | (needsModrm(ops) ? MODRM : 0), 0, null);
    }

    static void cc(Entry[] map, int first, Mnemonic m, String ops, int flags) {
        for (int c = 0; c < 16; c++) {
            map[first + c] = new Entry(m, parse(ops), flags | (needsModrm(ops) ? MODRM : 0), c, null);
        }
    }

    static void group(Entry[] map, int opcode, String ops, int flags, Mnemonic... byReg) {
        map[opcode] = new Entry(null, parse(ops), flags | MODRM | GROUP, 0, byReg);
    }

    static void unsupported(Entry[] map, int opcode, int flags) {
        map[opcode] = new Entry(UNSUPPORTED, new int[0], flags, 0, null);
    }

    static {
        Entry[] o = ONE_BYTE;
        Mnemonic[] alu = {ADD, OR, ADC, SBB, AND, SUB, XOR, CMP};
        for (int i = 0; i < 8; i++) {
            int base = i * 8;
                        op(o, base, alu[i], "Eb,Gb", 0);
            op(o, base + 1, alu[i], "Ev,Gv", 0);
            op(o, base + 2, alu[i], "Gb,Eb", 0);
            op(o, base + 3, alu[i], "Gv,Ev", 0);
            op(o, base + 4, alu[i], "AL,Ib", 0);
            op(o, base + 5, alu[i], "rAX,Iz", 0);
        }
        for (int r = 0; r < 8; r++) {
            op(o, 0x50 + r, PUSH, "Zv", D64);
            op(o, 0x58 + r, POP, "Zv", D64);
        }
        op(o, 0x68, PUSH, "Iz", D64);
        op(o, 0x69, IMUL, "Gv,Ev,Iz", 0);
        op(o, 0x6A, PUSH, "Ibs", D64);
        op(o, 0x6B, IMUL, "Gv,Ev,Ibs", 0);
        cc(o, 0x70, JCC, "Jb", F64);
        group(o, 0x80, "Eb,Ib", 0, alu);
        group(o, 0x81, "Ev,Iz", 0, alu);
        group(o, 0x83, "Ev,Ibs", 0, alu);
        op(o, 0x84, TEST, "Eb,Gb", 0);
        op(o, 0x85, TEST, "Ev,Gv", 0);
        op(o, 0x86, XCHG, "Eb,Gb", 0);
        op(o, 0x87, XCHG, "Ev,Gv", 0);
        op(o, 0x88, MOV, "Eb,Gb", 0);
        op(o, 0x89, MOV, "Ev,Gv", 0);
        op(o, 0x8A, MOV, "Gb,Eb", 0);
        op(o, 0x8B, MOV, "Gv,Ev", 0);
        op(o, 0x8C, MOV_SEG, "Evw,Sw", 0);          // reg 6 and 7 name no segment register: see segmentMove
        op(o, 0x8D, LEA, "Gv,M", MEM);
        op(o, 0x8E, MOV_SEG, "Sw,Evw", 0);
        group(o, 0x8F, "Ev", D64, POP, null, null, null, null, null, null, null);
        for (int r = 1; r < 8; r++) {
            op(o, 0x90 + r, XCHG, "Zv,rAX", 0);
        }
        op(o, 0x98, CBW, "", 0);
        op(o, 0x99, CWD, "", 0);
        op(o, 0x9B, FWAIT, "", 0);
        op(o, 0x9C, PUSHF, "", D64);
        op(o, 0x9D, POPF, "", D64);
        op(o, 0x9E, SAHF, "", 0);
        op(o, 0x9F, LAHF, "", 0);
        op(o, 0xA0, MOV, "AL,Ob", 0);
        op(o, 0xA1, MOV, "rAX,Ov", 0);
        op(o, 0xA2, MOV, "Ob,AL", 0);
        op(o, 0xA3, MOV, "Ov,rAX", 0);
        op(o, 0xA8, TEST, "AL,Ib", 0);
        op(o, 0xA9, TEST, "rAX,Iz", 0);
        for (int r = 0; r < 8; r++) {
            op(o, 0xB0 + r, MOV, "Zb,Ib", 0);
            op(o, 0xB8 + r, MOV, "Zv,Iv", 0);
        }
        Mnemonic[] shifts = {ROL, ROR, RCL, RCR, SHL, SHR, SHL, SAR};
        group(o, 0xC0, "Eb,Ib", 0, shifts);
        group(o, 0xC1, "Ev,Ib", 0, shifts);
        op(o, 0xC2, RET, "Iw", F64);
        op(o, 0xC3, RET, "", F64);
        group(o, 0xC6, "Eb,Ib", 0, MOV, null, null, null, null, null, null, UNSUPPORTED);
        group(o, 0xC7, "Ev,Iz", 0, MOV, null, null, null, null, null, null, UNSUPPORTED);
        op(o, 0xC8, ENTER, "Iw,Ib", D64);
        op(o, 0xC9, LEAVE, "", D64);
        op(o, 0xCA, RETF, "Iw", 0);
        op(o, 0xCB, RETF, "", 0);
        op(o, 0xCC, INT3, "", 0);
        op(o, 0xCD, INT, "Ib", 0);
        op(o, 0xCF, IRET, "", 0);
        group(o, 0xD0, "Eb,1", 0, shifts);
        group(o, 0xD1, "Ev,1", 0, shifts);
        group(o, 0xD2, "Eb,CL", 0, shifts);
        group(o, 0xD3, "Ev,CL", 0, shifts);
        op(o, 0xD7, XLAT, "", 0);
        op(o, 0xE0, LOOPNE, "Jb", F64);
        op(o, 0xE1, LOOPE, "Jb", F64);
        op(o, 0xE2, LOOP, "Jb", F64);
        op(o, 0xE3, JRCXZ, "Jb", F64);
        op(o, 0xE4, IN, "AL,Ib", 0);
        op(o, 0xE5, IN, "rAX,Ib", 0);
        op(o, 0xE6, OUT, "Ib,AL", 0);
        op(o, 0xE7, OUT, "Ib,rAX", 0);
        op(o, 0xE8, CALL, "Jz", F64);
        op(o, 0xE9, JMP, "Jz", F64);
        op(o, 0xEB, JMP, "Jb", F64);
        op(o, 0xEC, IN, "AL,DX", 0);
        op(o, 0xED, IN, "rAX,DX", 0);
        op(o, 0xEE, OUT, "DX,AL", 0);
        op(o, 0xEF, OUT, "DX,rAX", 0);
        op(o, 0xF1, INT1, "", 0);
        op(o, 0xF4, HLT, "", 0);
        op(o, 0xF5, CMC, "", 0);
        op(o, 0xF8, CLC, "", 0);
        op(o, 0xF9, STC, "", 0);
        op(o, 0xFA, CLI, "", 0);
        op(o, 0xFB, STI, "", 0);
        op(o, 0xFC, CLD, "", 0);
        op(o, 0xFD, STD, "", 0);
        group(o, 0xFE, "Eb", 0, INC, DEC, null, null, null, null, null, null);
        // 0xF6/0xF7 (test has an immediate) and 0xFF (operand sizes differ by row) are decoded by groupF6F7/groupFF.

        Entry[] t = TWO_BYTE;
        group(t, 0x00, "Evw", 0, SLDT, STR, LLDT, LTR, UNSUPPORTED, UNSUPPORTED, null, null);
        unsupported(t, 0x02, MODRM);             // LAR
        unsupported(t, 0x03, MODRM);             // LSL
        op(t, 0x05, SYSCALL, "", 0);
        op(t, 0x06, CLTS, "", 0);
        op(t, 0x07, SYSRET, "", 0);
        op(t, 0x08, INVD, "", 0);
        op(t, 0x09, WBINVD, "", 0);
        op(t, 0x0B, UD, "", 0);
        group(t, 0x0D, "Mb", MEM, PREFETCH, PREFETCH, PREFETCH, PREFETCH, PREFETCH, PREFETCH, PREFETCH, PREFETCH);
        unsupported(t, 0x0E, 0);                 // FEMMS
        for (int b = 0x10; b <= 0x17; b++) {
            unsupported(t, b, MODRM);
        }
        group(t, 0x18, "Ev", 0, PREFETCH, PREFETCH, PREFETCH, PREFETCH, NOP, NOP, NOP, NOP);
        for (int b = 0x19; b <= 0x1F; b++) {
            if (b != 0x1E) {
                op(t, b, NOP, "Ev", 0);
            }
        }
        op(t, 0x20, MOV_CR, "Rq,Cq", 0);
        op(t, 0x21, MOV_DR, "Rq,Dq", 0);
        op(t, 0x22, MOV_CR, "Cq,Rq", 0);
        op(t, 0x23, MOV_DR, "Dq,Rq", 0);
        for (int b = 0x28; b <= 0x2F; b++) {
            unsupported(t, b, MODRM);
        }
        op(t, 0x30, WRMSR, "", 0);
        op(t, 0x31, RDTSC, "", 0);
        op(t, 0x32, RDMSR, "", 0);
        op(t, 0x33, RDPMC, "", 0);
        unsupported(t, 0x34, 0);                 // SYSENTER
        unsupported(t, 0x35, 0);                 // SYSEXIT
        unsupported(t, 0x37, 0);                 // GETSEC
        cc(t, 0x40, CMOVCC, "Gv,Ev", 0);
        for (int b = 0x50; b <= 0x7F; b++) {
            unsupported(t, b, MODRM | (b >= 0x70 && b <= 0x73 ? IMM8 : 0));
        }
        unsupported(t, 0x77, 0);                 // EMMS without a prefix: see Decoder.sse
        cc(t, 0x80, JCC, "Jz", F64);
        cc(t, 0x90, SETCC, "Eb", 0);
        op(t, 0xA0, PUSH_SEG, "FS", D64);
        op(t, 0xA1, POP_SEG, "FS", D64);
        op(t, 0xA2, CPUID, "", 0);
        op(t, 0xA3, BT, "Ev,Gv", 0);
        op(t, 0xA4, SHLD, "Ev,Gv,Ib", 0);
        op(t, 0xA5, SHLD, "Ev,Gv,CL", 0);
        op(t, 0xA8, PUSH_SEG, "GS", D64);
        op(t, 0xA9, POP_SEG, "GS", D64);
        op(t, 0xAB, BTS, "Ev,Gv", 0);
        op(t, 0xAC, SHRD, "Ev,Gv,Ib", 0);
        op(t, 0xAD, SHRD, "Ev,Gv,CL", 0);
        op(t, 0xAF, IMUL, "Gv,Ev", 0);
        op(t, 0xB0, CMPXCHG, "Eb,Gb", 0);
        op(t, 0xB1, CMPXCHG, "Ev,Gv", 0);
        unsupported(t, 0xB2, MODRM);             // LSS
        op(t, 0xB3, BTR, "Ev,Gv", 0);
        unsupported(t, 0xB4, MODRM);             // LFS
        unsupported(t, 0xB5, MODRM);             // LGS
        op(t, 0xB6, MOVZX, "Gv,Eb", 0);
        op(t, 0xB7, MOVZX, "Gv,Ew", 0);
        t[0xB9] = new Entry(UD, new int[0], MODRM, 0, null);           // UD1
        group(t, 0xBA, "Ev,Ib", 0, null, null, null, null, BT, BTS, BTR, BTC);
        op(t, 0xBB, BTC, "Ev,Gv", 0);
        op(t, 0xBE, MOVSX, "Gv,Eb", 0);
        op(t, 0xBF, MOVSX, "Gv,Ew", 0);
        op(t, 0xC0, XADD, "Eb,Gb", 0);
        op(t, 0xC1, XADD, "Ev,Gv", 0);
        for (int b = 0xC2; b <= 0xC6; b++) {
            unsupported(t, b, MODRM | (b == 0xC3 ? 0 : IMM8));
        }
        for (int r = 0; r < 8; r++) {
            op(t, 0xC8 + r, BSWAP, "Zv", 0);
        }
        for (int b = 0xD0; b <= 0xFE; b++) {
            unsupported(t, b, MODRM);
        }
        t[0xFF] = new Entry(UD, new int[0], MODRM, 0, null);           // UD0
    }
}
