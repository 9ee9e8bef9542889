package org.paravane.emulated.cpu.decode;

import java.util.Locale;

/** What a decoded instruction does. Condition-code families (Jcc, SETcc, CMOVcc) carry the condition separately. */
public enum Mnemonic {
    // integer arithmetic and logic
    ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST, INC, DEC, NOT, NEG, MUL, IMUL, DIV, IDIV,
    ROL, ROR, RCL, RCR, SHL, SHR, SAR, SHLD, SHRD,
    BT, BTS, BTR, BTC, BSF, BSR, TZCNT, LZCNT, POPCNT, ANDN, BEXTR, BLSI, BLSMSK, BLSR,
    // data movement
    MOV, MOVZX, MOVSX, MOVSXD, MOVBE, LEA, XCHG, XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B, BSWAP, CMOVCC, SETCC,
    CBW, CWD, XLAT, LAHF, SAHF,
    // stack and control flow
    PUSH, POP, PUSHF, POPF, ENTER, LEAVE, JMP, JCC, CALL, RET, RETF, JRCXZ, LOOP, LOOPE, LOOPNE,
    INT, INT3, INT1, IRET, SYSCALL, SYSRET,
    // strings
    MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS,
    // flags
    CLC, STC, CMC, CLD, STD, CLI, STI,
    // system
    HLT, NOP, PAUSE, ENDBR64, CPUID, RDTSC, RDTSCP, RDPID, RDMSR, WRMSR, RDPMC, SWAPGS,
    MOV_CR, MOV_DR, MOV_SEG, PUSH_SEG, POP_SEG, LGDT, LIDT, SGDT, SIDT, LLDT, SLDT, LTR, STR, LMSW, SMSW, CLTS,
    INVLPG, INVD, WBINVD, LFENCE, MFENCE, SFENCE, CLFLUSH, PREFETCH, IN, OUT,
    // SSE and SSE2: moves
    MOVUPS, MOVUPD, MOVSS, MOVSD, MOVLPS, MOVLPD, MOVHLPS, MOVHPS, MOVHPD, MOVLHPS, MOVAPS, MOVAPD, MOVNTPS, MOVNTPD,
    MOVMSKPS, MOVMSKPD, MOVD, MOVQ, MOVDQA, MOVDQU, MOVNTDQ, MOVNTI, MASKMOVDQU, PMOVMSKB, PINSRW, PEXTRW,
    // SSE and SSE2: floating point
    ADDPS, ADDPD, ADDSS, ADDSD, SUBPS, SUBPD, SUBSS, SUBSD, MULPS, MULPD, MULSS, MULSD, DIVPS, DIVPD, DIVSS, DIVSD,
    MINPS, MINPD, MINSS, MINSD, MAXPS, MAXPD, MAXSS, MAXSD, SQRTPS, SQRTPD, SQRTSS, SQRTSD, RSQRTPS, RSQRTSS, RCPPS,
    RCPSS, ANDPS, ANDPD, ANDNPS, ANDNPD, ORPS, ORPD, XORPS, XORPD, CMPPS, CMPPD, CMPSS, CMPSD, UCOMISS, UCOMISD,
    COMISS, COMISD,
    // SSE and SSE2: conversions
    CVTSI2SS, CVTSI2SD, CVTTSS2SI, CVTTSD2SI, CVTSS2SI, CVTSD2SI, CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS, CVTDQ2PS,
    CVTPS2DQ, CVTTPS2DQ, CVTTPD2DQ, CVTDQ2PD, CVTPD2DQ,
    // SSE and SSE2: shuffles and unpacks
    UNPCKLPS, UNPCKLPD, UNPCKHPS, UNPCKHPD, SHUFPS, SHUFPD, PSHUFD, PSHUFHW, PSHUFLW, PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ,
    PUNPCKLQDQ, PUNPCKHBW, PUNPCKHWD, PUNPCKHDQ, PUNPCKHQDQ, PACKSSWB, PACKSSDW, PACKUSWB,
    // SSE2: packed integers
    PADDB, PADDW, PADDD, PADDQ, PSUBB, PSUBW, PSUBD, PSUBQ, PADDSB, PADDSW, PADDUSB, PADDUSW, PSUBSB, PSUBSW, PSUBUSB,
    PSUBUSW, PMULLW, PMULHW, PMULHUW, PMULUDQ, PMADDWD, PSADBW, PAVGB, PAVGW, PMINUB, PMAXUB, PMINSW, PMAXSW, PAND,
    PANDN, POR, PXOR, PCMPEQB, PCMPEQW, PCMPEQD, PCMPGTB, PCMPGTW, PCMPGTD, PSLLW, PSLLD, PSLLQ, PSRLW, PSRLD, PSRLQ,
    PSRAW, PSRAD, PSLLDQ, PSRLDQ,
    // x87/SSE state
    FXSAVE, FXRSTOR, FXSAVE64, FXRSTOR64, LDMXCSR, STMXCSR, FWAIT,
    /** An x87 instruction (D8-DF): {@link Decoded#cond()} holds the escape's low three bits and the ModRM byte. */
    FPU,
    /** An architecturally undefined encoding (UD0/UD1/UD2 included): #UD on every x86-64. */
    UD,
    /** A real instruction this CPU does not implement (MMX, SSE3 and later, AVX, VMX, ...): #UD. */
    UNSUPPORTED,
    /** A reserved x87 encoding or one this CPU does not implement (the transcendentals): #NM with CR0.EM or CR0.TS (as for any x87 instruction), else #UD. */
    X87,
    /** Longer than 15 bytes: #GP(0). */
    TOO_LONG;

    private final String text = name().toLowerCase(Locale.ROOT);

    public String text() {
        return text;
    }
}
