package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_CPU;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_HELPERS;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.MethodTypeDesc;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * The instructions translated to bytecode rather than called ({@link InlineForms} says which): the integer moves, ALU
 * operations, INC/DEC/NOT, shifts and rotates by an immediate, IMUL, PUSH/POP, CALL/RET/JMP/Jcc, on 32- and 64-bit
 * registers and on memory through the Cpu's TLB fast paths. Each reads everything that can raise a signal before it
 * changes a local, so the handler of the instruction sees the state before it. The semantics are those of the
 * interpreter's {@code exec} families.
 */
final class InlineOps {
    private static final int CPU = BlockCompiler.cpuSlot();
    private static final long MASK32 = 0xFFFF_FFFFL;

    private final BlockCompiler bc;
    private final CodeBuilder code;
    private final MemoryAccess memory;
    private final SseOps sse;

    /** {@code inlineProbes}: loads and stores probe the TLB in bytecode, else call the Cpu's accessors. */
    InlineOps(BlockCompiler bc, CodeBuilder code, boolean inlineProbes) {
        this.bc = bc;
        this.code = code;
        this.memory = new MemoryAccess(code, CPU, inlineProbes);
        this.sse = new SseOps(bc, code, memory, (m, d) -> ea(m, d, true), new SseOps.Gprs() {
            @Override
            public void load(int size, int r) {
                loadReg(size, r);
            }

            @Override
            public void store(int size, int r) {
                storeReg(size, r);
            }
        });
    }

    /** At the translation's entry: the locals the inlined instructions of {@code insns} ({@code inline}) rely on. */
    void prologue(Insn[] insns, boolean[] inline) {
        boolean loads = false, xmm = false;
        for (int i = 0; i < inline.length; i++) {
            if (inline[i]) {
                loads |= InlineForms.accessesMemory(insns[i].decoded);
                xmm |= SseOps.supports(insns[i].decoded, insns[i]);
            }
        }
        if (loads) {
            memory.prologue();
        }
        if (xmm) {
            sse.prologue();
        }
    }

    // ---- emission -----------------------------------------------------------------------------------------------

    /** Emits {@code d}; returns whether it can raise a signal or stop the block (a store). */
    boolean emit(Decoded d, Insn insn) {
        return switch (d.mnemonic()) {
            case NOP -> false;
            case MOV -> mov(d);
            case MOVZX, MOVSX, MOVSXD -> extend(d);
            case LEA -> {
                ea((Operand.Mem) d.op(1), d, false);
                storeReg(d.opSize(), reg(d.op(0)));
                yield false;
            }
            case ADD -> alu(d, 0);
            case OR -> alu(d, 1);
            case AND -> alu(d, 4);
            case SUB -> alu(d, 5);
            case XOR -> alu(d, 6);
            case CMP -> alu(d, 7);
            case TEST -> alu(d, 8);
            case INC, DEC -> incDec(d);
            case NOT -> {
                loadReg(d.opSize(), reg(d.op(0)));
                code.loadConstant(-1L);
                code.lxor();
                storeReg(d.opSize(), reg(d.op(0)));
                yield false;
            }
            case SHL, SHR, SAR, ROL, ROR -> shift(d);
            case IMUL -> imul(d);
            case PUSH -> push(reg(d.op(0)));
            case POP -> pop(reg(d.op(0)));
            case CALL -> call(insn.next, ((Operand.Rel) d.op(0)).target());
            case RET -> ret(d.operandCount() == 0 ? 0 : (int) ((Operand.Imm) d.op(0)).value() & 0xFFFF);
            case JMP -> {
                setRip(((Operand.Rel) d.op(0)).target());
                yield false;
            }
            case JCC -> {
                Label skip = code.newLabel();
                bc.jumpIf(d.cond() ^ 1, skip);
                setRip(((Operand.Rel) d.op(0)).target());
                code.labelBinding(skip);
                yield false;
            }
            default -> sse.emit(d, insn);
        };
    }

    private boolean mov(Decoded d) {
        if (d.op(0) instanceof Operand.Reg r) {
            int size = r.size();
            boolean mem = value(size, d.op(1), d, false);
            storeReg(size, r.number());
            return mem;
        }
        Operand.Mem m = (Operand.Mem) d.op(0);
        ea(m, d, true);
        value(m.size(), d.op(1), d, false);
        memory.write(m.size(), false);
        return true;
    }

    private boolean extend(Decoded d) {
        Operand src = d.op(1);
        int from = src instanceof Operand.Reg s ? s.size() : ((Operand.Mem) src).size();
        value(from, src, d, false);
        if (d.mnemonic() != Mnemonic.MOVZX) {
            sx(from);
        }
        storeReg(d.opSize(), reg(d.op(0)));
        return src instanceof Operand.Mem;
    }

