package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.Vectors;

/**
 * MXCSR as one floating-point instruction sees it: rounding mode, DAZ, FTZ, the masks, and the exception flags its
 * elements raise. {@link #commit} either records the flags (every exception masked) or raises #XM (#UD without
 * CR4.OSXMMEXCPT) before the instruction writes its destination.
 */
final class Mxcsr {
    static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    static final int RN = 0, RD = 1, RU = 2, RZ = 3;
    static final int DAZ = 1 << 6, FTZ = 1 << 15;

    private final int value;
    int flags;
    boolean overflowed;

    Mxcsr(FpuState f) {
        this.value = f.mxcsr;
    }

    /** An MXCSR value of one's own (for steps that must not see the guest's mode or masks). */
    Mxcsr(int value) {
        this.value = value;
    }

    int mode() {
        return (value >>> 13) & 3;
    }

    boolean daz() {
        return (value & DAZ) != 0;
    }

    boolean ftz() {
        return (value & FTZ) != 0;
    }

    boolean masked(int flag) {
        return (value & (flag << 7)) != 0;
    }

    /** Whether a flag raised so far is unmasked ({@link #commit} would raise #XM). */
    boolean unmaskedRaised() {
        return (flags & ~(value >>> 7) & 0x3F) != 0;
    }

    /**
     * Records the flags; throws #XM/#UD when one of them is unmasked (the destination then stays as it was). An
     * unmasked pre-computation exception (IE, DE, ZE) in any element stops the instruction before any result is
     * rounded, so only the pre-computation flags of all elements are recorded then.
     */
    void commit(Cpu c) {
        int unmasked = ~(value >>> 7) & 0x3F;
        int pre = flags & (IE | DE | ZE);
        if ((pre & unmasked) != 0) {
            flags = pre;
        }
        c.fpu.mxcsr |= flags;
        if ((flags & unmasked) != 0) {
            boolean osxmmexcpt = (c.cr4 & (1L << 10)) != 0;
            throw c.raise(osxmmexcpt ? Vectors.XM : Vectors.UD, -1);
        }
    }
}
