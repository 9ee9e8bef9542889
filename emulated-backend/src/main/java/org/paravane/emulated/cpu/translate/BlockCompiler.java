package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.List;
import org.paravane.emulated.cpu.Block;
import org.paravane.emulated.cpu.CompiledBlock;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.CpuSignal;
import org.paravane.emulated.cpu.LazyFlags;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * Writes the hidden class of one block: {@code run(Cpu)} with the guest registers the inlined instructions use in
 * JVM locals (loaded at entry, written back at exits and around the interpreter's {@code Insn}s) and the last
 * flag-setting operation in locals with its kind known at translation time, so a flag reader (Jcc) compiles to a
 * plain comparison and only the block's last flag state is ever stored. Every instruction that can raise a signal
 * has its own handler, which writes back the state as it was before that instruction and sets RIP and the counts.
 */
final class BlockCompiler {
    static final ClassDesc CD_CPU = desc(Cpu.class), CD_INSN = desc(Insn.class), CD_SIGNAL = desc(CpuSignal.class),
            CD_FLAGS = desc(LazyFlags.class), CD_HELPERS = desc(Helpers.class), CD_LONGS = ConstantDescs.CD_Long, CD_LONG_ARRAY = CD_long.arrayType(), CD_INSNS = CD_INSN.arrayType();
    static final ClassDesc SELF = ClassDesc.of(BlockCompiler.class.getPackageName() + ".Compiled");
    /** The flags live in the Cpu's fields, not in locals. */
    static final int IN_CPU = -1;

    private static final int THIS = 0, CPU = 1, MAX = 2, REGS = 4, D = 36, S = 38, R = 40, AUX = 42, T0 = 44,
            T1 = 46, T2 = 48, ARRAY = 50, EXEC = 51, MEM = 52;

    private final Block block;
    private final CodeBuilder code;
    /** Stop after {@code max} instructions (translations for every run); else the block always runs whole. */
    private final boolean prefixes;
    private final InlineOps ops;
    /** Registers inlined code uses: loaded at entry and after each interpreted instruction. */
    private int used;
    /** Registers whose local differs (may differ) from {@code c.r}. */
    int dirty;
    /** The kind of the last flag-setting operation when its values are in the locals, else {@link #IN_CPU}. */
    int flagOp = IN_CPU;
    /** Whether the Cpu's flag fields already hold what the locals hold. */
    boolean flagsSynced = true;
    /** The flags a later instruction may read after the one being emitted ({@link FlagLiveness}). */
    private long liveAfter = Cpu.ARITH;

    private record Handler(Label start, Label end, int index, int dirty, int flagOp, boolean synced) {
    }

    private final List<Handler> handlers = new ArrayList<>();

    /** Which instructions are inlined ({@link TranslationSettings#inline}, {@link TranslationSettings#inlineSse}). */
    private final TranslationSettings inlining;

    private BlockCompiler(Block block, CodeBuilder code, boolean prefixes, TranslationSettings inlining,
            boolean inlineProbes) {
        this.block = block;
        this.inlining = inlining;
        this.prefixes = prefixes;
        this.code = code;
        this.ops = new InlineOps(this, code, inlineProbes);
    }

    private static ClassDesc desc(Class<?> c) {
        return ClassDesc.ofDescriptor(c.descriptorString());
    }

    /**
     * The JIT leaves a method of more bytecode than this interpreted ({@code -XX:HugeMethodLimit}, with
     * {@code DontCompileHugeMethods} on by default): a long block whose inlined TLB probes would pass it is written
     * with calls to the Cpu's accessors instead.
     */
    static final int HUGE_METHOD = 8000;

    /** The class file of {@code block}'s translation; its class data is the block's {@code Insn[]}. */
    static byte[] compile(Block block, boolean prefixes, TranslationSettings inline, ClassLoader loader) {
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(loader))));
        byte[] bytes = build(cf, block, prefixes, inline, true);
        return runLength(cf, bytes) <= HUGE_METHOD ? bytes : build(cf, block, prefixes, inline, false);
    }

    /** The bytecode length of {@code run} in {@code classFile}. */
    static int runLength(ClassFile cf, byte[] classFile) {
        return cf.parse(classFile).methods().stream().filter(m -> m.methodName().equalsString("run"))
                .flatMap(m -> m.code().stream()).mapToInt(c -> ((java.lang.classfile.attribute.CodeAttribute) c)
                        .codeLength()).sum();
    }

    private static byte[] build(ClassFile cf, Block block, boolean prefixes, TranslationSettings inline,
            boolean inlineProbes) {
        return cf.build(SELF, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(desc(CompiledBlock.class));
            cb.withField("I", CD_INSNS, ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_PRIVATE);
            for (int i = 0; i < block.length(); i++) {
                cb.withField("i" + i, CD_INSN, ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_PRIVATE);
            }
            cb.withMethodBody("<clinit>", MethodTypeDesc.of(CD_void), ClassFile.ACC_STATIC, c -> {
                c.loadConstant(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA, ConstantDescs.DEFAULT_NAME,
                        CD_INSNS));
                c.checkcast(CD_INSNS);
                c.dup();
                c.putstatic(SELF, "I", CD_INSNS);
                for (int i = 0; i < block.length(); i++) {
                    c.dup();
                    c.loadConstant(i);
                    c.aaload();
                    c.putstatic(SELF, "i" + i, CD_INSN);
                }
                c.pop();
                c.return_();
            });
            cb.withMethodBody("<init>", MethodTypeDesc.of(CD_void), ClassFile.ACC_PUBLIC, c -> {
                c.aload(0);
                c.invokespecial(CD_Object, "<init>", MethodTypeDesc.of(CD_void));
                c.return_();
            });
            cb.withMethodBody("run", MethodTypeDesc.of(CD_int, CD_CPU, CD_int), ClassFile.ACC_PUBLIC
                    | ClassFile.ACC_FINAL, c -> new BlockCompiler(block, c, prefixes, inline, inlineProbes).emitRun());
        });
    }

    private void emitRun() {
        int n = block.length();
        boolean[] inline = new boolean[n];
        boolean all = true;
        for (int i = 0; i < n; i++) {
            Insn insn = block.insn(i);
            inline[i] = inlining.inline() && InlineForms.supports(insn)
                    && (inlining.inlineSse() || !SseOps.supports(insn.decoded, insn));
            all &= inline[i];
            if (inline[i]) {
                used |= InlineForms.registers(block.insn(i).decoded);
            }
        }
        boolean loop = all && selfLoop();
        Decoded[] decoded = new Decoded[n];
        for (int i = 0; i < n; i++) {
            decoded[i] = block.insn(i).decoded;
        }
        boolean[] quiet = inline.clone();              // an inlined SSE operation between registers can still fault
        for (int i = 0; i < n; i++) {                  // (#UD, #NM, #XM): to the liveness pass it is an exit
            quiet[i] &= !SseOps.supports(decoded[i], block.insn(i));
        }
        long[] live = FlagLiveness.liveAfter(decoded, quiet, prefixes);
        code.aload(CPU);
        code.loadConstant(block.end);
        code.putfield(CD_CPU, "rip", CD_long);
        code.aload(CPU);
        code.getfield(CD_CPU, "r", CD_LONG_ARRAY);
        code.astore(ARRAY);
        ops.prologue(block, inline);
        reload();
        for (int slot : new int[] {D, S, R, AUX}) {
            code.lconst_0();
            code.lstore(slot);
        }
        code.iconst_0();
        code.istore(EXEC);
        Label top = code.newLabel();
        code.labelBinding(top);
        if (loop) {
            dirty = used;                               // the back edge arrives with any of them changed
        }
        for (int i = 0; i < n; i++) {
            Insn insn = block.insn(i);
            if (prefixes && i > 0) {
                emitMaxCheck(i);
            }
            if (!inline[i]) {
                sync();
            }
            Label start = code.newLabel(), end = code.newLabel();
            int dirtyBefore = dirty, flagsBefore = flagOp;
            boolean syncedBefore = flagsSynced;
            code.labelBinding(start);
            boolean throwsOrStops;
            if (loop && i == n - 1) {
                emitBackEdge(insn, top);
                throwsOrStops = false;
            } else if (inline[i]) {
                liveAfter = live[i];
                throwsOrStops = ops.emit(insn.decoded, insn);
            } else {
                code.getstatic(SELF, "i" + i, CD_INSN);
                code.aload(CPU);
                code.invokevirtual(CD_INSN, "exec", MethodTypeDesc.of(CD_void, CD_CPU));
                reload();
                flagOp = IN_CPU;
                throwsOrStops = true;
            }
            code.labelBinding(end);
            if (throwsOrStops) {
                handlers.add(new Handler(start, end, i, dirtyBefore, flagsBefore, syncedBefore));
                if (i + 1 < n && (!inline[i] || InlineForms.mayStop(insn.decoded))) {
                    emitStopCheck(i);
                }
            }
        }
        sync();
        retired(n);
        code.ireturn();
        for (Handler h : handlers) {
            Label at = code.newLabel();
            code.labelBinding(at);
            code.exceptionCatch(h.start, h.end, at, CD_SIGNAL);
            writeBack(h.dirty);
            if (!h.synced) {
                storeFlags(h.flagOp);
            }
            code.aload(CPU);
            code.loadConstant(block.insn(h.index).rip);
            code.putfield(CD_CPU, "rip", CD_long);
            code.aload(CPU);
            retired(h.index);
            code.putfield(CD_CPU, "completedBeforeSignal", CD_int);
            code.aload(CPU);
            code.getstatic(SELF, "i" + h.index, CD_INSN);
            code.putfield(CD_CPU, "signalled", CD_INSN);
            code.athrow();
        }
    }

    /** Pushes the instructions retired by this call when instruction {@code i} of the current pass is next. */
    private void retired(int i) {
        code.iload(EXEC);
        if (i != 0) {
            code.loadConstant(i);
            code.iadd();
        }
    }

    /**
     * Whether the block ends in a JMP or Jcc to its own start: the loop then stays in this method, registers in
     * locals, for as many passes as {@code max} allows.
     */
    private boolean selfLoop() {
        var d = block.insn(block.length() - 1).decoded;
        return (d.mnemonic() == org.paravane.emulated.cpu.decode.Mnemonic.JCC
                || d.mnemonic() == org.paravane.emulated.cpu.decode.Mnemonic.JMP)
                && d.op(0) instanceof org.paravane.emulated.cpu.decode.Operand.Rel r && r.target() == block.rip;
    }

    /**
     * The loop's branch back to its start: another pass when it fits in {@code max} (the flags go to the Cpu first
     * when the body could leave or read them before setting them), else out with RIP at the start.
     */
    private void emitBackEdge(Insn insn, Label top) {
        var d = insn.decoded;
        int n = block.length();
        Label out = code.newLabel();
        if (d.mnemonic() == org.paravane.emulated.cpu.decode.Mnemonic.JCC) {
            jumpIf(d.cond() ^ 1, out);
        }
        boolean syncFlags = InlineForms.flagsNeededAtStart(block);
        Label leave = code.newLabel();
        code.iinc(EXEC, n);
        code.iload(EXEC);
        code.loadConstant(n);
        code.iadd();
        code.iload(MAX);
        code.if_icmpgt(leave);
        if (syncFlags && !flagsSynced) {
            storeFlags(flagOp);
        }
        code.goto_(top);
        code.labelBinding(leave);
        code.iinc(EXEC, -n);                            // the epilogue adds this pass
        code.aload(CPU);
        code.loadConstant(block.rip);
        code.putfield(CD_CPU, "rip", CD_long);
        code.labelBinding(out);
    }

    /** Before instruction {@code i}: when {@code max} is {@code i}, leave with RIP at it. */
    private void emitMaxCheck(int i) {
        Label go = code.newLabel();
        code.iload(MAX);
        retired(i);
        code.if_icmpgt(go);
        writeBack(dirty);
        if (!flagsSynced) {
            storeFlags(flagOp);
        }
        code.aload(CPU);
        code.loadConstant(block.insn(i).rip);
        code.putfield(CD_CPU, "rip", CD_long);
        retired(i);
        code.ireturn();
        code.labelBinding(go);
    }

    /** After instruction {@code i}: when it set {@code stopBlock}, leave with RIP at the next instruction. */
    private void emitStopCheck(int i) {
        Label go = code.newLabel();
        code.aload(CPU);
        code.getfield(CD_CPU, "stopBlock", CD_boolean);
        code.ifeq(go);
        writeBack(dirty);
        if (!flagsSynced) {
            storeFlags(flagOp);
        }
        code.aload(CPU);
        code.loadConstant(block.insn(i + 1).rip);
        code.putfield(CD_CPU, "rip", CD_long);
        retired(i + 1);
        code.ireturn();
        code.labelBinding(go);
    }

    /** Makes the Cpu current: registers and flags written back (before an interpreted instruction, at the end). */
    private void sync() {
        writeBack(dirty);
        dirty = 0;
        if (!flagsSynced) {
            storeFlags(flagOp);
            flagsSynced = true;
        }
    }

    private void reload() {
        for (int r = 0; r < 16; r++) {
            if ((used & (1 << r)) != 0) {
                code.aload(ARRAY);
                code.loadConstant(r);
                code.laload();
                code.lstore(reg(r));
            }
        }
    }

    private void writeBack(int mask) {
        for (int r = 0; r < 16; r++) {
            if ((mask & (1 << r)) != 0) {
                code.aload(ARRAY);
                code.loadConstant(r);
                code.lload(reg(r));
                code.lastore();
            }
        }
    }

    /** Stores the flag operation {@code op} held in the locals into the Cpu's fields. */
    private void storeFlags(int op) {
        if (op == IN_CPU) {
            return;
        }
        code.aload(CPU);
        code.loadConstant(op);
        code.putfield(CD_CPU, "fOp", CD_int);
        boolean operands = op != Cpu.F_LOGIC && op != Cpu.F_RESULT && op != Cpu.F_EXPLICIT;
        if (operands) {
            field("fDst", D);
            field("fSrc", S);
        }
        if (op != Cpu.F_EXPLICIT) {
            field("fRes", R);
        }
        if (op == Cpu.F_INC || op == Cpu.F_DEC || op == Cpu.F_RESULT || op == Cpu.F_EXPLICIT) {
            field("fAux", AUX);
        }
    }

    private void field(String name, int slot) {
        code.aload(CPU);
        code.lload(slot);
        code.putfield(CD_CPU, name, CD_long);
    }

    // ---- for InlineOps ------------------------------------------------------------------------------------------

    static int reg(int r) {
        return REGS + 2 * r;
    }

    /** The locals {@link MemoryAccess} keeps for itself, from {@code i} on. */
    static int memSlot(int i) {
        return MEM + i;
    }

    static int slotD() {
        return D;
    }

    static int slotS() {
        return S;
    }

    static int slotR() {
        return R;
    }

    static int slotAux() {
        return AUX;
    }

    static int temp(int i) {
        return switch (i) {
            case 0 -> T0;
            case 1 -> T1;
            default -> T2;
        };
    }

    /** Whether a later instruction may read one of {@code flags} after the instruction being emitted. */
    boolean flagsLive(long flags) {
        return (liveAfter & flags) != 0;
    }

    /** Pushes {@code insn}, an instruction of this block (its {@code Insn} field). */
    void pushInsn(Insn insn) {
        for (int i = 0; i < block.length(); i++) {
            if (block.insn(i) == insn) {
                code.getstatic(SELF, "i" + i, CD_INSN);
                return;
            }
        }
        throw new IllegalArgumentException("not in the block: " + insn);
    }

    /** The flags now come from operation {@code op} in the locals. */
    void flagsSet(int op) {
        flagOp = op;
        flagsSynced = false;
    }

    /** Pushes CF (0 or 1, long) of the current flag state. */
    void pushCarry() {
        switch (flagOp) {
            case IN_CPU -> {
                code.aload(CPU);
                code.invokevirtual(CD_CPU, "cf", MethodTypeDesc.of(CD_boolean));
                code.i2l();
            }
            case Cpu.F_LOGIC -> code.lconst_0();
            case Cpu.F_ADD, Cpu.F_SUB -> {
                if (flagOp == Cpu.F_ADD) {
                    code.lload(R);
                    code.lload(D);
                } else {
                    code.lload(D);
                    code.lload(S);
                }
                code.invokestatic(CD_LONGS, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
                code.loadConstant(31);
                code.iushr();
                code.i2l();
            }
            case Cpu.F_INC, Cpu.F_DEC, Cpu.F_RESULT, Cpu.F_EXPLICIT -> {
                code.lload(AUX);
                code.lconst_1();
                code.land();
            }
            default -> {
                pushFlagArgs(flagOp);
                code.invokestatic(CD_FLAGS, "cf", MethodTypeDesc.of(CD_boolean, CD_int, CD_long, CD_long, CD_long,
                        CD_long));
                code.i2l();
            }
        }
    }

    /** Pushes the six arithmetic flags (long, RFLAGS positions) of the current flag state. */
    void pushArith() {
        if (flagOp == IN_CPU) {
            code.aload(CPU);
            code.invokevirtual(CD_CPU, "arithFlags", MethodTypeDesc.of(CD_long));
        } else {
            pushFlagArgs(flagOp);
            code.invokestatic(CD_FLAGS, "arith", MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_long,
                    CD_long));
        }
    }

    private void pushFlagArgs(int op) {
        code.loadConstant(op);
        code.lload(D);
        code.lload(S);
        code.lload(R);
        code.lload(AUX);
    }

    /** Jumps to {@code target} when condition {@code cc} holds: a plain comparison for the common kinds. */
    void jumpIf(int cc, Label target) {
        boolean negate = (cc & 1) != 0;
        int c = cc >>> 1;
        int op = flagOp;
        boolean result = op == Cpu.F_ADD || op == Cpu.F_SUB || op == Cpu.F_LOGIC || op == Cpu.F_INC
                || op == Cpu.F_DEC || op == Cpu.F_RESULT;
        if (result && (c == 2 || c == 4)) {                 // ZF, SF: from the result
            code.lload(R);
            code.lconst_0();
            code.lcmp();
            if (c == 2) {
                branch(negate ? Cmp.NE : Cmp.EQ, target);
            } else {
                branch(negate ? Cmp.GE : Cmp.LT, target);
            }
        } else if (op == Cpu.F_SUB && (c == 1 || c == 3 || c == 6 || c == 7)) {
            code.lload(D);
            code.lload(S);
            if (c == 1 || c == 3) {
                code.invokestatic(CD_LONGS, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
            } else {
                code.lcmp();
            }
            boolean strict = c == 1 || c == 6;
            branch(strict ? (negate ? Cmp.GE : Cmp.LT) : (negate ? Cmp.GT : Cmp.LE), target);
        } else if (op == Cpu.F_LOGIC && (c == 3 || c == 6 || c == 7)) {
            code.lload(R);
            code.lconst_0();
            code.lcmp();
            branch(switch (c) {
                case 3 -> negate ? Cmp.NE : Cmp.EQ;
                case 6 -> negate ? Cmp.GE : Cmp.LT;
                default -> negate ? Cmp.GT : Cmp.LE;
            }, target);
        } else if (c == 1 && (op == Cpu.F_INC || op == Cpu.F_DEC || op == Cpu.F_RESULT || op == Cpu.F_EXPLICIT)) {
            code.lload(AUX);
            code.lconst_1();
            code.land();
            code.l2i();
            branch(negate ? Cmp.EQ : Cmp.NE, target);
        } else if (op == IN_CPU) {
            code.aload(CPU);
            code.loadConstant(cc);
            code.invokevirtual(CD_CPU, "cond", MethodTypeDesc.of(CD_boolean, CD_int));
            code.ifne(target);
        } else {
            code.loadConstant(op);
            code.loadConstant(cc);
            code.lload(D);
            code.lload(S);
            code.lload(R);
            code.lload(AUX);
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

    static int cpuSlot() {
        return CPU;
    }
}
