package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.MemInsn;
import org.paravane.emulated.mmu.Mmu;

/**
 * An SSE instruction: {@link #xmm} is the XMM register of ModRM.reg (or a general register for the forms that name
 * one), the ModRM r/m operand an XMM register ({@link #rm} >= 0) or memory of {@link #size} bytes (1 to 16). The CR0/CR4
 * checks run first (only SSE instructions pay for them), then alignment, then the memory access.
 */
abstract class SseInsn extends MemInsn {
    static final long CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR4_OSFXSR = 1L << 9;

    /** The register operand: an XMM (or general) register number, -1 when the instruction has none. */
    protected final int xmm;
    /** Bytes of the memory operand (4, 8 or 16). */
    protected final int size;
    /** A 16-byte memory operand must be 16-byte aligned (#GP(0) otherwise). */
    protected final boolean aligned;

    SseInsn(Decoded d, Operand rmOperand, int xmm, int size, boolean aligned) {
        super(d, rmOperand instanceof Operand.Xmm x ? new Operand.Reg(16, x.number()) : rmOperand);
        this.xmm = xmm;
        this.size = size;
        this.aligned = aligned && size == 16;
    }

    /** #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS. */
    static void check(Cpu c) {
        if ((c.cr4 & CR4_OSFXSR) == 0 || (c.cr0 & CR0_EM) != 0) {
            throw c.ud();
        }
        if ((c.cr0 & CR0_TS) != 0) {
            throw c.raise(Vectors.NM, -1);
        }
    }

    /** The memory operand's address, with the alignment check of the aligned forms. */
    final long address(Cpu c) {
        long a = ea(c);
        if (aligned && (a & 15) != 0) {
            throw c.gp(0);
        }
        return a;
    }

    /** Quadword {@code half} (0 low, 1 high) of the r/m operand; memory narrower than 16 bytes reads zero above. */
    final long src(Cpu c, int half) {
        if (rm >= 0) {
            return c.fpu.xmm[2 * rm + half];
        }
        long a = address(c);
        return switch (size) {
            case 16 -> c.read64(a + 8L * half);
            case 8 -> half == 0 ? c.read64(a) : 0;
            case 4 -> half == 0 ? c.read32(a) : 0;
            case 2 -> half == 0 ? c.read16(a) : 0;
            default -> half == 0 ? c.read8(a) : 0;
        };
    }

    /** Writes the r/m operand (its low {@link #size} bytes); a 16-byte store faults before writing anything. */
    final void store(Cpu c, long lo, long hi) {
        if (rm >= 0) {
            c.fpu.xmm[2 * rm] = lo;
            c.fpu.xmm[2 * rm + 1] = hi;
            return;
        }
        long a = address(c);
        switch (size) {
            case 16 -> {
                if ((a & 0xFFF) > 0xFF0) {
                    // The second page faults (CR2: its first byte) before the first page is written.
                    c.mmu.translate((a + 15) & ~0xFFFL, Mmu.WRITE, false);
                }
                c.write64(a, lo);
                c.write64(a + 8, hi);
            }
            case 8 -> c.write64(a, lo);
            case 4 -> c.write32(a, lo);
            case 2 -> c.write16(a, lo);
            default -> c.write8(a, lo);
        }
    }

    /** For the {@link SseCompute} and {@link SseResult} forms. */
    public final int operandSize() {
        return size;
    }

    /** For the {@link SseCompute} and {@link SseResult} forms. */
    public final boolean operandAligned() {
        return aligned;
    }

    final long[] x(Cpu c) {
        return c.fpu.xmm;
    }
}
