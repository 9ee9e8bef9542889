package org.paravane.vmm.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.paravane.vmm.manager.VmManager;

/**
 * Guest MIPS on the CPU-bound kernels, one column per way of running them: natively (KVM) and on the software CPU
 * interpreting and translating, side by side in one run. The columns alternate over the rounds and each shows its
 * best round; the translator's first round (the JVM and the translator cold) is shown next to it as its warm-up.
 * The translator and hardware run each kernel {@value #FAST_SCALE} times as long as the interpreter does, so that
 * translating a block (milliseconds) is not most of the run; hardware columns borrow the translator's instruction
 * counts.
 */
final class MipsTable {

    static final int FAST_SCALE = 10;

    /** The software CPU's option that makes a VM interpret or translate, whatever the backend's configuration says. */
    static final String TRANSLATION = "emulated.translation";

    /**
     * One column: a backend, the backend options of its VMs (for the software CPU, whether they translate), and how
     * many times its kernels' base work it runs.
     */
    record Column(String name, String backend, Map<String, String> options, int scale) {
        Column {
            options = Map.copyOf(options);
        }
    }

    private MipsTable() {
    }

    /** The columns for these backends: the software CPU twice, its VMs interpreting and translating. */
    static List<Column> columns(List<String> backends) {
        List<Column> columns = new ArrayList<>();
        for (String b : backends) {
            if (b.equals("emulated")) {
                columns.add(new Column("interpreter", b, Map.of(TRANSLATION, "false"), 1));
                columns.add(new Column("translator", b, Map.of(TRANSLATION, "true"), FAST_SCALE));
            } else {
                columns.add(new Column(b, b, Map.of(), FAST_SCALE));
            }
        }
        return columns;
    }

    static String run(VmManager manager, List<Column> columns, int rounds) throws Exception {
        List<List<List<CpuKernels.Run>>> runs = new ArrayList<>();   // [column][round][kernel]
        columns.forEach(c -> runs.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int c = 0; c < columns.size(); c++) {
                Column col = columns.get(c);
                runs.get(c).add(CpuKernels.run(manager, col.backend(), col.options(), col.scale()));
            }
        }
        return table(columns, runs);
    }

    /** The table of these runs ({@code runs[column][round][kernel]}). */
    static String table(List<Column> columns, List<List<List<CpuKernels.Run>>> runs) {
        int kernels = CpuKernels.KERNELS.size(), rounds = runs.getFirst().size();
        long[][] instructions = new long[columns.size()][kernels];   // a column's own count, or one of its scale
        double[][] best = new double[columns.size()][kernels], first = new double[columns.size()][kernels];
        for (int c = 0; c < columns.size(); c++) {
            for (int k = 0; k < kernels; k++) {
                instructions[c][k] = counted(columns, runs, c, k);
                best[c][k] = Double.NaN;
                for (List<CpuKernels.Run> round : runs.get(c)) {
                    double m = mips(instructions[c][k], round.get(k));
                    best[c][k] = Double.isNaN(best[c][k]) ? m : Math.max(best[c][k], m);
                }
                first[c][k] = mips(instructions[c][k], runs.get(c).getFirst().get(k));
            }
        }
        return format(columns, rounds, instructions, best, first);
    }

    /** Instructions of kernel {@code k} in column {@code c}: counted there, or by a column running as much work. */
    private static long counted(List<Column> columns, List<List<List<CpuKernels.Run>>> runs, int c, int k) {
        for (int o = 0; o < columns.size(); o++) {
            int other = (c + o) % columns.size();
            if (columns.get(other).scale() == columns.get(c).scale()) {
                long n = runs.get(other).getFirst().get(k).instructions();
                if (n > 0) {
                    return n;
                }
            }
        }
        return -1;
    }

    private static double mips(long instructions, CpuKernels.Run r) {
        return instructions <= 0 ? Double.NaN : instructions / (r.nanos() / 1e3);
    }

    private static String format(List<Column> columns, int rounds, long[][] instructions, double[][] best, double[][] first) {
        int interp = index(columns, "interpreter"), transl = index(columns, "translator"), kvm = index(columns, "kvm");
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "  %-10s %9s", "kernel", "M instr"));   // of the base work
        for (Column c : columns) {
            b.append(String.format(Locale.ROOT, " %11s", c.name()));
            if (c.name().equals("translator") && rounds > 1) {
                b.append(String.format(Locale.ROOT, " %9s", "(1st run)"));
            }
        }
        if (interp >= 0 && transl >= 0) {
            b.append(String.format(Locale.ROOT, " %13s", "transl/interp"));
        }
        if (kvm >= 0) {
            for (Column c : columns) {
                if (c.backend().equals("emulated")) {
                    b.append(String.format(Locale.ROOT, " %15s", c.name() + " vs kvm"));
                }
            }
        }
        b.append(String.format(Locale.ROOT, "%n"));
        for (int k = 0; k < CpuKernels.KERNELS.size(); k++) {
            b.append(String.format(Locale.ROOT, "  %-10s %9.1f", CpuKernels.KERNELS.get(k)[0], base(columns, instructions, k) / 1e6));
            for (int c = 0; c < columns.size(); c++) {
                b.append(String.format(Locale.ROOT, " %11.1f", best[c][k]));
                if (columns.get(c).name().equals("translator") && rounds > 1) {
                    b.append(String.format(Locale.ROOT, " %9s", String.format(Locale.ROOT, "(%.1f)", first[c][k])));
                }
            }
            if (interp >= 0 && transl >= 0) {
                b.append(String.format(Locale.ROOT, " %12.1fx", best[transl][k] / best[interp][k]));
            }
            if (kvm >= 0) {
                for (int c = 0; c < columns.size(); c++) {
                    if (columns.get(c).backend().equals("emulated")) {
                        b.append(String.format(Locale.ROOT, " %14.1fx", best[kvm][k] / best[c][k]));
                    }
                }
            }
            b.append(String.format(Locale.ROOT, "%n"));
        }
        b.append(String.format(Locale.ROOT, "  MIPS, best of %d alternating rounds (1st run: the translator's first, cold);"
                + " M instr: the interpreter's work, %dx as much for the others; slowdowns: native (KVM) MIPS over the"
                + " software CPU's%n", rounds, FAST_SCALE));
        b.append(String.format(Locale.ROOT, "  reference on this machine: Bochs 2.7 24-50 MIPS, Blink -j 31-38 MIPS,"
                + " QEMU TCG 480-4685 MIPS%n"));
        return b.toString();
    }

    /** The kernel's instructions at scale 1, from any column that counted them. */
    private static double base(List<Column> columns, long[][] instructions, int k) {
        for (int c = 0; c < columns.size(); c++) {
            if (instructions[c][k] > 0) {
                return instructions[c][k] / (double) columns.get(c).scale();
            }
        }
        return Double.NaN;
    }

    private static int index(List<Column> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
