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
    /**
     * XMM0-15 as low/high quadwords, then MXCSR, then the x87 state as FXSAVE holds it: bytes 0-23 (FCW, FSW, the
     * abridged tag word, FOP, FIP, FDP) in three words from {@link #X87}, ST0-7 (bytes 32-159) in 16 from {@link #ST}.
     */
    public static final int SIMD_WORDS = 52, MXCSR = 32, X87 = 33, ST = 36;

    public static long[] resetSimd() {
        long[] s = new long[SIMD_WORDS];
        s[MXCSR] = 0x1F80;
        s[X87] = 0x37F;
        return s;
    }
    public static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
            "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
}
