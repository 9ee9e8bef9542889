package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;

/**
 * An SSE instruction whose result leaves the XMM file, for translated code that reads the r/m operand itself (as for
 * {@link SseCompute}) and keeps the result in its own locals: the value a general register gets (CVT(T)SS2SI,
 * CVT(T)SD2SI, PMOVMSKB, MOVMSKPS/PD), or the arithmetic flags (COMISS/COMISD/UCOMISS/UCOMISD, RFLAGS positions).
 * MXCSR and #XM are the instruction's own, exactly as when it runs whole.
 */
public interface SseResult {
    /** The result for the r/m operand's quadwords {@code slo}, {@code shi} (see {@link SseCompute#compute}). */
    long result(Cpu c, long slo, long shi);

    /** Bytes of the r/m operand when it is memory. */
    int operandSize();

    /** Whether a memory operand must be 16-byte aligned. */
    boolean operandAligned();
}
