package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * Binds a {@link Decoded} instruction to the {@link Insn} that executes it, picking a specialized form where the
 * operands allow (register-register 64-bit ALU, plain loads and stores).
 */
public final class Binder {
    private Binder() {
    }

    public static Insn bind(Decoded d) {
        return switch (d.mnemonic()) {
            case ADD -> alu(d, 0);
            case OR -> alu(d, 1);
            case ADC -> alu(d, 2);
            case SBB -> alu(d, 3);
            case AND -> alu(d, 4);
            case SUB -> alu(d, 5);
            case XOR -> alu(d, 6);
            case CMP -> alu(d, 7);
            case TEST -> alu(d, 8);
            case INC -> new AluOps.Unary(d, AluOps.Unary.INC, d.opSize(), d.op(0), d.lock());
            case DEC -> new AluOps.Unary(d, AluOps.Unary.DEC, d.opSize(), d.op(0), d.lock());
            case NOT -> new AluOps.Unary(d, AluOps.Unary.NOT, d.opSize(), d.op(0), d.lock());
            case NEG -> new AluOps.Unary(d, AluOps.Unary.NEG, d.opSize(), d.op(0), d.lock());
            case ROL -> shift(d, ShiftOps.ROL);
            case ROR -> shift(d, ShiftOps.ROR);
            case RCL -> shift(d, ShiftOps.RCL);
            case RCR -> shift(d, ShiftOps.RCR);
            case SHL -> shift(d, ShiftOps.SHL);
            case SHR -> shift(d, ShiftOps.SHR);
            case SAR -> shift(d, ShiftOps.SAR);
            case MUL -> new MulDivOps.Acc(d, MulDivOps.MUL, d.opSize(), d.op(0));
            case DIV -> new MulDivOps.Acc(d, MulDivOps.DIV, d.opSize(), d.op(0));
            case IDIV -> new MulDivOps.Acc(d, MulDivOps.IDIV, d.opSize(), d.op(0));
            case IMUL -> switch (d.operandCount()) {
                case 1 -> new MulDivOps.Acc(d, MulDivOps.IMUL, d.opSize(), d.op(0));
                case 2 -> new MulDivOps.Imul(d, d.opSize(), reg(d.op(0)), d.op(1), false, 0);
                default -> new MulDivOps.Imul(d, d.opSize(), reg(d.op(0)), d.op(1), true, imm(d.op(2)));
            };
            case MOV -> mov(d);
            case MOVZX -> new MoveOps.Extend(d, d.opSize(), size(d.op(1)), reg(d.op(0)), d.op(1), false);
            case MOVSX -> new MoveOps.Extend(d, d.opSize(), size(d.op(1)), reg(d.op(0)), d.op(1), true);
            case MOVSXD -> new MoveOps.Extend(d, d.opSize(), size(d.op(1)), reg(d.op(0)), d.op(1), true);
            case LEA -> new MoveOps.Lea(d, d.opSize(), reg(d.op(0)), (Operand.Mem) d.op(1));
            case XCHG -> d.op(0) instanceof Operand.Mem m ? new AtomicOps.XchgMem(d, d.opSize(), m, reg(d.op(1)))
                    : new MoveOps.XchgRR(d, size(d.op(0)), reg(d.op(0)), reg(d.op(1)));
            case XADD -> new AtomicOps.Xadd(d, size(d.op(0)), d.op(0), reg(d.op(1)));
            case CMPXCHG -> new AtomicOps.Cmpxchg(d, size(d.op(0)), d.op(0), reg(d.op(1)));
            case CMPXCHG8B -> new AtomicOps.CmpxchgWide(d, d.op(0), false);
            case CMPXCHG16B -> new AtomicOps.CmpxchgWide(d, d.op(0), true);
            case BSWAP -> new MoveOps.Bswap(d, d.opSize(), reg(d.op(0)));
            case CMOVCC -> new MoveOps.Cmov(d, d.cond(), d.opSize(), reg(d.op(0)), d.op(1));
            case SETCC -> new MoveOps.Setcc(d, d.cond(), d.op(0));
            case MOVBE -> d.op(0) instanceof Operand.Reg r ? new MoveOps.Movbe(d, d.opSize(), r.number(), d.op(1), true)
                    : new MoveOps.Movbe(d, d.opSize(), reg(d.op(1)), d.op(0), false);
            case CBW -> new MoveOps.Convert(d, d.opSize(), true);
            case CWD -> new MoveOps.Convert(d, d.opSize(), false);
            case XLAT -> new MoveOps.Xlat(d);
            case LAHF -> new MoveOps.Lahf(d);
            case SAHF -> new MoveOps.Sahf(d);
            case PUSH -> switch (d.op(0)) {
                case Operand.Reg r -> new StackOps.PushReg(d, d.opSize(), r.number());
                case Operand.Imm i -> new StackOps.PushImm(d, d.opSize(), i.value());
                default -> new StackOps.PushMem(d, d.opSize(), d.op(0));
            };
            case POP -> d.op(0) instanceof Operand.Reg r ? new StackOps.PopReg(d, d.opSize(), r.number())
                    : new StackOps.PopMem(d, d.opSize(), d.op(0));
            case ENTER -> new StackOps.Enter(d, d.opSize(), (int) imm(d.op(0)) & 0xFFFF, (int) imm(d.op(1)) & 0xFF);
            case LEAVE -> new StackOps.Leave(d, d.opSize());
            case JMP -> d.op(0) instanceof Operand.Rel r ? new BranchOps.Jmp(d, r.target())
                    : new BranchOps.JmpIndirect(d, d.op(0));
            case JCC -> new BranchOps.Jcc(d, d.cond(), ((Operand.Rel) d.op(0)).target());
            case CALL -> d.op(0) instanceof Operand.Rel r ? new BranchOps.Call(d, r.target())
                    : new BranchOps.CallIndirect(d, d.op(0));
            case RET -> new BranchOps.Ret(d, d.operandCount() == 0 ? 0 : (int) imm(d.op(0)) & 0xFFFF);
            case JRCXZ -> loop(d, BranchOps.Loop.JRCXZ);
            case LOOP -> loop(d, BranchOps.Loop.LOOP);
            case LOOPE -> loop(d, BranchOps.Loop.LOOPE);
            case LOOPNE -> loop(d, BranchOps.Loop.LOOPNE);
            case MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS -> new StringOps.Str(d);
            case BT -> bitTest(d, 0);
            case BTS -> bitTest(d, 1);
            case BTR -> bitTest(d, 2);
            case BTC -> bitTest(d, 3);
            case BSF -> new BitOps.Scan(d, 0, d.opSize(), reg(d.op(0)), d.op(1));
            case BSR -> new BitOps.Scan(d, 1, d.opSize(), reg(d.op(0)), d.op(1));
            case TZCNT -> new BitOps.Scan(d, 2, d.opSize(), reg(d.op(0)), d.op(1));
            case LZCNT -> new BitOps.Scan(d, 3, d.opSize(), reg(d.op(0)), d.op(1));
            case POPCNT -> new BitOps.Scan(d, 4, d.opSize(), reg(d.op(0)), d.op(1));
            case SHLD, SHRD -> new BitOps.DoubleShift(d, d.mnemonic() == Mnemonic.SHLD, d.opSize(), d.op(0),
                    reg(d.op(1)), d.op(2) instanceof Operand.Imm i ? (int) i.value() & 0xFF : -1);
            case ANDN -> new BitOps.Bmi(d, 0, d.opSize(), reg(d.op(0)), reg(d.op(1)), d.op(2));
            case BEXTR -> new BitOps.Bmi(d, 1, d.opSize(), reg(d.op(0)), reg(d.op(2)), d.op(1));
            case BLSI -> new BitOps.Bmi(d, 2, d.opSize(), -1, reg(d.op(0)), d.op(1));
            case BLSMSK -> new BitOps.Bmi(d, 3, d.opSize(), -1, reg(d.op(0)), d.op(1));
            case BLSR -> new BitOps.Bmi(d, 4, d.opSize(), -1, reg(d.op(0)), d.op(1));
            case FPU, FWAIT -> org.paravane.emulated.cpu.exec.x87.X87Binder.bind(d);
            default -> org.paravane.emulated.cpu.exec.sse.SseBinder.handles(d.mnemonic())
                    ? org.paravane.emulated.cpu.exec.sse.SseBinder.bind(d) : system(d);
        };
    }

