package org.paravane.difftest;

import java.util.Arrays;

/**
 * An instruction sequence and the state it starts from.
 *
 * @param name        what it tests (shown in mismatch reports)
 * @param source      its assembly text
 * @param code        its bytes, run from {@link Layout#CODE}
 * @param offsets     the offset of each instruction in {@code code}, ascending
 * @param before      per instruction, the arithmetic flags whose value is architecturally undefined before it
 *                    (not compared), or null when every flag is defined throughout
 * @param after       the same after it
 * @param regs        the 16 general registers, RIP (ignored: {@link Layout#CODE}), RFLAGS
 * @param gsBase      GS base
 * @param data        the initial data area ({@link Layout#DATA_SIZE} bytes)
 * @param stepwise    compare after every instruction (else only at the end; for code that reads TF)
 * @param simd        XMM0-15 (low and high quadword each) and MXCSR: {@link Layout#SIMD_WORDS} words
 */
public record TestCase(String name, String source, byte[] code, int[] offsets, long[] before, long[] after,
                       long[] regs, long gsBase,
                       byte[] data, boolean stepwise, long[] simd) {

    public TestCase {
        if (regs.length != 18) {
            throw new IllegalArgumentException("18 registers expected");
        }
        if (simd.length != Layout.SIMD_WORDS) {
            throw new IllegalArgumentException(Layout.SIMD_WORDS + " XMM/MXCSR words expected");
        }
        if (data.length != Layout.DATA_SIZE) {
            throw new IllegalArgumentException("data area of " + Layout.DATA_SIZE + " bytes expected");
        }
    }

    /** A case whose XMM registers are zero and MXCSR has its reset value. */
    public TestCase(String name, String source, byte[] code, int[] offsets, long[] before, long[] after, long[] regs,
                    long gsBase, byte[] data, boolean stepwise) {
        this(name, source, code, offsets, before, after, regs, gsBase, data, stepwise, Layout.resetSimd());
    }

    public TestCase withSimd(long[] s) {
        return new TestCase(name, source, code, offsets, before, after, regs, gsBase, data, stepwise, s);
    }

    public long end() {
        return Layout.CODE + code.length;
    }

    /** Flags undefined after the instruction that started at {@code rip} (0 when not known). */
    public long unknownAfter(long rip) {
        return lookup(after, rip);
    }

    /** Flags undefined before the instruction at {@code rip} (0 when not known). */
    public long unknownBefore(long rip) {
        return lookup(before, rip);
    }

    private long lookup(long[] masks, long rip) {
        if (masks == null || offsets == null) {
            return 0;
        }
        int i = Arrays.binarySearch(offsets, (int) (rip - Layout.CODE));
        if (i >= 0) {
            return masks[i];
        }
        // Inside a multi-instruction unit: whatever is undefined before or after it.
        int unit = -i - 2;
        return unit >= 0 && unit < masks.length ? before[unit] | after[unit] : 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
