package org.paravane.difftest.valgrind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.difftest.CpuRecord;
import org.paravane.difftest.Layout;

/** Lines of the .def files laid out as Valgrind's generator lays them out, and checked as its C tests check them. */
class DefCaseTest {

    private static DefCase layout(String text) {
        return DefCase.of(DefLine.parse("test.def", 7, text));
    }

    @Test
    void namedRegistersAreTakenOutOfThePoolAndFlagsPresetAsWritten() {
        DefCase c = layout("adcb rflags[0x1,0x1] : imm8[12] al.ub[34] => 1.ub[47]");
        assertThat(c.code()).containsExactly("adcb $12, %al");
        assertThat(c.regs()[0] & 0xFF).isEqualTo(34);
        assertThat(c.regs()[0] >>> 8).as("a byte write keeps the rest of RAX").isNotZero();
        assertThat(c.regs()[Layout.RFLAGS] & 1).isEqualTo(1);
    }

    @Test
    void typedOperandsTakeTheGeneratorsRegistersInOrder() {
        assertThat(layout("xchgb r8.ub[12] r8.ub[34] => 0.ub[34] 1.ub[12]").code()).containsExactly("xchgb %r9b, %r10b");
        // m128 uses up xmm12, so the register operand is xmm13; memory operands sit at r15 + 0x100.
        DefCase c = layout("addpd m128.pd[1234.5678,8765.4321] xmm.pd[2222.2222,1111.1111] => 1.pd[3456.79,9876.5432]");
        assertThat(c.code()).containsExactly("addpd 0x100(%r15), %xmm13");
        assertThat(c.simd()[26]).isEqualTo(Double.doubleToRawLongBits(2222.2222));
        assertThat(c.simd()[27]).isEqualTo(Double.doubleToRawLongBits(1111.1111));
        // A 32-bit operand is written as MOVL writes it: zero-extended.
        assertThat(layout("bswapl r32.ud[0x12345678] => 0.ud[0x78563412]").regs()[9]).isEqualTo(0x12345678L);
    }

    @Test
    void flagsStartOppositeToTheExpectedResultWhenNotPreset() {
        DefCase c = layout("cmpb imm8[12] al.ub[12] => rflags[0x40,0x40]");
        assertThat(c.regs()[Layout.RFLAGS] & 0x40).as("ZF starts clear").isZero();
    }

    @Test
    void x87OperandsAreLoadedDeepestFirstAndStoredPopping() {
        DefCase c = layout("fld st2.ps[1234.5678] => st0.ps[1234.5678] st3.ps[1234.5678]");
        assertThat(c.code()).containsExactly("flds 0x100(%r15)", "fldz", "fldz", "fld %st(2)", "fstps 0x200(%r15)",
                "fincstp", "fincstp", "fstps 0x210(%r15)");
        assertThat(c.at()).isEqualTo(3);
    }

    @Test
    void mmxOperandsGoThroughMemory() {
        DefCase c = layout("paddb mm.ub[1,2,3,4,5,6,7,8] mm.ub[8,7,6,5,4,3,2,1] => 1.ub[9,9,9,9,9,9,9,9]");
        assertThat(c.code()).containsExactly("movq 0x100(%r15), %mm6", "movq 0x110(%r15), %mm7", "paddb %mm6, %mm7",
                "movq %mm7, 0x200(%r15)");
        assertThat(c.line().usesMmx()).isTrue();
    }

    @Test
    void resultsAreCheckedAsValgrindsTestsCheckThem() {
        DefCase c = layout("addss xmm.ps[1.5,0.0] xmm.ps[2.0,7.0] => 1.ps[3.5009,7.0]");
        long[] simd = Layout.resetSimd();
        simd[26] = Float.floatToRawIntBits(3.5f) & 0xFFFF_FFFFL | (long) Float.floatToRawIntBits(7.0f) << 32;
        CpuRecord end = new CpuRecord(CpuRecord.Kind.END, new long[18], -1, 0, 0, new byte[Layout.DATA_SIZE], "", simd);
        assertThat(c.checks()).allMatch(k -> k.failure(end) == null);
        simd[26] = Float.floatToRawIntBits(3.51f) & 0xFFFF_FFFFL | (long) Float.floatToRawIntBits(7.0f) << 32;
        assertThat(c.checks().getFirst().failure(end)).contains("result 1 (xmm13).ps [0] = 3.51");
    }

    @Test
    void undefinedFlagsFollowTheCount() {
        assertThat(UndefinedFlags.after(DefLine.parse("t", 1, "shll imm8[1] r32.ud[1] => 1.ud[2]"))).isEqualTo(UndefinedFlags.AF);
        assertThat(UndefinedFlags.after(DefLine.parse("t", 1, "shll imm8[3] r32.ud[1] => 1.ud[8]")))
                .isEqualTo(UndefinedFlags.AF | UndefinedFlags.OF);
        assertThat(UndefinedFlags.after(DefLine.parse("t", 1, "rolb r8.ub[1] => 0.ub[2]"))).isZero();
        assertThat(UndefinedFlags.after(DefLine.parse("t", 1, "addl imm8[1] r32.ud[1] => 1.ud[2]"))).isZero();
    }

    @Test
    void aBadLineNamesItsFileAndLine() {
        assertThatThrownBy(() -> DefLine.parse("insn_x.def", 12, "addb bogus[1] r8.ub[2] => 1.ub[3]"))
                .hasMessageContaining("insn_x.def:12").hasMessageContaining("bogus[1]");
        assertThatThrownBy(() -> layout("addb r8.ub[1] r8.ub[2] => 5.ub[3]")).hasMessageContaining("argument 5 of 2");
        assertThat(DefLine.parseAll("f", "# comment\n\nsfence\n###clc => rflags[0x1,0x0]\n### a note\n"))
                .extracting(l -> l.mnemonic() + " " + l.disabled()).isEqualTo(List.of("sfence false", "clc true"));
    }

    /** An exclusion that names no line (a typo, or a line Valgrind dropped) would hide nothing and never go stale. */
    @Test
    void everyExclusionCoversALineOfTheFiles() {
        List<DefLine> all = DefSuite.FILES.stream().flatMap(f -> DefSuite.parse(f).stream()).toList();
        assertThat(all).hasSize(2849);
        assertThat(ValgrindInsnTest.EXCLUDED).allSatisfy(e -> assertThat(all).as(e.toString()).anyMatch(e::covers));
        assertThat(all).as("every line lays out").allSatisfy(DefCase::of);
    }
}
