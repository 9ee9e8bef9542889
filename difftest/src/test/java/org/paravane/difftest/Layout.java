package org.paravane.difftest;

/**
 * Where a test case lives, the same on every reference: code at {@link #CODE}, data (which also holds the stack) at
 * {@link #DATA}; these match {@code cpu-runner.c}. The backends map them at the same virtual addresses.
 */
public final class Layout {
    private Layout() {
    }

    public static final long CODE = 0x1000_0000L;
    public static final int CODE_SIZE = 0x2000;
    public static final long DATA = 0x2000_0000L;
    public static final int DATA_SIZE = 0x4000;
    /** Most instructions (or REP iterations) one case may run. */
    public static final int MAX_STEPS = 4096;

    public static final int RIP = 16, RFLAGS = 17;
    /** XMM0-15 as low/high quadwords, then MXCSR. */
    public static final int SIMD_WORDS = 33, MXCSR = 32;

    public static long[] resetSimd() {
        long[] s = new long[SIMD_WORDS];
        s[MXCSR] = 0x1F80;
        return s;
    }
    public static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
            "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
}
