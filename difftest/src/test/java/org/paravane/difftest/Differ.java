package org.paravane.difftest;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares what two references reported for the same case, record by record: the general registers, RIP and the
 * arithmetic flags that are defined after the instruction (plus DF, IF), the kind of stop, the exception's vector,
 * error code and CR2, and the data area at the end.
 */
public final class Differ {
    private Differ() {
    }

    /** RFLAGS bits compared: CF PF AF ZF SF OF, DF, IF, IOPL. */
    static final long FLAGS = 0x8D5L | (1L << 10) | (1L << 9) | (3L << 12);

    /** A difference, with enough context to see which instruction caused it. */
    public record Mismatch(TestCase testCase, int step, String what, CpuRecord expected, CpuRecord actual) {
        @Override
        public String toString() {
            return testCase.name() + ": step " + step + ": " + what + "\n  expected " + expected + "\n  actual   " + actual
                    + "\n  code:\n" + testCase.source().indent(4);
        }
    }

    /** Runs {@code cases} on both CPUs: the first difference of every case where {@code tested} departs from the reference. */
    public static List<Mismatch> mismatches(List<TestCase> cases, Reference reference, Reference tested) {
        List<List<CpuRecord>> expected = reference.run(cases);
        List<List<CpuRecord>> actual = tested.run(cases);
        List<Mismatch> found = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Mismatch m = compare(cases.get(i), expected.get(i), actual.get(i), reference);
            if (m != null) {
                found.add(m);
            }
        }
        return found;
    }

    /** The first difference between {@code expected} and {@code actual}, or null when they agree. */
    public static Mismatch compare(TestCase tc, List<CpuRecord> expected, List<CpuRecord> actual) {
        return compare(tc, expected, actual, null);
    }

    /** As {@link #compare(TestCase, List, List)}, with the vectors {@code reference} reports read as it says. */
    static Mismatch compare(TestCase tc, List<CpuRecord> expected, List<CpuRecord> actual, Reference reference) {
        if (!tc.stepwise()) {
            // Only the end counts (the reference may have run without stepping).
            String diff = difference(tc, Layout.CODE, expected.getLast(), actual.getLast(), reference);
            return diff == null ? null : new Mismatch(tc, -1, diff, expected.getLast(), actual.getLast());
        }
        long previousRip = Layout.CODE;
        int n = Math.max(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (i >= expected.size() || i >= actual.size()) {
                return new Mismatch(tc, i, "one side stopped earlier",
                        i < expected.size() ? expected.get(i) : expected.getLast(),
                        i < actual.size() ? actual.get(i) : actual.getLast());
            }
            CpuRecord e = expected.get(i), a = actual.get(i);
            String diff = difference(tc, previousRip, e, a, reference);
            if (diff != null) {
                return new Mismatch(tc, i, diff, e, a);
            }
            previousRip = e.rip();
        }
        return null;
    }

    private static String difference(TestCase tc, long previousRip, CpuRecord e, CpuRecord a, Reference reference) {
        if (e.kind() != a.kind()) {
            return "stopped differently: " + e.kind() + " vs " + a.kind();
        }
        if (e.kind() == CpuRecord.Kind.FAULT) {
            boolean same = reference == null ? e.vector() == a.vector() : reference.reportsAs(a.vector(), e.vector());
            if (!same) {
                return "exception vector " + e.vector() + " vs " + a.vector();
            }
            if (e.error() != a.error()) {
                return "error code 0x" + Long.toHexString(e.error()) + " vs 0x" + Long.toHexString(a.error());
            }
            if (e.cr2() != a.cr2()) {
                return "CR2 0x" + Long.toHexString(e.cr2()) + " vs 0x" + Long.toHexString(a.cr2());
            }
        }
        List<String> regs = new ArrayList<>();
        for (int r = 0; r < 17; r++) {
            if (e.regs()[r] != a.regs()[r]) {
                regs.add(Layout.NAMES[r] + " 0x" + Long.toHexString(e.regs()[r]) + " vs 0x" + Long.toHexString(a.regs()[r]));
            }
        }
        long mask = FLAGS & ~(e.kind() == CpuRecord.Kind.STEP || e.kind() == CpuRecord.Kind.END
                ? tc.unknownAfter(previousRip) : 0);
        if (e.kind() == CpuRecord.Kind.FAULT) {
            mask &= ~tc.unknownBefore(e.rip());
        }
        if (((e.regs()[Layout.RFLAGS] ^ a.regs()[Layout.RFLAGS]) & mask) != 0) {
            regs.add("rflags 0x" + Long.toHexString(e.regs()[Layout.RFLAGS] & mask) + " vs 0x"
                    + Long.toHexString(a.regs()[Layout.RFLAGS] & mask) + " (compared bits 0x" + Long.toHexString(mask) + ")");
        }
        if (e.simd() != null && a.simd() != null) {
            for (int x = 0; x < 16; x++) {
                if (e.simd()[2 * x] != a.simd()[2 * x] || e.simd()[2 * x + 1] != a.simd()[2 * x + 1]) {
                    regs.add(String.format("xmm%d 0x%016x_%016x vs 0x%016x_%016x", x, e.simd()[2 * x + 1], e.simd()[2 * x],
                            a.simd()[2 * x + 1], a.simd()[2 * x]));
                }
            }
            if (e.simd()[Layout.MXCSR] != a.simd()[Layout.MXCSR]) {
                regs.add("mxcsr 0x" + Long.toHexString(e.simd()[Layout.MXCSR]) + " vs 0x"
                        + Long.toHexString(a.simd()[Layout.MXCSR]));
            }
            String x87 = X87Words.difference(e.simd(), a.simd());
            if (x87 != null) {
                regs.add(x87);
            }
        }
        if (!regs.isEmpty()) {
            return String.join(", ", regs);
        }
        if (e.data() != null && a.data() != null) {
            for (int k = 0; k < e.data().length; k++) {
                if (e.data()[k] != a.data()[k]) {
                    return String.format("data byte at 0x%x: 0x%02x vs 0x%02x", Layout.DATA + k, e.data()[k] & 0xFF,
                            a.data()[k] & 0xFF);
                }
            }
        }
        return null;
    }
}