    /** ALU operation {@code op} (the interpreter's numbering: 0 ADD, 1 OR, 4 AND, 5 SUB, 6 XOR, 7 CMP, 8 TEST). */
    private boolean alu(Decoded d, int op) {
        int size = d.op(0) instanceof Operand.Reg r ? r.size() : ((Operand.Mem) d.op(0)).size();
        Operand dst = d.op(0);
        boolean flags = bc.flagsLive(Cpu.ARITH);
        if (!flags && op >= 7) {
            return false;                                   // a CMP/TEST no one reads (a memory operand would be an exit)
        }
        boolean mem = value(size, d.op(1), d, true);
        code.lstore(BlockCompiler.temp(0));
        if (dst instanceof Operand.Reg r) {
            loadReg(size, r.number());
            sx(size);
        } else {
            value(size, dst, d, true);
            mem = true;
        }
        boolean logic = op == 1 || op == 4 || op == 6 || op == 8;
        if (!logic && flags) {
            code.lstore(BlockCompiler.slotD());
            code.lload(BlockCompiler.temp(0));
            code.lstore(BlockCompiler.slotS());
            code.lload(BlockCompiler.slotD());
        }
        code.lload(BlockCompiler.temp(0));
        switch (op) {
            case 0 -> code.ladd();
            case 1 -> code.lor();
            case 4, 8 -> code.land();
            case 6 -> code.lxor();
            default -> code.lsub();
        }
        if (!flags) {
            sx(size);
            storeReg(size, reg(dst));
            return mem;
        }
        result(logic ? Cpu.F_LOGIC : op == 0 ? Cpu.F_ADD : Cpu.F_SUB, size, op < 7 ? reg(dst) : -1);
        return mem;
    }

    private boolean incDec(Decoded d) {
        int size = d.opSize(), r = reg(d.op(0));
        if (!bc.flagsLive(FlagLiveness.defines(d))) {      // the flags before stay: CF may still be read
            loadReg(size, r);
            code.lconst_1();
            if (d.mnemonic() == Mnemonic.INC) {
                code.ladd();
            } else {
                code.lsub();
            }
            storeReg(size, r);
            return false;
        }
        if (bc.flagsLive(Cpu.CF)) {
            bc.pushCarry();
        } else {
            code.lconst_0();
        }
        code.lstore(BlockCompiler.slotAux());
        loadReg(size, r);
        sx(size);
        code.lstore(BlockCompiler.slotD());
        code.lconst_1();
        code.lstore(BlockCompiler.slotS());
        code.lload(BlockCompiler.slotD());
        code.lconst_1();
        if (d.mnemonic() == Mnemonic.INC) {
            code.ladd();
        } else {
            code.lsub();
        }
        result(d.mnemonic() == Mnemonic.INC ? Cpu.F_INC : Cpu.F_DEC, size, r);
        return false;
    }

    private boolean shift(Decoded d) {
        int size = d.opSize(), bits = size * 8, r = reg(d.op(0));
        int k = (int) ((Operand.Imm) d.op(1)).value() & (size == 8 ? 0x3F : 0x1F);
        if (k == 0) {                                       // flags unchanged; a 32-bit register is still written
            if (size == 4) {
                loadReg(4, r);
                storeReg(4, r);
            }
            return false;
        }
        int t = BlockCompiler.temp(1), res = BlockCompiler.temp(2);
        loadReg(size, r);
        code.lstore(t);
        Mnemonic m = d.mnemonic();
        if (m == Mnemonic.ROL || m == Mnemonic.ROR) {
            code.lload(t);
            if (size == 8) {
                code.loadConstant(k);
                code.invokestatic(java.lang.constant.ConstantDescs.CD_Long, m == Mnemonic.ROL ? "rotateLeft"
                        : "rotateRight", MethodTypeDesc.of(CD_long, CD_long, CD_int));
            } else {
                code.l2i();
                code.loadConstant(k);
                code.invokestatic(java.lang.constant.ConstantDescs.CD_Integer, m == Mnemonic.ROL ? "rotateLeft"
                        : "rotateRight", MethodTypeDesc.of(CD_int, CD_int, CD_int));
                code.i2l();
                code.loadConstant(MASK32);
                code.land();
            }
            code.lstore(res);
            if (!bc.flagsLive(Cpu.CF | Cpu.OF)) {
                code.lload(res);
                storeReg(size, r);
                return false;
            }
            boolean passed = bc.flagsLive(Cpu.ARITH & ~(Cpu.CF | Cpu.OF));
            if (passed) {
                bc.pushArith();                             // SF, ZF, AF, PF pass through
            }
            code.lload(res);
            code.loadConstant(bits);
            code.loadConstant(m == Mnemonic.ROL ? 1 : 0);
            if (passed) {
                code.invokestatic(CD_HELPERS, "rotateFlags", MethodTypeDesc.of(CD_long, CD_long, CD_long, CD_int,
                        CD_boolean));
            } else {
                code.invokestatic(CD_HELPERS, "rotateAux", MethodTypeDesc.of(CD_long, CD_long, CD_int, CD_boolean));
            }
            code.lstore(BlockCompiler.slotAux());
            bc.flagsSet(Cpu.F_EXPLICIT);
            code.lload(res);
            storeReg(size, r);
            return false;
        }
        code.lload(t);
        if (m == Mnemonic.SAR) {
            sx(size);
            code.lstore(t);
            code.lload(t);
            code.loadConstant(k);
            code.lshr();
        } else {
            code.loadConstant(k);
            if (m == Mnemonic.SHL) {
                code.lshl();
                zx(size);
            } else {
                code.lushr();
            }
        }
        code.lstore(res);
        if (!bc.flagsLive(Cpu.ARITH)) {
            code.lload(res);
            storeReg(size, r);
            return false;
        }
        code.lload(t);
        code.loadConstant(k);
        if (m == Mnemonic.SAR) {
            code.invokestatic(CD_HELPERS, "sarAux", MethodTypeDesc.of(CD_long, CD_long, CD_int));
        } else {
            code.loadConstant(bits);
            code.invokestatic(CD_HELPERS, m == Mnemonic.SHL ? "shlAux" : "shrAux",
                    MethodTypeDesc.of(CD_long, CD_long, CD_int, CD_int));
        }
        finishResult(res, size, r);
        return false;
    }