    // ---- families -----------------------------------------------------------------------------------------------

    private static Insn alu(Decoded d, int op) {
        Operand dst = d.op(0), src = d.op(1);
        int size = size(dst);
        if (dst instanceof Operand.Reg r) {
            return switch (src) {
                case Operand.Reg s -> size == 8 ? new AluOps.RR64(d, op, r.number(), s.number())
                        : size == 4 ? new AluOps.RR32(d, op, r.number(), s.number(), 0)
                        : new AluOps.RR(d, op, size, r.number(), s.number());
                case Operand.Imm i -> size == 4 ? new AluOps.RR32(d, op, r.number(), -1, i.value())
                        : new AluOps.RI(d, op, size, r.number(), i.value());
                default -> new AluOps.RM(d, op, size, r.number(), src);
            };
        }
        int s = src instanceof Operand.Reg r ? r.number() : -1;
        long immediate = src instanceof Operand.Imm i ? i.value() : 0;
        return d.lock() ? new AluOps.Locked(d, op, size, dst, s, immediate) : new AluOps.MR(d, op, size, dst, s, immediate);
    }

    private static Insn shift(Decoded d, int op) {
        Operand count = d.op(1);
        int n = count instanceof Operand.Imm i ? (int) i.value() & 0xFF : -1;
        return new ShiftOps.Shift(d, op, size(d.op(0)), d.op(0), n);
    }

