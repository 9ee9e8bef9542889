package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;

/** Binds the SSE3, SSSE3 and SSE4.1 mnemonics (and the SSE4.1 memory form of PEXTRW) to their families. */
final class SseExtBinder {
    private SseExtBinder() {
    }

    static boolean handles(Decoded d) {
        int o = d.mnemonic().ordinal();
        return o >= Mnemonic.ADDSUBPS.ordinal() && o <= Mnemonic.MPSADBW.ordinal()
                || d.mnemonic() == Mnemonic.PEXTRW && d.op(0) instanceof Operand.Mem;
    }

    static Insn bind(Decoded d) {
        return switch (d.mnemonic()) {
            case ADDSUBPS, ADDSUBPD, HADDPS, HADDPD, HSUBPS, HSUBPD -> new Sse3Ops.Horizontal(d, xmm(d.op(0)), d.op(1));
            case MOVDDUP, MOVSHDUP, MOVSLDUP -> new Sse3Ops.Dup(d, xmm(d.op(0)), d.op(1));
            case LDDQU -> new SseMoveOps.Full(d, xmm(d.op(0)), d.op(1), true, false);
            case MOVNTDQA -> new SseMoveOps.Full(d, xmm(d.op(0)), d.op(1), true, true);
            case PSHUFB, PHADDW, PHADDD, PHADDSW, PMADDUBSW, PHSUBW, PHSUBD, PHSUBSW, PSIGNB, PSIGNW, PSIGND, PMULHRSW,
                 PABSB, PABSW, PABSD, PALIGNR -> new Ssse3Ops.Binary(d, xmm(d.op(0)), d.op(1), imm(d));
            case ROUNDPS, ROUNDPD, ROUNDSS, ROUNDSD -> new Sse41FloatOps.Round(d, xmm(d.op(0)), d.op(1), imm(d));
            case DPPS, DPPD -> new Sse41FloatOps.Dot(d, xmm(d.op(0)), d.op(1), imm(d));
            case PEXTRB, PEXTRW, PEXTRD, PEXTRQ, EXTRACTPS -> new Sse41InsertOps.Extract(d, d.op(0), xmm(d.op(1)), imm(d));
            case PINSRB, PINSRD, PINSRQ -> new Sse41InsertOps.Insert(d, xmm(d.op(0)), d.op(1), imm(d));
            case INSERTPS -> new Sse41InsertOps.InsertPs(d, xmm(d.op(0)), d.op(1), imm(d));
            default -> new Sse41IntOps.Binary(d, xmm(d.op(0)), d.op(1), imm(d));
        };
    }

    private static int imm(Decoded d) {
        return d.operandCount() > 2 && d.op(2) instanceof Operand.Imm i ? (int) i.value() : 0;
    }

    private static int xmm(Operand o) {
        return ((Operand.Xmm) o).number();
    }
}
