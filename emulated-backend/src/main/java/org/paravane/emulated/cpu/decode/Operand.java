package org.paravane.emulated.cpu.decode;

/** An operand of a decoded instruction. Sizes are in bytes. */
public sealed interface Operand {

    /**
     * A general register. For size 1, {@code number} is a byte-register code: 0..15 the low byte of a register,
     * 16..19 AH, CH, DH, BH (no REX prefix).
     */
    record Reg(int size, int number) implements Operand {
    }

    /** XMM{@code number}. */
    record Xmm(int number) implements Operand {
    }

    /** MMX register {@code number} (the significand of x87 physical register {@code number}). */
    record Mmx(int number) implements Operand {
    }

    /** A segment register, in {@code org.paravane.emulated.cpu.Cpu} order (ES, CS, SS, DS, FS, GS). */
    record SegReg(int number) implements Operand {
    }

    /** CR{@code number}. */
    record ControlReg(int number) implements Operand {
    }

    /** DR{@code number}. */
    record DebugReg(int number) implements Operand {
    }

    /**
     * A memory operand: {@code segment} override (-1 none, else a segment-register number), base and index register
     * (-1 none), scale (shift 0..3) and displacement. A RIP-relative operand has no base; its address is the next
     * instruction's address plus {@code disp}. {@code addressSize} is 8, or 4 under the 0x67 prefix.
     */
    record Mem(int size, int segment, int base, int index, int scale, long disp, boolean ripRelative,
               int addressSize) implements Operand {
    }

    /** An immediate, already sign- or zero-extended as the instruction uses it; {@code size} is its encoded size. */
    record Imm(int size, long value) implements Operand {
    }

    /** A branch target (absolute). */
    record Rel(long target) implements Operand {
    }
}
