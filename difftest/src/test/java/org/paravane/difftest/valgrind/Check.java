package org.paravane.difftest.valgrind;

import java.util.ArrayList;
import java.util.List;
import org.paravane.difftest.CpuRecord;
import org.paravane.difftest.Layout;

/** One expectation of a {@code .def} line, checked against the final state a CPU reported. */
sealed interface Check {

    /** Null when {@code end} satisfies it, else what differs. */
    String failure(CpuRecord end);

    /** Where a result is read from the final state. */
    sealed interface Location {
        byte[] read(CpuRecord end);
    }

    record InGpr(Registers.Gpr gpr) implements Location {
        @Override
        public byte[] read(CpuRecord end) {
            return le(gpr.read(end.regs()), gpr.size());
        }

        @Override
        public String toString() {
            return gpr.name();
        }
    }

    record InXmm(int n) implements Location {
        @Override
        public byte[] read(CpuRecord end) {
            byte[] b = new byte[16];
            System.arraycopy(le(end.simd()[2 * n], 8), 0, b, 0, 8);
            System.arraycopy(le(end.simd()[2 * n + 1], 8), 0, b, 8, 8);
            return b;
        }

        @Override
        public String toString() {
            return "xmm" + n;
        }
    }

    /** Bytes of the data area at {@code offset} from {@link Layout#DATA} (memory operands, stored MMX/x87 results). */
    record InData(int offset, int width, String what) implements Location {
        @Override
        public byte[] read(CpuRecord end) {
            return java.util.Arrays.copyOfRange(end.data(), offset, offset + width);
        }

        @Override
        public String toString() {
            return what;
        }
    }

    record InFlags() implements Location {
        @Override
        public byte[] read(CpuRecord end) {
            return le(end.regs()[Layout.RFLAGS], 8);
        }

        @Override
        public String toString() {
            return "rflags";
        }
    }

    /** The listed lanes of a result, compared as {@link Lane#matches} does. */
    record Lanes(String label, Location at, DefLine.Lanes expected) implements Check {
        @Override
        public String failure(CpuRecord end) {
            byte[] v = at.read(end);
            List<String> wrong = new ArrayList<>();
            List<String> values = expected.values();
            for (int i = 0; i < values.size(); i++) {
                if (!expected.lane().matches(v, i, values.get(i))) {
                    wrong.add("[" + i + "] = " + expected.lane().show(v, i) + " (expected " + values.get(i) + ")");
                }
            }
            return wrong.isEmpty() ? null : label + " (" + at + ")." + expected.lane().name().toLowerCase() + " "
                    + String.join(", ", wrong);
        }
    }

    /** {@code (word & mask) == value}: rflags, the x87 control or status word. */
    record Masked(String label, Location at, long mask, long value) implements Check {
        @Override
        public String failure(CpuRecord end) {
            byte[] b = at.read(end);
            long w = 0;
            for (int i = b.length - 1; i >= 0; i--) {
                w = (w << 8) | (b[i] & 0xFF);
            }
            return (w & mask) == value ? null : String.format("%s & 0x%x = 0x%x (expected 0x%x)", label, mask, w & mask,
                    value);
        }
    }

    private static byte[] le(long v, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }
}
