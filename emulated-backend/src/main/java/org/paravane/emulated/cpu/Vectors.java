package org.paravane.emulated.cpu;

/** Exception vectors and their classes for the double-fault rules (SDM Vol. 3A, Table 6-5). */
public final class Vectors {
    private Vectors() {
    }

    public static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
            SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;

    /** Vectors for which the CPU pushes an error code. */
    public static boolean hasErrorCode(int vector) {
        return switch (vector) {
            case DF, TS, NP, SS, GP, PF, AC, 21, 29, 30 -> true;
            default -> false;
        };
    }

    /** #DE, #TS, #NP, #SS, #GP: two of these in a row make a double fault. */
    public static boolean contributory(int vector) {
        return vector == DE || vector == TS || vector == NP || vector == SS || vector == GP;
    }

    /**
     * Whether raising {@code second} while delivering {@code first} is a double fault instead of a serial delivery of
     * {@code second}.
     */
    public static boolean doubleFault(int first, int second) {
        return (contributory(first) && contributory(second)) || (first == PF && (second == PF || contributory(second)));
    }

    public static String name(int vector) {
        return switch (vector) {
            case DE -> "#DE"; case DB -> "#DB"; case NMI -> "NMI"; case BP -> "#BP"; case OF -> "#OF"; case BR -> "#BR";
            case UD -> "#UD"; case NM -> "#NM"; case DF -> "#DF"; case TS -> "#TS"; case NP -> "#NP"; case SS -> "#SS";
            case GP -> "#GP"; case PF -> "#PF"; case MF -> "#MF"; case AC -> "#AC"; case MC -> "#MC"; case XM -> "#XM";
            default -> "vector " + vector;
        };
    }
}