    private boolean imul(Decoded d) {
        int size = d.opSize(), dst = reg(d.op(0));
        boolean three = d.operandCount() == 3;
        int a = BlockCompiler.temp(0), b = BlockCompiler.temp(1), p = BlockCompiler.temp(2);
        boolean mem = value(size, d.op(1), d, false);       // the r/m operand first: it may fault
        if (three) {
            code.lstore(a);
            code.loadConstant(((Operand.Imm) d.op(2)).value());
            code.lstore(b);
        } else {
            code.lstore(b);
            loadReg(size, dst);
            code.lstore(a);
        }
        if (size == 8) {
            code.lload(a);
            code.lload(b);
            code.lmul();
            code.lstore(p);
            if (!bc.flagsLive(Cpu.ARITH)) {
                code.lload(p);
                storeReg(size, dst);
                return mem;
            }
            code.lload(a);
            code.lload(b);
            code.invokestatic(CD_HELPERS, "imul64Aux", MethodTypeDesc.of(CD_long, CD_long, CD_long));
        } else {
            code.lload(a);
            sx(size);
            code.lload(b);
            sx(size);
            code.lmul();
            code.lstore(p);
            if (!bc.flagsLive(Cpu.ARITH)) {
                code.lload(p);
                storeReg(size, dst);
                return mem;
            }
            code.lload(p);
            code.invokestatic(CD_HELPERS, "imul32Aux", MethodTypeDesc.of(CD_long, CD_long));
        }
        finishResult(p, size, dst);
        return mem;
    }

    /**
     * The end of an operation whose flags are {@code F_RESULT}: with its CF/OF/AF on the stack, stores them as the aux
     * value, the result in local {@code res} (sign-extended) as the flags' result, and the result into {@code reg}.
     */
    private void finishResult(int res, int size, int reg) {
        code.lstore(BlockCompiler.slotAux());
        code.lload(res);
        result(Cpu.F_RESULT, size, reg);
    }

    /**
     * With a result on the stack: keeps it sign-extended as the flags' result of operation {@code flagOp} and
     * stores it into {@code reg} (none when -1: CMP, TEST). The one ending of every flag-setting inlined operation.
     */
    private void result(int flagOp, int size, int reg) {
        sx(size);
        code.lstore(BlockCompiler.slotR());
        bc.flagsSet(flagOp);
        if (reg >= 0) {
            code.lload(BlockCompiler.slotR());
            storeReg(size, reg);
        }
    }

    private boolean push(int r) {
        int sp = BlockCompiler.temp(0);
        code.lload(BlockCompiler.reg(Cpu.RSP));
        code.loadConstant(8L);
        code.lsub();
        code.lstore(sp);
        code.lload(sp);
        code.lload(BlockCompiler.reg(r));
        memory.write(8, true);
        code.lload(sp);
        storeReg(8, Cpu.RSP);
        return true;
    }

