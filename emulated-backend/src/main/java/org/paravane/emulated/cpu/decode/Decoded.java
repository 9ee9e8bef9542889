package org.paravane.emulated.cpu.decode;

import java.util.List;

/**
 * One decoded instruction: what it does, its operands in Intel order (destination first), sizes and prefixes.
 * The interpreter binds it to an executable form; a block translator would read the same description.
 *
 * @param mnemonic    the operation
 * @param rip         the instruction's address
 * @param length      its length in bytes
 * @param opSize      effective operand size in bytes (1, 2, 4 or 8)
 * @param addressSize 8, or 4 under the address-size prefix
 * @param cond        the condition of Jcc/SETcc/CMOVcc, the cycle count of string repeats (see {@link #rep})
 * @param rep         0, or {@link #REP} (F3: REP/REPE) or {@link #REPNE} (F2) on a string instruction
 * @param lock        the LOCK prefix (only where it is valid)
 * @param segment     segment override (-1 none): FS and GS change the address, the others are ignored in 64-bit mode
 * @param operands    the operands
 */
public record Decoded(Mnemonic mnemonic, long rip, int length, int opSize, int addressSize, int cond, int rep,
                      boolean lock, int segment, List<Operand> operands) {

    public static final int REP = 1, REPNE = 2;
    public static final String[] CONDITIONS = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l",
            "ge", "le", "g"};

    public Operand op(int i) {
        return operands.get(i);
    }

    public int operandCount() {
        return operands.size();
    }

    public long next() {
        return rip + length;
    }

    /** The address a RIP-relative operand refers to. */
    public long ripRelative(Operand.Mem m) {
        long a = next() + m.disp();
        return m.addressSize() == 4 ? a & 0xFFFF_FFFFL : a;
    }

    /** Whether executing it raises #UD here. */
    public boolean invalid() {
        return mnemonic == Mnemonic.UD || mnemonic == Mnemonic.UNSUPPORTED || mnemonic == Mnemonic.X87;
    }

    /** Intel-syntax text, for messages and traces. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (lock) {
            b.append("lock ");
        }
        if (rep == REP) {
            b.append(mnemonic == Mnemonic.CMPS || mnemonic == Mnemonic.SCAS ? "repe " : "rep ");
        } else if (rep == REPNE) {
            b.append("repne ");
        }
        String name = switch (mnemonic) {
            case JCC -> "j" + CONDITIONS[cond];
            case SETCC -> "set" + CONDITIONS[cond];
            case CMOVCC -> "cmov" + CONDITIONS[cond];
            default -> mnemonic.text();
        };
        b.append(name);
        for (int i = 0; i < operands.size(); i++) {
            b.append(i == 0 ? " " : ", ").append(text(operands.get(i)));
        }
        return b.toString();
    }

    private static final String[] Q = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "r12", "r13", "r14", "r15"};
    private static final String[] D = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d",
            "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final String[] W = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w",
            "r12w", "r13w", "r14w", "r15w"};
    private static final String[] B = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b",
            "r12b", "r13b", "r14b", "r15b", "ah", "ch", "dh", "bh"};
    private static final String[] S = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};

    public static String registerName(int size, int number) {
        return switch (size) {
            case 1 -> B[number];
            case 2 -> W[number];
            case 4 -> D[number];
            default -> Q[number];
        };
    }

    private String text(Operand o) {
        return switch (o) {
            case Operand.Reg r -> registerName(r.size(), r.number());
            case Operand.Xmm x -> "xmm" + x.number();
            case Operand.Mmx x -> "mm" + x.number();
            case Operand.SegReg s -> S[s.number()];
            case Operand.ControlReg c -> "cr" + c.number();
            case Operand.DebugReg d -> "dr" + d.number();
            case Operand.Imm i -> "0x" + Long.toHexString(i.value());
            case Operand.Rel r -> "0x" + Long.toHexString(r.target());
            case Operand.Mem m -> {
                StringBuilder b = new StringBuilder();
                b.append(switch (m.size()) {
                    case 1 -> "byte ptr ";
                    case 2 -> "word ptr ";
                    case 4 -> "dword ptr ";
                    case 8 -> "qword ptr ";
                    case 10 -> "tbyte ptr ";
                    case 16 -> "xmmword ptr ";
                    default -> "";
                });
                if (m.segment() >= 0) {
                    b.append(S[m.segment()]).append(':');
                }
                b.append('[');
                String[] names = m.addressSize() == 4 ? D : Q;
                boolean first = true;
                if (m.ripRelative()) {
                    b.append(m.addressSize() == 4 ? "eip" : "rip");
                    first = false;
                }
                if (m.base() >= 0) {
                    b.append(names[m.base()]);
                    first = false;
                }
                if (m.index() >= 0) {
                    b.append(first ? "" : " + ").append(names[m.index()]).append('*').append(1 << m.scale());
                    first = false;
                }
                if (m.disp() != 0 || first) {
                    b.append(first ? "" : m.disp() < 0 ? " - " : " + ")
                            .append("0x").append(Long.toHexString(first || m.disp() >= 0 ? m.disp() : -m.disp()));
                }
                yield b.append(']').toString();
            }
        };
    }
}
