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
    /** An architecturally undefined encoding (UD0/UD1/UD2 included): #UD on every x86-64. */
    UD,
    /** A real instruction this CPU does not implement (x87, SSE/AVX, VMX, ...): #UD here, #NM when CR0.TS/EM say so. */
    UNSUPPORTED,
    /** Longer than 15 bytes: #GP(0). */
    TOO_LONG;

    private final String text = name().toLowerCase(Locale.ROOT);

    public String text() {
        return text;
    }
}
