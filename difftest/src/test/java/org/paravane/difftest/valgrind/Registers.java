package org.paravane.difftest.valgrind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The registers {@code gen_insn_test.pl} hands out, in its order, and the general register names it knows: where each
 * lives in the 18-word register array of a test case ({@link org.paravane.difftest.Layout#NAMES} order).
 */
final class Registers {
    private Registers() {
    }

    /** A general register name: register index, bit offset (8 for AH-DH) and size in bytes. */
    record Gpr(String name, int index, int shift, int size) {
        long read(long[] regs) {
            long v = regs[index] >>> shift;
            return size == 8 ? v : v & ((1L << (8 * size)) - 1);
        }

        /** As the generator's MOVB/MOVW/MOVL/MOVQ writes it: 8/16-bit writes merge, 32-bit writes zero-extend. */
        void write(long[] regs, long value) {
            regs[index] = switch (size) {
                case 8 -> value;
                case 4 -> value & 0xFFFF_FFFFL;
                default -> {
                    long mask = ((1L << (8 * size)) - 1) << shift;
                    yield (regs[index] & ~mask) | ((value << shift) & mask);
                }
            };
        }
    }

    private static final Map<String, Gpr> GPRS;

    static {
        java.util.HashMap<String, Gpr> m = new java.util.HashMap<>();
        String[][] legacy = {{"al", "ax", "eax", "rax"}, {"cl", "cx", "ecx", "rcx"}, {"dl", "dx", "edx", "rdx"},
                {"bl", "bx", "ebx", "rbx"}};
        for (int i = 0; i < 4; i++) {
            for (int s = 0; s < 4; s++) {
                m.put(legacy[i][s], new Gpr(legacy[i][s], i, 0, 1 << s));
            }
            String high = legacy[i][0].charAt(0) + "h";
            m.put(high, new Gpr(high, i, 8, 1));
        }
        for (int n = 8; n < 16; n++) {
            m.put("r" + n + "b", new Gpr("r" + n + "b", n, 0, 1));
            m.put("r" + n + "w", new Gpr("r" + n + "w", n, 0, 2));
            m.put("r" + n + "d", new Gpr("r" + n + "d", n, 0, 4));
            m.put("r" + n, new Gpr("r" + n, n, 0, 8));
        }
        GPRS = Map.copyOf(m);
    }

    static Gpr gpr(String name) {
        Gpr g = GPRS.get(name);
        if (g == null) {
            throw new IllegalArgumentException("unknown general register " + name);
        }
        return g;
    }

    /** al..rdx (the names the .def files may use), not r8..r64 (operand types). */
    static boolean isNamed(String token) {
        return token.matches("[abcd][lh]|[abcd]x|e[abcd]x|r[abcd]x");
    }

    /** Operand size in bytes of r8/r16/r32/r64/m8/.../m128, mm and xmm. */
    static int width(String type) {
        return switch (type) {
            case "r8", "m8" -> 1;
            case "r16", "m16" -> 2;
            case "r32", "m32" -> 4;
            case "r64", "m64", "mm" -> 8;
            case "xmm", "m128" -> 16;
            default -> throw new IllegalArgumentException("no width for " + type);
        };
    }

    /**
     * The generator's pools: general register slots (r9-r12, rax-rdx, then ah-dh with only a byte name), MMX registers
     * mm6, mm7, mm0-mm5, XMM registers xmm12, xmm13, xmm8-xmm11, xmm14, xmm15. A named register takes its slot out of
     * the pool; memory operands use up a slot of the pool of their size class (m8-m32: general, m64: MMX, m128: XMM), as
     * the generator's allocation does.
     */
    static final class Pool {
        private final List<String[]> ints = new ArrayList<>(List.of(
                new String[] {"r9b", "r9w", "r9d", "r9"}, new String[] {"r10b", "r10w", "r10d", "r10"},
                new String[] {"r11b", "r11w", "r11d", "r11"}, new String[] {"r12b", "r12w", "r12d", "r12"},
                new String[] {"al", "ax", "eax", "rax"}, new String[] {"bl", "bx", "ebx", "rbx"},
                new String[] {"cl", "cx", "ecx", "rcx"}, new String[] {"dl", "dx", "edx", "rdx"},
                new String[] {"ah"}, new String[] {"bh"}, new String[] {"ch"}, new String[] {"dh"}));
        private final List<Integer> mms = new ArrayList<>(List.of(6, 7, 0, 1, 2, 3, 4, 5));
        private final List<Integer> xmms = new ArrayList<>(List.of(12, 13, 8, 9, 10, 11, 14, 15));

        /** Takes a named register's slot; false when another operand has it. */
        boolean claim(String name) {
            for (int i = 0; i < ints.size(); i++) {
                String[] slot = ints.get(i);
                if (slot != null && Arrays.asList(slot).contains(name)) {
                    ints.set(i, null);
                    return true;
                }
            }
            return false;
        }

        /** The next general slot's register of this type (null for m8-m32, which only use the slot up). */
        String nextInt(String type) {
            while (!ints.isEmpty()) {
                String[] slot = ints.removeFirst();
                if (slot != null) {
                    int s = switch (type) {
                        case "r8", "m8" -> 0;
                        case "r16", "m16" -> 1;
                        case "r32", "m32" -> 2;
                        default -> 3;
                    };
                    if (type.startsWith("m")) {
                        return null;
                    }
                    if (s >= slot.length) {
                        throw new IllegalArgumentException("the generator would give a " + type + " operand " + slot[0]);
                    }
                    return slot[s];
                }
            }
            throw new IllegalArgumentException("out of general registers");
        }

        int nextMm() {
            return mms.removeFirst();
        }

        int nextXmm() {
            return xmms.removeFirst();
        }
    }
}
