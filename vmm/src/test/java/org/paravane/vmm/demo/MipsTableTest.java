package org.paravane.vmm.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MIPS table's columns, best rounds, borrowed instruction counts and slowdowns, from given runs. */
class MipsTableTest {

    /** One round of the five kernels: each took {@code millis}, retired {@code instructions} (-1: not counted). */
    private static List<CpuKernels.Run> round(long millis, long instructions) {
        List<CpuKernels.Run> r = new ArrayList<>();
        for (String[] k : CpuKernels.KERNELS) {
            r.add(new CpuKernels.Run(k[0], millis * 1_000_000, instructions, 0));
        }
        return r;
    }

    @Test
    void theSoftwareCpuIsTwoColumnsOfVmsThatInterpretAndTranslateByTheirOwnOption() {
        var columns = MipsTable.columns(List.of("kvm", "emulated"));
        assertThat(columns).extracting(MipsTable.Column::name).containsExactly("kvm", "interpreter", "translator");
        assertThat(columns).extracting(MipsTable.Column::options).containsExactly(Map.of(),
                Map.of("emulated.translation", "false"), Map.of("emulated.translation", "true"));
        assertThat(columns).extracting(MipsTable.Column::scale).containsExactly(MipsTable.FAST_SCALE, 1,
                MipsTable.FAST_SCALE);
    }

    @Test
    void eachColumnShowsItsBestRoundAndKvmBorrowsTheTranslatorsCounts() {
        var columns = MipsTable.columns(List.of("kvm", "emulated"));
        // kvm: 10x the work (as the translator) in 1 ms; interpreter: 10 M instructions in 500 then 250 ms;
        // translator: 100 M in 1000 (cold) then 100 ms
        String table = MipsTable.table(columns, List.of(List.of(round(1, -1), round(1, -1)),
                List.of(round(500, 10_000_000), round(250, 10_000_000)),
                List.of(round(1000, 100_000_000), round(100, 100_000_000))));
        assertThat(table).contains("kvm", "interpreter", "translator", "(1st run)", "transl/interp",
                "interpreter vs kvm", "translator vs kvm");
        // M instr 10.0 (the interpreter's work), kvm 100000 MIPS, interpreter 40, translator 1000 (first 100),
        // translator 25x the interpreter, slowdowns 2500x and 100x
        assertThat(table).containsPattern("cpu_alu +10\\.0 +100000\\.0 +40\\.0 +1000\\.0 +\\(100\\.0\\) +25\\.0x +2500\\.0x +100\\.0x");
    }
}
