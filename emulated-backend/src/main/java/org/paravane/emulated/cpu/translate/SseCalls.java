package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_CPU;

import java.lang.classfile.CodeBuilder;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;
import org.paravane.emulated.cpu.exec.sse.SseCompute;
import org.paravane.emulated.cpu.exec.sse.SseResult;

/**
 * The SSE instructions whose arithmetic stays with their {@code Insn} while the block does the rest: it reads the r/m
 * operand from the XMM file, a general-register local or memory (its inlined TLB probe), then calls
 * {@link SseCompute#compute} (the instruction writes its XMM destination) or {@link SseResult#result}, whose value
 * goes to a general-register local (CVT(T)SS2SI, CVT(T)SD2SI, PMOVMSKB, MOVMSKPS/PD) or becomes the block's flag
 * state (COMISS/COMISD/UCOMISS/UCOMISD, as {@link Cpu#F_EXPLICIT} bits). Rounding, NaN handling, the integer
 * indefinite, MXCSR and #XM are the instruction's own; nothing is written before the call returns.
 */
final class SseCalls {
    private static final int CPU = BlockCompiler.cpuSlot();
    private static final ClassDesc CD_COMPUTE = ClassDesc.ofDescriptor(SseCompute.class.descriptorString()),
            CD_RESULT = ClassDesc.ofDescriptor(SseResult.class.descriptorString());

    private final BlockCompiler bc;
    private final CodeBuilder code;
    private final SseOps sse;
    private final SseOps.Gprs gprs;

    SseCalls(BlockCompiler bc, CodeBuilder code, SseOps sse, SseOps.Gprs gprs) {
        this.bc = bc;
        this.code = code;
        this.sse = sse;
        this.gprs = gprs;
    }

    /**
     * Whether {@code insn} is translated here: an {@link SseCompute} with an XMM destination, or an {@link SseResult}
     * with a general-register destination or COMIS/UCOMIS's XMM; the source an XMM register, memory of the
     * instruction's operand size (4, 8 or 16 bytes), an immediate (no r/m source) or, for CVTSI2SS/SD only, a general
     * register. (The caller checked the operand kinds.)
     */
    static boolean supports(Decoded d, Insn insn) {
        Operand dst = d.op(0), src = d.op(1);
        int size;
        if (insn instanceof SseCompute c && dst instanceof Operand.Xmm) {
            size = c.operandSize();
        } else if (insn instanceof SseResult r && (dst instanceof Operand.Reg || comis(d.mnemonic()))) {
            size = r.operandSize();
        } else {
            return false;
        }
        return switch (src) {
            case Operand.Xmm x -> true;
            case Operand.Imm i -> insn instanceof SseCompute;
            case Operand.Mem m -> size == 4 || size == 8 || size == 16;
            case Operand.Reg r -> d.mnemonic() == Mnemonic.CVTSI2SS || d.mnemonic() == Mnemonic.CVTSI2SD;
            default -> false;
        };
    }

    private static boolean comis(Mnemonic m) {
        return m == Mnemonic.COMISS || m == Mnemonic.COMISD || m == Mnemonic.UCOMISS || m == Mnemonic.UCOMISD;
    }

    /** Emits supported {@code d} (the CR0/CR4 checks are already emitted). */
    void emit(Decoded d, Insn insn) {
        int lo = BlockCompiler.temp(0), hi = BlockCompiler.temp(1);
        if (insn instanceof SseCompute c) {
            source(d, c.operandSize(), c.operandAligned(), lo, hi);
            bc.pushInsn(insn);
            code.checkcast(CD_COMPUTE);
            code.aload(CPU);
            code.lload(lo);
            code.lload(hi);
            code.invokeinterface(CD_COMPUTE, "compute", MethodTypeDesc.of(CD_void, CD_CPU, CD_long, CD_long));
            return;
        }
        SseResult r = (SseResult) insn;
        source(d, r.operandSize(), r.operandAligned(), lo, hi);
        bc.pushInsn(insn);
        code.checkcast(CD_RESULT);
        code.aload(CPU);
        code.lload(lo);
        code.lload(hi);
        code.invokeinterface(CD_RESULT, "result", MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_long));
        if (d.op(0) instanceof Operand.Reg g) {
            gprs.store(g.size(), g.number());
        } else {
            code.lstore(BlockCompiler.slotAux());           // the call returned: the old flags are no longer needed
            bc.flagsSet(Cpu.F_EXPLICIT);
        }
    }

    /** The r/m source into locals {@code lo}, {@code hi}, as the instruction's own read gives it. */
    private void source(Decoded d, int size, boolean aligned, int lo, int hi) {
        switch (d.op(1)) {
            case Operand.Xmm x when size == 16 -> sse.load16(x, d, aligned, lo, hi);
            case Operand.Xmm x -> {
                sse.xmmHalf(x.number(), 0);
                code.lstore(lo);
                zero(hi);
            }
            case Operand.Mem m when size == 16 -> sse.load16(m, d, aligned, lo, hi);
            case Operand.Mem m -> {
                sse.load(m, d, size);
                code.lstore(lo);
                zero(hi);
            }
            case Operand.Reg g -> {
                gprs.load(g.size(), g.number());
                code.lstore(lo);
                zero(hi);
            }
            default -> {                                    // an immediate: no r/m source
                zero(lo);
                zero(hi);
            }
        }
    }

    private void zero(int slot) {
        code.lconst_0();
        code.lstore(slot);
    }
}
