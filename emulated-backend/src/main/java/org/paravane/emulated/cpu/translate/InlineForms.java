package org.paravane.emulated.cpu.translate;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;
import org.paravane.emulated.mmu.Mmu;

/**
 * What the translator inlines ({@link InlineOps} and {@link SseOps} emit it), and what an inlined instruction may do:
 * the registers it touches, whether it accesses memory, may fault or stop its block. Questions about decoded
 * instructions only; no bytecode is written here.
 */
final class InlineForms {

    private InlineForms() {
    }

    /**
     * Whether an inlined {@code d} can end its block early: only a memory access can (a store into decoded code, an
     * MMIO access whose exit is pending); an SSE operation between registers can fault (#UD, #NM, #XM) but not stop.
     */
    static boolean mayStop(Decoded d) {
        return accessesMemory(d);
    }

    /** Whether {@code insn} is translated to bytecode (else the block calls its {@code Insn}). */
    static boolean supports(Insn insn) {
        Decoded d = insn.decoded;
        if (SseOps.supports(d, insn)) {
            return true;
        }
        if (d.lock() || d.rep() != 0) {
            return false;
        }
        return switch (d.mnemonic()) {
            case NOP -> true;
            case MOV -> d.op(0) instanceof Operand.Reg r ? wide(r) && (d.op(1) instanceof Operand.Imm
                    || d.op(1) instanceof Operand.Reg s && wide(s) || plainMem(d.op(1)))
                    : plainMem(d.op(0)) && (d.op(1) instanceof Operand.Imm || d.op(1) instanceof Operand.Reg s && low(s));
            case MOVZX, MOVSX, MOVSXD -> d.op(0) instanceof Operand.Reg r && wide(r)
                    && (d.op(1) instanceof Operand.Reg s && low(s) || plainMem(d.op(1)));
            case LEA -> d.op(0) instanceof Operand.Reg r && wide(r);
            case ADD, SUB, AND, OR, XOR, CMP, TEST -> aluForm(d);
            case INC, DEC, NOT -> d.op(0) instanceof Operand.Reg r && wide(r);
            case SHL, SHR, SAR, ROL, ROR -> d.op(0) instanceof Operand.Reg r && wide(r) && d.op(1) instanceof Operand.Imm;
            case IMUL -> d.operandCount() >= 2 && d.op(0) instanceof Operand.Reg r && wide(r)
                    && (d.op(1) instanceof Operand.Reg s && wide(s) || plainMem(d.op(1)));
            case PUSH, POP -> d.op(0) instanceof Operand.Reg r && r.size() == 8;
            case CALL, JMP, JCC -> d.op(0) instanceof Operand.Rel rel && Mmu.canonical(rel.target())
                    && (d.mnemonic() != Mnemonic.CALL || d.opSize() == 8);
            case RET -> d.opSize() == 8;
            default -> false;
        };
    }

    private static boolean aluForm(Decoded d) {
        Operand dst = d.op(0), src = d.op(1);
        boolean srcOk = src instanceof Operand.Imm || src instanceof Operand.Reg s && low(s);
        if (dst instanceof Operand.Reg r) {
            return wide(r) && (srcOk || plainMem(src));
        }
        return (d.mnemonic() == Mnemonic.CMP || d.mnemonic() == Mnemonic.TEST) && plainMem(dst) && srcOk;
    }

    /** A 32- or 64-bit general register. */
    private static boolean wide(Operand.Reg r) {
        return r.size() >= 4;
    }

    /** Any size, but not AH..BH (their byte codes are 16..19). */
    private static boolean low(Operand.Reg r) {
        return r.number() < 16;
    }

    private static boolean plainMem(Operand o) {
        return o instanceof Operand.Mem m && m.size() >= 1 && m.size() <= 8 && Integer.bitCount(m.size()) == 1;
    }

    /** The registers an inlined {@code d} reads or writes, as a mask. */
    static int registers(Decoded d) {
        int mask = 0;
        for (Operand o : d.operands()) {
            switch (o) {
                case Operand.Reg r -> mask |= 1 << r.number();
                case Operand.Mem m -> {
                    if (!m.ripRelative() && m.base() >= 0) {
                        mask |= 1 << m.base();
                    }
                    if (m.index() >= 0) {
                        mask |= 1 << m.index();
                    }
                }
                default -> {
                }
            }
        }
        return switch (d.mnemonic()) {
            case PUSH, POP, CALL, RET -> mask | 1 << Cpu.RSP;
            default -> mask;
        };
    }

    /** Whether an inlined {@code d} loads or stores guest memory. */
    static boolean accessesMemory(Decoded d) {
        return switch (d.mnemonic()) {
            case LEA -> false;
            case PUSH, POP, CALL, RET -> true;
            default -> d.operands().stream().anyMatch(o -> o instanceof Operand.Mem);
        };
    }

    /**
     * Whether an inlined {@code d} can raise a signal or stop the block: a memory access, or any SSE operation (#UD,
     * #NM, #XM even between registers).
     */
    static boolean mayExit(Decoded d) {
        return accessesMemory(d) || SseOps.translates(d.mnemonic());
    }
}