    private boolean pop(int r) {
        int v = BlockCompiler.temp(0);
        readStack();
        code.lstore(v);
        code.lload(BlockCompiler.reg(Cpu.RSP));
        code.loadConstant(8L);
        code.ladd();
        storeReg(8, Cpu.RSP);
        code.lload(v);
        storeReg(8, r);
        return true;
    }

    private boolean call(long next, long target) {
        int sp = BlockCompiler.temp(0);
        code.lload(BlockCompiler.reg(Cpu.RSP));
        code.loadConstant(8L);
        code.lsub();
        code.lstore(sp);
        code.lload(sp);
        code.loadConstant(next);
        memory.write(8, true);
        code.lload(sp);
        storeReg(8, Cpu.RSP);
        setRip(target);
        return true;
    }

    private boolean ret(int release) {
        int t = BlockCompiler.temp(0);
        code.aload(CPU);
        readStack();
        code.invokestatic(CD_HELPERS, "checkedTarget", MethodTypeDesc.of(CD_long, CD_CPU, CD_long));
        code.lstore(t);
        code.lload(BlockCompiler.reg(Cpu.RSP));
        code.loadConstant(8L + release);
        code.ladd();
        storeReg(8, Cpu.RSP);
        code.aload(CPU);
        code.lload(t);
        code.putfield(CD_CPU, "rip", CD_long);
        return true;
    }

    /** Pushes the 8 bytes at RSP (through the stack segment's checks). */
    private void readStack() {
        code.lload(BlockCompiler.reg(Cpu.RSP));
        memory.read(8, true);
    }

    private void setRip(long target) {
        code.aload(CPU);
        code.loadConstant(target);
        code.putfield(CD_CPU, "rip", CD_long);
    }

    // ---- operands -----------------------------------------------------------------------------------------------

    private static int reg(Operand o) {
        return ((Operand.Reg) o).number();
    }

    /**
     * Pushes operand {@code o} at {@code size} bytes, zero-extended ({@code signed}: sign-extended); returns whether
     * it read memory.
     */
    private boolean value(int size, Operand o, Decoded d, boolean signed) {
        switch (o) {
            case Operand.Reg r -> {
                loadReg(size, r.number());
                if (signed) {
                    sx(size);
                }
                return false;
            }
            case Operand.Imm i -> {
                code.loadConstant(signed ? Cpu.sx(size, i.value()) : Cpu.zx(size, i.value()));
                return false;
            }
            case Operand.Mem m -> {
                ea(m, d, true);
                memory.read(size, false);
                if (signed) {
                    sx(size);
                }
                return true;
            }
            default -> throw new IllegalStateException("operand " + o);
        }
    }

    /** Pushes the operand's address (with the FS/GS base when {@code segmented}; LEA has none). */
    private void ea(Operand.Mem m, Decoded d, boolean segmented) {
        if (m.ripRelative()) {
            code.loadConstant(d.ripRelative(m));
        } else {
            code.loadConstant(m.disp());
            if (m.base() >= 0) {
                code.lload(BlockCompiler.reg(m.base()));
                code.ladd();
            }
            if (m.index() >= 0) {
                code.lload(BlockCompiler.reg(m.index()));
                if (m.scale() != 0) {
                    code.loadConstant(m.scale());
                    code.lshl();
                }
                code.ladd();
            }
            if (m.addressSize() == 4) {
                code.loadConstant(MASK32);
                code.land();
            }
        }
        if (segmented && (m.segment() == Cpu.FS || m.segment() == Cpu.GS)) {
            code.aload(CPU);
            code.getfield(CD_CPU, m.segment() == Cpu.FS ? "fsBase" : "gsBase", CD_long);
            code.ladd();
        }
    }

    /** Pushes register {@code r} at {@code size} bytes, zero-extended (size 1: the low byte, r < 16). */
    private void loadReg(int size, int r) {
        code.lload(BlockCompiler.reg(r));
        zx(size);
    }

    /** Stores the long on the stack into register {@code r}: 64-bit as is, 32-bit zero-extended. */
    private void storeReg(int size, int r) {
        if (size == 4) {
            code.loadConstant(MASK32);
            code.land();
        } else if (size != 8) {
            throw new IllegalStateException("register write of " + size + " bytes");
        }
        code.lstore(BlockCompiler.reg(r));
        bc.dirty |= 1 << r;
    }

    private void zx(int size) {
        if (size < 8) {
            code.loadConstant(size == 4 ? MASK32 : size == 2 ? 0xFFFFL : 0xFFL);
            code.land();
        }
    }

    private void sx(int size) {
        switch (size) {
            case 1 -> {
                code.l2i();
                code.i2b();
                code.i2l();
            }
            case 2 -> {
                code.l2i();
                code.i2s();
                code.i2l();
            }
            case 4 -> {
                code.l2i();
                code.i2l();
            }
            default -> {
            }
        }
    }
}
