package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_CPU;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_FLAGS;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_LONGS;
import static org.paravane.emulated.cpu.translate.BlockCompiler.IN_CPU;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.MethodTypeDesc;
import org.paravane.emulated.cpu.Cpu;

/**
 * Reads of the flag state a translation holds: in the Cpu's fields, or as the last flag-setting operation in locals
 * with its kind known at translation time (then a Jcc is a plain comparison of the operands or the result).
 */
final class FlagReads {
    private final BlockCompiler bc;
    private final CodeBuilder code;

    FlagReads(BlockCompiler bc, CodeBuilder code) {
        this.bc = bc;
        this.code = code;
    }

    /** Pushes CF (0 or 1, long) of the current flag state. */
    void pushCarry() {
        switch (bc.flagOp) {
            case IN_CPU -> {
                code.aload(BlockCompiler.cpuSlot());
                code.invokevirtual(CD_CPU, "cf", MethodTypeDesc.of(CD_boolean));
                code.i2l();
            }
            case Cpu.F_LOGIC -> code.lconst_0();
            case Cpu.F_ADD, Cpu.F_SUB -> {
                if (bc.flagOp == Cpu.F_ADD) {
                    code.lload(BlockCompiler.slotR());
                    code.lload(BlockCompiler.slotD());
                } else {
                    code.lload(BlockCompiler.slotD());
                    code.lload(BlockCompiler.slotS());
                }
                code.invokestatic(CD_LONGS, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
                code.loadConstant(31);
                code.iushr();
                code.i2l();
            }
            case Cpu.F_INC, Cpu.F_DEC, Cpu.F_RESULT, Cpu.F_EXPLICIT -> {
                code.lload(BlockCompiler.slotAux());
                code.lconst_1();
                code.land();
            }
            default -> {
                pushFlagArgs(bc.flagOp);
                code.invokestatic(CD_FLAGS, "cf", MethodTypeDesc.of(CD_boolean, CD_int, CD_long, CD_long, CD_long,
                        CD_long));
                code.i2l();
            }
        }
    }

    /** Pushes the six arithmetic flags (long, RFLAGS positions) of the current flag state. */
    void pushArith() {
        if (bc.flagOp == IN_CPU) {
            code.aload(BlockCompiler.cpuSlot());
            code.invokevirtual(CD_CPU, "arithFlags", MethodTypeDesc.of(CD_long));
        } else {
            pushFlagArgs(bc.flagOp);
            code.invokestatic(CD_FLAGS, "arith", MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_long,
                    CD_long));
        }
    }

    private void pushFlagArgs(int op) {
        code.loadConstant(op);
        code.lload(BlockCompiler.slotD());
        code.lload(BlockCompiler.slotS());
        code.lload(BlockCompiler.slotR());
        code.lload(BlockCompiler.slotAux());
    }

    /** Jumps to {@code target} when condition {@code cc} holds: a plain comparison for the common kinds. */
    void jumpIf(int cc, Label target) {
        boolean negate = (cc & 1) != 0;
        int c = cc >>> 1;
        int op = bc.flagOp;
        boolean result = op == Cpu.F_ADD || op == Cpu.F_SUB || op == Cpu.F_LOGIC || op == Cpu.F_INC
                || op == Cpu.F_DEC || op == Cpu.F_RESULT;
        if (result && (c == 2 || c == 4)) {                 // ZF, SF: from the result
            code.lload(BlockCompiler.slotR());
            code.lconst_0();
            code.lcmp();
            if (c == 2) {
                branch(negate ? Cmp.NE : Cmp.EQ, target);
            } else {
                branch(negate ? Cmp.GE : Cmp.LT, target);
            }
        } else if (op == Cpu.F_SUB && (c == 1 || c == 3 || c == 6 || c == 7)) {
            code.lload(BlockCompiler.slotD());
            code.lload(BlockCompiler.slotS());
            if (c == 1 || c == 3) {
                code.invokestatic(CD_LONGS, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
            } else {
                code.lcmp();
            }
            boolean strict = c == 1 || c == 6;
            branch(strict ? (negate ? Cmp.GE : Cmp.LT) : (negate ? Cmp.GT : Cmp.LE), target);
        } else if (op == Cpu.F_LOGIC && (c == 3 || c == 6 || c == 7)) {
            code.lload(BlockCompiler.slotR());
            code.lconst_0();
            code.lcmp();
            branch(switch (c) {
                case 3 -> negate ? Cmp.NE : Cmp.EQ;
                case 6 -> negate ? Cmp.GE : Cmp.LT;
                default -> negate ? Cmp.GT : Cmp.LE;
            }, target);
        } else if (c == 1 && (op == Cpu.F_INC || op == Cpu.F_DEC || op == Cpu.F_RESULT || op == Cpu.F_EXPLICIT)) {
            code.lload(BlockCompiler.slotAux());
            code.lconst_1();
            code.land();
            code.l2i();
            branch(negate ? Cmp.EQ : Cmp.NE, target);
        } else if (op == IN_CPU) {
            code.aload(BlockCompiler.cpuSlot());
            code.loadConstant(cc);
            code.invokevirtual(CD_CPU, "cond", MethodTypeDesc.of(CD_boolean, CD_int));
            code.ifne(target);
        } else {
            code.loadConstant(op);
            code.loadConstant(cc);
            code.lload(BlockCompiler.slotD());
            code.lload(BlockCompiler.slotS());
            code.lload(BlockCompiler.slotR());
            code.lload(BlockCompiler.slotAux());
            code.invokestatic(CD_FLAGS, "cond", MethodTypeDesc.of(CD_boolean, CD_int, CD_int, CD_long, CD_long,
                    CD_long, CD_long));
            code.ifne(target);
        }
    }

    private enum Cmp { EQ, NE, LT, GE, GT, LE }

    /** Branches on the int on the stack compared with zero. */
    private void branch(Cmp cmp, Label target) {
        switch (cmp) {
            case EQ -> code.ifeq(target);
            case NE -> code.ifne(target);
            case LT -> code.iflt(target);
            case GE -> code.ifge(target);
            case GT -> code.ifgt(target);
            default -> code.ifle(target);
        }
    }

}
