package org.paravane.emulated.cpu.translate;

import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * The shapes in which {@link SseOps} translates an SSE instruction: moves it writes out itself (whole register, low
 * element, one half, MOVD/MOVQ with a general register or memory), the 128-bit logic and the quadword unpacks, and
 * {@link #CALL}, whose computation stays with the instruction ({@link SseCalls}).
 */
enum SseForm {
    FULL, ALIGNED_FULL, LOW, HALF, GPR, LOGIC, UNPACK, CALL;

    /** The form {@code d} (bound to {@code insn}) is translated in, or null: it calls its {@code Insn}. */
    static SseForm of(Decoded d, Insn insn) {
        if (d.lock() || d.operandCount() < 2 || !xmmOnly(d)) {
            return null;                                    // MMX and other forms stay with their Insn
        }
        SseForm f = switch (d.mnemonic()) {
            case MOVUPS, MOVUPD, MOVDQU -> FULL;
            case MOVAPS, MOVAPD, MOVDQA, MOVNTPS, MOVNTPD, MOVNTDQ -> ALIGNED_FULL;   // MOVNT*: a hint, no cache here
            case MOVSS, MOVSD -> LOW;
            case MOVQ -> gpr(d) ? GPR : LOW;
            case MOVD -> GPR;
            case MOVLPS, MOVLPD, MOVHPS, MOVHPD -> HALF;
            case MOVHLPS, MOVLHPS -> d.op(1) instanceof Operand.Xmm ? HALF : null;
            case PXOR, XORPS, XORPD, PAND, ANDPS, ANDPD, PANDN, ANDNPS, ANDNPD, POR, ORPS, ORPD ->
                    d.op(0) instanceof Operand.Xmm ? LOGIC : null;
            case UNPCKLPD, UNPCKHPD, PUNPCKLQDQ, PUNPCKHQDQ ->
                    d.op(0) instanceof Operand.Xmm && d.op(1) instanceof Operand.Xmm ? UNPACK : null;
            default -> null;
        };
        if (f != null && (f == GPR || !gpr(d))) {
            return f;
        }
        return SseCalls.supports(d, insn) ? CALL : null;
    }

    /** Operands only of XMM registers, memory, immediates and 32/64-bit general registers (no MMX register). */
    private static boolean xmmOnly(Decoded d) {
        for (Operand o : d.operands()) {
            switch (o) {
                case Operand.Xmm x -> {
                }
                case Operand.Mem m -> {
                }
                case Operand.Imm i -> {
                }
                case Operand.Reg r -> {
                    if (r.size() != 4 && r.size() != 8 || r.number() >= 16) {
                        return false;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean gpr(Decoded d) {
        return d.operands().stream().anyMatch(o -> o instanceof Operand.Reg);
    }
}
