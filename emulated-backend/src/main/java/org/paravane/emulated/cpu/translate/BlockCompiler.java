package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_Object;
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
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * Writes the hidden class of one {@link Region}: {@code run(Cpu, int)} with each block of the region at a label, the
 * guest registers the inlined instructions use in JVM locals through the whole region (loaded at entry, written back
 * at exits and around the interpreter's {@code Insn}s) and the last flag-setting operation in locals with its kind
 * known at translation time, so a flag reader (Jcc) compiles to a plain comparison. A transfer to a block of the
 * region is a jump ({@link Transfers}); every instruction that can raise a signal has its own handler, which writes
 * back the state as it was before that instruction and sets RIP and the counts.
 */
final class BlockCompiler {
    static final ClassDesc CD_CPU = desc(Cpu.class), CD_INSN = desc(Insn.class), CD_SIGNAL = desc(CpuSignal.class),
            CD_FLAGS = desc(LazyFlags.class), CD_HELPERS = desc(Helpers.class), CD_LONGS = ConstantDescs.CD_Long, CD_LONG_ARRAY = CD_long.arrayType(), CD_INSNS = CD_INSN.arrayType();
    static final ClassDesc SELF = ClassDesc.of(BlockCompiler.class.getPackageName() + ".Compiled");
    /** The flags live in the Cpu's fields, not in locals. */
    static final int IN_CPU = -1;

    private static final int THIS = 0, CPU = 1, MAX = 2, REGS = 4, D = 36, S = 38, R = 40, AUX = 42, T0 = 44,
            T1 = 46, T2 = 48, ARRAY = 50, EXEC = 51, MEM = 52;

    final Region region;
    /** Every instruction of the region, block after block: field {@code i<k>} holds the k-th. */
    private final Insn[] insns;
    final CodeBuilder code;
    /** Stop after {@code max} instructions (translations for every run); else a block is only entered whole. */
    final boolean prefixes;
    private final InlineOps ops;
    private final FlagReads flagReads;
    private final Transfers transfers;
    /** Registers inlined code uses: loaded at entry and after each interpreted instruction. */
    int used;
    /** Registers whose local differs (may differ) from {@code c.r}. */
    int dirty;
    /** The kind of the last flag-setting operation when its values are in the locals, else {@link #IN_CPU}. */
    int flagOp = IN_CPU;
    /** Whether the Cpu's flag fields already hold what the locals hold. */
    boolean flagsSynced = true;
    /** The flags a later instruction may read after the one being emitted ({@link FlagLiveness}). */
    private long liveAfter = Cpu.ARITH;

    private record Handler(Label start, Label end, int field, long rip, int index, int dirty, int flagOp,
                           boolean synced) {
    }

    private final List<Handler> handlers = new ArrayList<>();

    /** Which instructions are inlined ({@link TranslationSettings#inline}, {@link TranslationSettings#inlineSse}). */
    private final TranslationSettings inlining;

    private BlockCompiler(Region region, CodeBuilder code, boolean prefixes, TranslationSettings inlining,
            boolean inlineProbes) {
        this.region = region;
        this.insns = region.insns();
        this.inlining = inlining;
        this.prefixes = prefixes;
        this.code = code;
        this.ops = new InlineOps(this, code, inlineProbes);
        this.flagReads = new FlagReads(this, code);
        this.transfers = new Transfers(this);
    }

    private static ClassDesc desc(Class<?> c) {
        return ClassDesc.ofDescriptor(c.descriptorString());
    }

    /**
     * The JIT leaves a method of more bytecode than this interpreted ({@code -XX:HugeMethodLimit}, with
     * {@code DontCompileHugeMethods} on by default): a region that would pass it loses blocks, and a lone block
     * whose inlined TLB probes would pass it is written with calls to the Cpu's accessors instead.
     */
    static final int HUGE_METHOD = 8000;

    /** The class file of {@code region}'s translation: its class data is {@link Region#insns()}. */
    static Compiled compile(Region region, boolean prefixes, TranslationSettings inline, ClassLoader loader) {
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(loader))));
        for (Region r = region; ; r = r.first(r.size() / 2)) {
            byte[] bytes = build(cf, r, prefixes, inline, true);
            if (runLength(cf, bytes) <= HUGE_METHOD) {
                return new Compiled(r, bytes);
            }
            if (r.size() == 1) {
                return new Compiled(r, build(cf, r, prefixes, inline, false));
            }
        }
    }

    /** A class file and the region it was written for (the one asked for, or its first blocks). */
    record Compiled(Region region, byte[] classFile) {
    }

    /** The bytecode length of {@code run} in {@code classFile}. */
    static int runLength(ClassFile cf, byte[] classFile) {
        return cf.parse(classFile).methods().stream().filter(m -> m.methodName().equalsString("run"))
                .flatMap(m -> m.code().stream()).mapToInt(c -> ((java.lang.classfile.attribute.CodeAttribute) c)
                        .codeLength()).sum();
    }

    private static byte[] build(ClassFile cf, Region region, boolean prefixes, TranslationSettings inline,
            boolean inlineProbes) {
        int count = region.insns().length;
        return cf.build(SELF, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(desc(CompiledBlock.class));
            for (int i = 0; i < count; i++) {
                cb.withField("i" + i, CD_INSN, ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_PRIVATE);
            }
            cb.withMethodBody("<clinit>", MethodTypeDesc.of(CD_void), ClassFile.ACC_STATIC, c -> {
                c.loadConstant(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA, ConstantDescs.DEFAULT_NAME,
                        CD_INSNS));
                c.checkcast(CD_INSNS);
                for (int i = 0; i < count; i++) {
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
                    | ClassFile.ACC_FINAL, c -> new BlockCompiler(region, c, prefixes, inline, inlineProbes).emitRun());
        });
    }

    boolean inlining() {
        return inlining.inline();
    }

    /** Which instructions of {@code b} run inline. */
    boolean[] inline(Block b) {
        boolean[] inline = new boolean[b.length()];
        for (int i = 0; i < inline.length; i++) {
            Insn insn = b.insn(i);
            inline[i] = inlining.inline() && InlineForms.supports(insn)
                    && (inlining.inlineSse() || !SseOps.supports(insn.decoded, insn));
        }
        return inline;
    }

    private void emitRun() {
        boolean[] all = new boolean[insns.length];
        int k = 0;
        for (Block b : region.blocks()) {
            boolean[] inline = inline(b);
            for (int i = 0; i < inline.length; i++, k++) {
                all[k] = inline[i];
                if (inline[i]) {
                    used |= InlineForms.registers(b.insn(i).decoded);
                }
            }
        }
        code.aload(CPU);
        code.getfield(CD_CPU, "r", CD_LONG_ARRAY);
        code.astore(ARRAY);
        ops.prologue(insns, all);
        reload();
        for (int slot : new int[] {D, S, R, AUX}) {
            code.lconst_0();
            code.lstore(slot);
        }
        code.iconst_0();
        code.istore(EXEC);
        int first = 0;
        for (Block b : region.blocks()) {
            code.labelBinding(transfers.label(b));
            Transfers.State carried = transfers.carried(b);
            if (carried != null) {
                dirty = carried.dirty();
                flagOp = carried.flagOp();
                flagsSynced = carried.synced();
            } else {
                // a jump may arrive here with any of them changed; only the call reaches an entry without one
                dirty = b == region.entry() && transfers.joins(b) == 1 ? 0 : used;
                flagOp = IN_CPU;
                flagsSynced = true;
            }
            emitBlock(b, first);
            first += b.length();
        }
        for (Handler h : handlers) {
            Label at = code.newLabel();
            code.labelBinding(at);
            code.exceptionCatch(h.start, h.end, at, CD_SIGNAL);
            writeBack(h.dirty);
            if (!h.synced) {
                storeFlags(h.flagOp);
            }
            code.aload(CPU);
            code.loadConstant(h.rip);
            code.putfield(CD_CPU, "rip", CD_long);
            code.aload(CPU);
            retired(h.index);
            code.putfield(CD_CPU, "completedBeforeSignal", CD_int);
            code.aload(CPU);
            code.getstatic(SELF, "i" + h.field, CD_INSN);
            code.putfield(CD_CPU, "signalled", CD_INSN);
            code.athrow();
        }
    }

    /** Block {@code b}, whose first instruction is field {@code first}, up to its transfers. */
    private void emitBlock(Block b, int first) {
        int n = b.length();
        boolean[] inline = inline(b);
        Decoded[] decoded = new Decoded[n];
        for (int i = 0; i < n; i++) {
            decoded[i] = b.insn(i).decoded;
        }
        long[] live = FlagLiveness.liveAfter(decoded, quiet(b, inline), prefixes);
        boolean ripSet = false;
        for (int i = 0; i < n; i++) {
            Insn insn = b.insn(i);
            if (prefixes && i > 0) {
                transfers.maxCheck(b, i);
            }
            boolean last = i == n - 1;
            if (last && inline[i] && transfers.emitsBranch(insn)) {
                liveAfter = live[i];
                transfers.branch(b, insn);
                return;
            }
            if (!inline[i]) {
                sync();
                if (!ripSet) {                          // as the interpreter leaves it for the block
                    code.aload(CPU);
                    code.loadConstant(b.end);
                    code.putfield(CD_CPU, "rip", CD_long);
                    ripSet = true;
                }
            }
            Label start = code.newLabel(), end = code.newLabel();
            int dirtyBefore = dirty, flagsBefore = flagOp;
            boolean syncedBefore = flagsSynced;
            code.labelBinding(start);
            boolean throwsOrStops;
            if (inline[i]) {
                liveAfter = live[i];
                throwsOrStops = ops.emit(insn.decoded, insn);
            } else {
                code.getstatic(SELF, "i" + (first + i), CD_INSN);
                code.aload(CPU);
                code.invokevirtual(CD_INSN, "exec", MethodTypeDesc.of(CD_void, CD_CPU));
                reload();
                flagOp = IN_CPU;
                throwsOrStops = true;
            }
            code.labelBinding(end);
            if (throwsOrStops) {
                handlers.add(new Handler(start, end, first + i, insn.rip, i, dirtyBefore, flagsBefore, syncedBefore));
                if (!last && (!inline[i] || InlineForms.mayStop(insn.decoded))) {
                    transfers.stopCheck(i + 1, b.insn(i + 1).rip);
                }
            }
            if (last) {
                transfers.end(b, inline[i], throwsOrStops && (!inline[i] || InlineForms.mayStop(insn.decoded)));
            }
        }
    }

    /** Which instructions raise no signal except through a memory operand (to the liveness pass the others exit). */
    private static boolean[] quiet(Block b, boolean[] inline) {
        boolean[] quiet = inline.clone();              // an inlined SSE operation between registers can still fault
        for (int i = 0; i < quiet.length; i++) {       // (#UD, #NM, #XM): to the liveness pass it is an exit
            quiet[i] &= !SseOps.supports(b.insn(i).decoded, b.insn(i));
        }
        return quiet;
    }

    /** The flags {@code b} may read, or expose at an exit, before it sets them: they must be in the Cpu at its start. */
    long flagsNeededAt(Block b) {
        boolean[] inline = inline(b);
        Decoded[] decoded = new Decoded[b.length()];
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = b.insn(i).decoded;
        }
        return FlagLiveness.liveIn(decoded, quiet(b, inline), prefixes);
    }

    /** Pushes the instructions retired by this call when instruction {@code i} of the current block is next. */
    void retired(int i) {
        code.iload(EXEC);
        if (i != 0) {
            code.loadConstant(i);
            code.iadd();
        }
    }

    /** Adds the {@code n} instructions of the block just run to the retired count. */
    void addRetired(int n) {
        code.iinc(EXEC, n);
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

    void writeBack(int mask) {
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
    void storeFlags(int op) {
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

    static int maxSlot() {
        return MAX;
    }

    /** Emits an inlined instruction (for {@link Transfers}: the CALL or RET ending a block). */
    boolean emitInline(Insn insn) {
        return ops.emit(insn.decoded, insn);
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

    /** Pushes {@code insn}, an instruction of this region (its {@code Insn} field). */
    void pushInsn(Insn insn) {
        for (int i = 0; i < insns.length; i++) {
            if (insns[i] == insn) {
                code.getstatic(SELF, "i" + i, CD_INSN);
                return;
            }
        }
        throw new IllegalArgumentException("not in the region: " + insn);
    }

    /** The flags now come from operation {@code op} in the locals. */
    void flagsSet(int op) {
        flagOp = op;
        flagsSynced = false;
    }

    /** Pushes CF (0 or 1, long) of the current flag state. */
    void pushCarry() {
        flagReads.pushCarry();
    }

    /** Pushes the six arithmetic flags (long, RFLAGS positions) of the current flag state. */
    void pushArith() {
        flagReads.pushArith();
    }

    /** Jumps to {@code target} when condition {@code cc} holds. */
    void jumpIf(int cc, Label target) {
        flagReads.jumpIf(cc, target);
    }

    static int cpuSlot() {
        return CPU;
    }
}
