package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;

/** Binds the SSE/SSE2 mnemonics to their families. */
public final class SseBinder {
    private SseBinder() {
    }

    /** Whether {@code m} is bound here. */
    public static boolean handles(Mnemonic m) {
        return m.ordinal() >= Mnemonic.MOVUPS.ordinal() && m.ordinal() <= Mnemonic.FWAIT.ordinal();
    }

    public static Insn bind(Decoded d) {
        Mnemonic m = d.mnemonic();
        if (MmxOps.names(d)) {
            return MmxOps.bind(d);
        }
        return switch (m) {
            case MOVUPS, MOVUPD, MOVDQU -> full(d, false);
            case MOVAPS, MOVAPD, MOVDQA, MOVNTPS, MOVNTPD, MOVNTDQ -> full(d, true);
            case MOVSS -> low(d, 4, false);
            case MOVSD -> low(d, 8, false);
            case MOVQ -> d.op(0) instanceof Operand.Reg || d.op(1) instanceof Operand.Reg ? gpr(d, 8) : low(d, 8, true);
            case MOVD -> gpr(d, 4);
            case MOVLPS, MOVLPD -> d.op(0) instanceof Operand.Xmm x
                    ? new SseMoveOps.Half(d, x.number(), d.op(1), true, 0, 0)
                    : new SseMoveOps.Half(d, xmm(d.op(1)), d.op(0), false, 0, 0);
            case MOVHPS, MOVHPD -> d.op(0) instanceof Operand.Xmm x
                    ? new SseMoveOps.Half(d, x.number(), d.op(1), true, 1, 0)
                    : new SseMoveOps.Half(d, xmm(d.op(1)), d.op(0), false, 0, 1);
            case MOVHLPS -> new SseMoveOps.Half(d, xmm(d.op(0)), d.op(1), true, 0, 1);
            case MOVLHPS -> new SseMoveOps.Half(d, xmm(d.op(0)), d.op(1), true, 1, 0);
            case MOVMSKPS -> new SseMoveOps.Mask(d, gpr(d.op(0)), d.op(1), 32);
            case MOVMSKPD -> new SseMoveOps.Mask(d, gpr(d.op(0)), d.op(1), 64);
            case PMOVMSKB -> new SseMoveOps.Mask(d, gpr(d.op(0)), d.op(1), 8);
            case MOVNTI -> new SseMoveOps.Movnti(d, d.op(0), gpr(d.op(1)), ((Operand.Reg) d.op(1)).size());
            case MASKMOVDQU -> new SseMoveOps.MaskMove(d, xmm(d.op(0)), d.op(1));
            case PINSRW, SHUFPS, SHUFPD, PSHUFD, PSHUFHW, PSHUFLW -> new SseShuffleOps.Shuffle(d, xmm(d.op(0)), d.op(1),
                    (int) ((Operand.Imm) d.op(2)).value());
            case UNPCKLPS, UNPCKLPD, UNPCKHPS, UNPCKHPD, PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PUNPCKLQDQ, PUNPCKHBW,
                 PUNPCKHWD, PUNPCKHDQ, PUNPCKHQDQ, PACKSSWB, PACKSSDW, PACKUSWB ->
                    new SseShuffleOps.Shuffle(d, xmm(d.op(0)), d.op(1), 0);
            case PEXTRW -> new SseShuffleOps.Pextrw(d, gpr(d.op(0)), d.op(1), (int) ((Operand.Imm) d.op(2)).value());
            case PSLLDQ, PSRLDQ -> new SseShuffleOps.ByteShift(d, xmm(d.op(0)), m == Mnemonic.PSLLDQ,
                    (int) ((Operand.Imm) d.op(1)).value());
            case PSLLW, PSLLD, PSLLQ, PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD -> d.op(1) instanceof Operand.Imm i
                    ? new SsePackedIntOps.ShiftImm(d, xmm(d.op(0)), i.value())
                    : new SsePackedIntOps.Binary(d, xmm(d.op(0)), d.op(1));
            case ADDPS, ADDPD, ADDSS, ADDSD -> arith(d, SseFloatOps.Kind.ADD);
            case SUBPS, SUBPD, SUBSS, SUBSD -> arith(d, SseFloatOps.Kind.SUB);
            case MULPS, MULPD, MULSS, MULSD -> arith(d, SseFloatOps.Kind.MUL);
            case DIVPS, DIVPD, DIVSS, DIVSD -> arith(d, SseFloatOps.Kind.DIV);
            case MINPS, MINPD, MINSS, MINSD -> arith(d, SseFloatOps.Kind.MIN);
            case MAXPS, MAXPD, MAXSS, MAXSD -> arith(d, SseFloatOps.Kind.MAX);
            case SQRTPS, SQRTPD, SQRTSS, SQRTSD -> arith(d, SseFloatOps.Kind.SQRT);
            case CMPPS, CMPPD, CMPSS, CMPSD -> arith(d, SseFloatOps.Kind.CMP);
            case RCPPS, RCPSS -> arith(d, SseFloatOps.Kind.RCP);
            case RSQRTPS, RSQRTSS -> arith(d, SseFloatOps.Kind.RSQRT);
            case COMISS, COMISD, UCOMISS, UCOMISD -> new SseFloatOps.Comis(d, xmm(d.op(0)), d.op(1));
            case CVTSI2SS, CVTSI2SD -> new SseConvertOps.FromGpr(d, xmm(d.op(0)), d.op(1), size(d.op(1)));
            case CVTSS2SI, CVTTSS2SI, CVTSD2SI, CVTTSD2SI -> new SseConvertOps.ToGpr(d, gpr(d.op(0)), d.op(1),
                    ((Operand.Reg) d.op(0)).size());
            case CVTPS2PD, CVTSD2SS, CVTDQ2PD -> new SseConvertOps.ToXmm(d, xmm(d.op(0)), d.op(1), 8);
            case CVTSS2SD -> new SseConvertOps.ToXmm(d, xmm(d.op(0)), d.op(1), 4);
            case CVTPD2PS, CVTDQ2PS, CVTPS2DQ, CVTTPS2DQ, CVTTPD2DQ, CVTPD2DQ ->
                    new SseConvertOps.ToXmm(d, xmm(d.op(0)), d.op(1), 16);
            case FXSAVE, FXRSTOR, FXSAVE64, FXRSTOR64, LDMXCSR, STMXCSR ->
                    new SseStateOps.State(d, d.operandCount() > 0 ? d.op(0) : null);
            default -> new SsePackedIntOps.Binary(d, xmm(d.op(0)), d.op(1));      // packed integer and bitwise logic
        };
    }

