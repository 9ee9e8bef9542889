package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;

/**
 * The part of an SSE floating-point instruction after its operand was read, for translated code that reads the r/m
 * operand itself (registers from the XMM file, memory through its inlined TLB probe) and lets the instruction do the
 * arithmetic, MXCSR and the write of its destination exactly as when it runs whole.
 */
public interface SseCompute {
    /** Completes the instruction with the r/m operand's quadwords {@code slo}, {@code shi} (0 for a scalar form). */
    void compute(Cpu c, long slo, long shi);

    /** #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS: the checks every SSE instruction makes first. */
    static void check(Cpu c) {
        SseInsn.check(c);
    }
}
