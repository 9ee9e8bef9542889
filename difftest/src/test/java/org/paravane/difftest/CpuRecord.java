package org.paravane.difftest;

import java.util.Arrays;

/**
 * What a reference CPU reports for one point of a run: after an instruction ({@link Kind#STEP}), at the end of the
 * code ({@link Kind#END}), at an exception ({@link Kind#FAULT}: vector, error code, CR2; registers as the exception
 * frame has them), or when it stopped for another reason. Final records carry the data area.
 */
public record CpuRecord(Kind kind, long[] regs, int vector, long error, long cr2, byte[] data, String detail,
                        long[] simd) {

    /** A record without XMM/MXCSR state (not compared). */
    public CpuRecord(Kind kind, long[] regs, int vector, long error, long cr2, byte[] data, String detail) {
        this(kind, regs, vector, error, cr2, data, detail, null);
    }

    public CpuRecord withVector(int v) {
        return new CpuRecord(kind, regs, v, error, cr2, data, detail, simd);
    }

    public CpuRecord withSimd(long[] s) {
        return new CpuRecord(kind, regs, vector, error, cr2, data, detail, s);
    }

    public enum Kind { STEP, END, FAULT, LIMIT, OTHER }

    public static CpuRecord step(long[] regs) {
        return new CpuRecord(Kind.STEP, regs, -1, 0, 0, null, "");
    }

    public boolean last() {
        return kind != Kind.STEP;
    }

    public long rip() {
        return regs[Layout.RIP];
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kind.name());
        if (kind == Kind.FAULT) {
            b.append(" vector ").append(vector).append(" error 0x").append(Long.toHexString(error));
            if (vector == 14) {
                b.append(" cr2 0x").append(Long.toHexString(cr2));
            }
        }
        if (!detail.isEmpty()) {
            b.append(" (").append(detail).append(')');
        }
        for (int i = 0; i < regs.length; i++) {
            b.append(i % 6 == 0 ? "\n    " : " ").append(Layout.NAMES[i]).append('=').append(Long.toHexString(regs[i]));
        }
        if (simd != null) {
            for (int i = 0; i < 16; i++) {
                if (simd[2 * i] != 0 || simd[2 * i + 1] != 0) {
                    b.append("\n    xmm").append(i).append('=').append(String.format("%016x_%016x", simd[2 * i + 1], simd[2 * i]));
                }
            }
            b.append("\n    mxcsr=").append(Long.toHexString(simd[Layout.MXCSR]));
            b.append("\n    ").append(X87Words.describe(simd));
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuRecord r && kind == r.kind && Arrays.equals(regs, r.regs) && vector == r.vector
                && error == r.error && cr2 == r.cr2 && Arrays.equals(data, r.data) && Arrays.equals(simd, r.simd);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs) * 31 + kind.hashCode();
    }
}
