package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;

/**
 * The part of an SSE floating-point instruction after its operand was read, for translated code that reads the r/m
 * operand itself (registers from the XMM file, memory through its inlined TLB probe) and lets the instruction do the
 * arithmetic, MXCSR and the write of its destination exactly as when it runs whole.
 */
public interface SseCompute {
    /**
     * Completes the instruction with the r/m operand's quadwords {@code slo}, {@code shi}: an XMM register's two
     * halves (only the low one, {@code shi} 0, when {@link #operandSize()} is below 16), memory's {@code operandSize()}
     * bytes zero-extended, a general register's value zero-extended; both 0 when the instruction has no r/m source.
     */
    void compute(Cpu c, long slo, long shi);

    /** Bytes of the r/m operand when it is memory (4, 8 or 16; 1 or 2 for forms translated code leaves alone). */
    int operandSize();

    /** Whether a memory operand must be 16-byte aligned (#GP(0) otherwise). */
    boolean operandAligned();

    /** #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS: the checks every SSE instruction makes first. */
    static void check(Cpu c) {
        SseInsn.check(c);
    }
}