    private static Insn mov(Decoded d) {
        Operand dst = d.op(0), src = d.op(1);
        int size = size(dst);
        if (dst instanceof Operand.Reg r) {
            return switch (src) {
                case Operand.Reg s -> new MoveOps.RR(d, size, r.number(), s.number());
                case Operand.Imm i -> new MoveOps.RI(d, size, r.number(), i.value());
                default -> new MoveOps.Load(d, size, r.number(), src);
            };
        }
        return src instanceof Operand.Reg s ? new MoveOps.Store(d, size, dst, s.number(), 0)
                : new MoveOps.Store(d, size, dst, -1, imm(src));
    }

    private static Insn loop(Decoded d, int kind) {
        return new BranchOps.Loop(d, kind, ((Operand.Rel) d.op(0)).target());
    }

    private static Insn bitTest(Decoded d, int kind) {
        Operand src = d.op(1);
        int s = src instanceof Operand.Reg r ? r.number() : -1;
        long immediate = src instanceof Operand.Imm i ? i.value() & 0xFF : 0;
        return new BitOps.BitTest(d, kind, d.opSize(), d.op(0), s, immediate, d.lock());
    }

    private static Insn system(Decoded d) {
        Mnemonic m = d.mnemonic();
        int size = d.opSize();
        return switch (m) {
            case MOV_CR, MOV_DR -> {
                boolean toRegister = d.op(0) instanceof Operand.Reg;
                Operand special = toRegister ? d.op(1) : d.op(0);
                int number = special instanceof Operand.ControlReg cr ? cr.number() : ((Operand.DebugReg) special).number();
                int gpr = reg(toRegister ? d.op(0) : d.op(1));
                yield new SystemOps.Sys(d, 8, null, number, gpr, 0, toRegister);
            }
            case MOV_SEG -> {
                boolean toRm = d.op(1) instanceof Operand.SegReg;
                int seg = ((Operand.SegReg) (toRm ? d.op(1) : d.op(0))).number();
                if (seg > Cpu.GS || (!toRm && seg == Cpu.CS)) {
                    yield new Raise(d, Vectors.UD);
                }
                Operand rm = toRm ? d.op(0) : d.op(1);
                yield new SystemOps.Sys(d, size(rm), rm, seg, -1, 0, toRm);
            }
            case PUSH_SEG, POP_SEG -> new SystemOps.Sys(d, size, null, ((Operand.SegReg) d.op(0)).number(), -1, 0, false);
            case IN -> new SystemOps.Sys(d, size(d.op(0)), null, -1, port(d.op(1)), 0, false);
            case OUT -> new SystemOps.Sys(d, size(d.op(1)), null, -1, port(d.op(0)), 0, false);
            case INT -> new SystemOps.Sys(d, size, null, -1, -1, imm(d.op(0)) & 0xFF, false);
            case RETF -> new SystemOps.Sys(d, size, null, -1, -1, d.operandCount() == 0 ? 0 : imm(d.op(0)) & 0xFFFF, false);
            case RDPID -> new SystemOps.Sys(d, size, null, reg(d.op(0)), -1, 0, false);
            case SLDT, STR, SMSW -> new SystemOps.Sys(d, size(d.op(0)), d.op(0), -1, -1, 0, false);
            default -> new SystemOps.Sys(d, size, d.operandCount() > 0 ? d.op(0) : null, -1, -1, 0, false);
        };
    }

    // ---- operand helpers ----------------------------------------------------------------------------------------

    private static int reg(Operand o) {
        return ((Operand.Reg) o).number();
    }

    private static long imm(Operand o) {
        return ((Operand.Imm) o).value();
    }

    private static int port(Operand o) {
        return o instanceof Operand.Imm i ? (int) i.value() & 0xFF : -1;
    }

    private static int size(Operand o) {
        return switch (o) {
            case Operand.Reg r -> r.size();
            case Operand.Mem m -> m.size();
            case Operand.Imm i -> i.size();
            default -> 8;
        };
    }

    /** An instruction whose operands make it undefined: raises its exception when executed. */
    static final class Raise extends Insn {
        private final int vector;

        Raise(Decoded d, int vector) {
            super(d);
            this.vector = vector;
        }

        @Override
        public void exec(Cpu c) {
            throw c.raise(vector, Vectors.hasErrorCode(vector) ? 0 : -1);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }
}