    private static Insn full(Decoded d, boolean aligned) {
        return d.op(0) instanceof Operand.Xmm x ? new SseMoveOps.Full(d, x.number(), d.op(1), true, aligned)
                : new SseMoveOps.Full(d, xmm(d.op(1)), d.op(0), false, aligned);
    }

    /** Register to register is always "operand 0 from operand 1" (the 0F 10 and 0F 11 encodings alike). */
    private static Insn low(Decoded d, int size, boolean zeroRest) {
        return d.op(0) instanceof Operand.Xmm x ? new SseMoveOps.Low(d, x.number(), d.op(1), size, true, zeroRest)
                : new SseMoveOps.Low(d, xmm(d.op(1)), d.op(0), size, false, zeroRest);
    }

    private static Insn gpr(Decoded d, int size) {
        return d.op(0) instanceof Operand.Xmm x ? new SseMoveOps.Gpr(d, x.number(), d.op(1), size, true)
                : new SseMoveOps.Gpr(d, xmm(d.op(1)), d.op(0), size, false);
    }

    private static Insn arith(Decoded d, SseFloatOps.Kind kind) {
        String name = d.mnemonic().text();
        boolean single = name.endsWith("ps") || name.endsWith("ss");
        boolean scalar = name.endsWith("ss") || name.endsWith("sd");
        int predicate = d.operandCount() > 2 ? (int) ((Operand.Imm) d.op(2)).value() : 0;
        return new SseFloatOps.Arith(d, xmm(d.op(0)), d.op(1), kind, single, scalar, predicate);
    }

    private static int xmm(Operand o) {
        return ((Operand.Xmm) o).number();
    }

    private static int gpr(Operand o) {
        return ((Operand.Reg) o).number();
    }

    private static int size(Operand o) {
        return o instanceof Operand.Reg r ? r.size() : ((Operand.Mem) o).size();
    }
}
