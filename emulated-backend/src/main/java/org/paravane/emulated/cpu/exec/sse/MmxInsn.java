package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.MemInsn;
import org.paravane.emulated.cpu.exec.x87.X87Binder;

/**
 * An instruction on MMX registers: #UD with CR0.EM, #NM with CR0.TS, #MF for a pending x87 exception; then the x87
 * state becomes MMX state (TOP = 0, every tag valid). MMi is the significand of x87 physical register i; writing it
 * sets that register's sign and exponent to all ones. {@link #mm} is the MMX (or XMM, or general) register of
 * ModRM.reg; the r/m operand an MMX register ({@link #rmMm} >= 0) or memory.
 */
abstract class MmxInsn extends MemInsn {
    protected final int mm;
    protected final int rmMm;
    /** Bytes of a memory operand. */
    private final int memorySize;

    MmxInsn(Decoded d, Operand reg, Operand rmOperand) {
        super(d, rmOperand instanceof Operand.Mmx || rmOperand instanceof Operand.Xmm ? null : rmOperand);
        this.mm = switch (reg) {
            case Operand.Mmx x -> x.number();
            case Operand.Xmm x -> x.number();
            case Operand.Reg r -> r.number();
            case null, default -> -1;
        };
        this.rmMm = switch (rmOperand) {
            case Operand.Mmx x -> x.number();
            case Operand.Xmm x -> x.number();
            case null, default -> -1;
        };
        this.memorySize = rmOperand instanceof Operand.Mem m ? m.size() : 8;
    }

    abstract void run(Cpu c, FpuState f);

    /** Whether the instruction needs CR4.OSFXSR (the SSE and SSE2 forms). */
    boolean sse() {
        return false;
    }

    /** Whether it touches the MMX registers (the conversions from memory do not). */
    boolean touchesMmx() {
        return true;
    }

    /** Whether it leaves the x87 state as MMX state (EMMS empties it instead). */
    boolean transitions() {
        return true;
    }

    @Override
    public final void exec(Cpu c) {
        if (sse()) {
            SseInsn.check(c);
        } else if ((c.cr0 & SseInsn.CR0_EM) != 0) {
            throw c.ud();
        } else if ((c.cr0 & SseInsn.CR0_TS) != 0) {
            throw c.raise(Vectors.NM, -1);
        }
        if (touchesMmx()) {
            X87Binder.pendingException(c);
        }
        run(c, c.fpu);
        if (touchesMmx() && transitions()) {
            transition(c.fpu);
        }
    }

    /** x87 state to MMX state: TOP = 0, all tags valid. */
    static void transition(FpuState f) {
        f.fsw &= ~0x3800;
        f.ftw = 0xFF;
    }

    static long mmx(FpuState f, int i) {
        return f.stSig[i];
    }

    static void setMmx(FpuState f, int i, long v) {
        f.stSig[i] = v;
        f.stSe[i] = 0xFFFF;
    }

    /** The r/m operand: an MMX register or 8 bytes of memory. */
    final long source(Cpu c, FpuState f) {
        return rmMm >= 0 ? f.stSig[rmMm] : memorySize == 4 ? c.read32(ea(c)) : c.read64(ea(c));
    }
}
