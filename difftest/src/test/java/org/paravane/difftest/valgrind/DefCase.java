package org.paravane.difftest.valgrind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.paravane.difftest.Layout;
import org.paravane.difftest.valgrind.DefLine.Spec;

/**
 * A {@link DefLine} laid out as {@code gen_insn_test.pl} lays it out, for a test case of the differential harness:
 * the same registers (see {@link Registers.Pool}), memory operands in the data area at {@code [r15 + 0x100 + 16k]}.
 * General registers, XMM registers and RFLAGS start with their values directly (the other general registers hold
 * seeded random bits, so partial writes show); what the harness does not carry in a case's state is loaded by a
 * prologue and stored by an epilogue as the generator does it: MMX registers ({@code movq}), x87 registers
 * ({@code flds}/{@code fldl}, {@code fldz} for the holes below; {@code fstps}/{@code fstpl}/{@code fincstp}), the x87
 * control word ({@code fldcw}; its preset applied to the FNINIT value 0x37F, which is what the generator's
 * {@code fstcw/and/or} sees) and the x87 status/control words as results ({@code fstsw}/{@code fstcw}).
 * The generator's {@code ffree st(4-7)} is left out: every case starts from an empty x87 stack.
 *
 * @param code        AT&T lines: prologue, the instruction ({@code at}), epilogue
 * @param at          the index of the tested instruction in {@code code}
 * @param regs        the initial general registers, RIP, RFLAGS
 * @param simd        the initial XMM registers and MXCSR
 * @param data        the initial data area
 * @param checks      the line's expectations
 */
record DefCase(DefLine line, List<String> code, int at, long[] regs, long[] simd, byte[] data, List<Check> checks) {

    /** The data area offsets (from {@link Layout#DATA}) of operand slots, result slots and the control word scratch. */
    static final int R15 = 0x1000, OPERANDS = R15 + 0x100, RESULTS = R15 + 0x200, SCRATCH = R15 + 0x300;
    static final long RFLAGS_ARITH = 0x8D5;

    /** An operand where the generator put it. */
    private sealed interface Placed {
        String text();
    }

    private record PGpr(Registers.Gpr gpr) implements Placed {
        public String text() {
            return "%" + gpr.name();
        }
    }

    private record PXmm(int n) implements Placed {
        public String text() {
            return "%xmm" + n;
        }
    }

    private record PMm(int n) implements Placed {
        public String text() {
            return "%mm" + n;
        }
    }

    private record PSt(int n, Lane lane) implements Placed {
        public String text() {
            return "%st(" + n + ")";
        }
    }

    private record PMem(int offset, int width) implements Placed {
        public String text() {
            return String.format("0x%x(%%r15)", offset - R15);
        }
    }

    private record PImm(String value) implements Placed {
        public String text() {
            return "$" + value;
        }
    }

    static DefCase of(DefLine line) {
        try {
            return new Builder(line).build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(line.where() + ": cannot lay out \"" + line.text() + "\": " + e.getMessage(), e);
        }
    }

    /** The tested instruction in AT&T syntax. */
    String instruction() {
        return code.get(at);
    }

    private static final class Builder {
        private final DefLine line;
        private final Registers.Pool pool = new Registers.Pool();
        private final long[] regs = new long[18];
        private final long[] simd = Layout.resetSimd();
        private final byte[] data = new byte[Layout.DATA_SIZE];
        private final ByteBuffer dataBuf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        private final List<String> prologue = new ArrayList<>(), epilogue = new ArrayList<>();
        private final List<Check> checks = new ArrayList<>();
        private final PSt[] stArgs = new PSt[8];
        /** Where each x87 argument's initial value is in the data area. */
        private final int[] stInit = new int[8];
        private final List<Placed> args = new ArrayList<>();
        private int operandSlots, resultSlots;

        Builder(DefLine line) {
            this.line = line;
            Random r = new Random(line.file().hashCode() * 31L + line.number());
            for (int i = 0; i < 16; i++) {
                regs[i] = r.nextLong();
            }
            regs[4] = Layout.DATA + 0x3800;
            regs[15] = Layout.DATA + R15;
            regs[Layout.RFLAGS] = 0x202 | (r.nextLong() & RFLAGS_ARITH);
            r.nextBytes(data);
        }

        DefCase build() {
            List<Spec> all = new ArrayList<>(line.presets());
            all.addAll(line.args());
            // The generator takes the named registers out of the pool while parsing, then places the rest in order.
            for (Spec s : all) {
                if (s instanceof DefLine.Named n && !pool.claim(n.register())) {
                    throw new IllegalArgumentException("register " + n.register() + " already used");
                }
            }
            Long cwMask = null, cwSet = null;
            for (Spec s : line.presets()) {
                switch (s) {
                    case DefLine.Named n -> place(n);
                    case DefLine.St st -> place(st);
                    case DefLine.Word w when w.kind() == DefLine.WordKind.RFLAGS -> setFlags(w.mask(), w.value());
                    case DefLine.Word w when w.kind() == DefLine.WordKind.FPUCW -> {
                        cwMask = w.mask();
                        cwSet = w.value();
                    }
                    // gen_insn_test.pl parses an fpusw preset but emits nothing for it: neither do we.
                    case DefLine.Word w -> { }
                    default -> throw new IllegalArgumentException("unexpected preset " + s);
                }
            }
            for (Spec s : line.args()) {
                args.add(switch (s) {
                    case DefLine.Named n -> place(n);
                    case DefLine.Typed t -> place(t);
                    case DefLine.St st -> place(st);
                    case DefLine.Imm i -> new PImm(i.value());
                    default -> throw new IllegalArgumentException("unexpected argument " + s);
                });
            }
            boolean flagsSet = line.presets().stream().anyMatch(s -> s instanceof DefLine.Word w
                    && w.kind() == DefLine.WordKind.RFLAGS);
            boolean cwSetByPreset = cwMask != null;
            PSt[] stResults = new PSt[8];
            List<Check.Lanes> stChecks = new ArrayList<>();
            int[] stSlots = new int[8];
            for (Spec s : line.results()) {
                switch (s) {
                    case DefLine.ArgResult a -> {
                        Placed p = args.get(a.index());
                        String label = "result " + a.index();
                        switch (p) {
                            case PGpr g -> checks.add(new Check.Lanes(label, new Check.InGpr(g.gpr()), a.lanes()));
                            case PXmm x -> checks.add(new Check.Lanes(label, new Check.InXmm(x.n()), a.lanes()));
                            case PMem m -> checks.add(new Check.Lanes(label, new Check.InData(m.offset(), m.width(),
                                    "memory " + m.text()), a.lanes()));
                            case PMm m -> {
                                int slot = resultSlot();
                                epilogue.add("movq %mm" + m.n() + ", " + mem(slot));
                                checks.add(new Check.Lanes(label, new Check.InData(slot, 8, "mm" + m.n()), a.lanes()));
                            }
                            case PSt st -> stResult(st.n(), a.lanes(), label, stResults, stSlots, stChecks);
                            case PImm i -> throw new IllegalArgumentException("result " + a.index() + " is an immediate");
                        }
                    }
                    case DefLine.Named n -> checks.add(new Check.Lanes(n.register(),
                            new Check.InGpr(Registers.gpr(n.register())), n.lanes()));
                    case DefLine.St st -> stResult(st.n(), st.lanes(), "st" + st.n(), stResults, stSlots, stChecks);
                    case DefLine.Word w -> {
                        switch (w.kind()) {
                            case RFLAGS -> {
                                checks.add(new Check.Masked("rflags", new Check.InFlags(), w.mask(), w.value()));
                                if (!flagsSet) {
                                    // Start from the opposite of what the instruction must produce.
                                    setFlags(w.mask(), w.mask() & ~w.value());
                                    flagsSet = true;
                                }
                            }
                            case FPUCW, FPUSW -> {
                                int slot = resultSlot();
                                boolean cw = w.kind() == DefLine.WordKind.FPUCW;
                                epilogue.add((cw ? "fstcw " : "fstsw ") + mem(slot));
                                checks.add(new Check.Masked(cw ? "fpucw" : "fpusw", new Check.InData(slot, 2,
                                        cw ? "fpucw" : "fpusw"), w.mask(), w.value()));
                                if (cw && !cwSetByPreset) {
                                    cwMask = w.mask();
                                    cwSet = w.mask() & ~w.value();
                                    cwSetByPreset = true;
                                }
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("unexpected result " + s);
                }
            }
            // x87 loads: deepest first, holes filled with zeros; the control word after them (as the generator).
            int depth = 0;
            for (int i = 0; i < 8; i++) {
                if (stArgs[i] != null) {
                    depth = i + 1;
                }
            }
            for (int i = depth - 1; i >= 0; i--) {
                PSt st = stArgs[i];
                prologue.add(st == null ? "fldz" : (st.lane() == Lane.PS ? "flds " : "fldl ") + mem(stInit[i]));
            }
            if (cwMask != null) {
                dataBuf.putShort(SCRATCH, (short) ((0x37F & ~cwMask) | cwSet));
                prologue.add("fldcw " + mem(SCRATCH));
            }
            // x87 stores: every register from st(0) to the deepest result, popping as they go.
            int results = 0;
            for (int i = 0; i < 8; i++) {
                if (stResults[i] != null) {
                    results = i + 1;
                }
            }
            for (int i = 0; i < results; i++) {
                epilogue.add(stResults[i] == null ? "fincstp"
                        : (stResults[i].lane() == Lane.PS ? "fstps " : "fstpl ") + mem(stSlots[i]));
            }
            checks.addAll(stChecks);
            StringBuilder insn = new StringBuilder(line.mnemonic());
            for (int i = 0; i < args.size(); i++) {
                insn.append(i == 0 ? " " : ", ").append(args.get(i).text());
            }
            List<String> code = new ArrayList<>(prologue);
            int at = code.size();
            code.add(insn.toString());
            code.addAll(epilogue);
            return new DefCase(line, List.copyOf(code), at, regs, simd, data, List.copyOf(checks));
        }

        private void stResult(int n, DefLine.Lanes lanes, String label, PSt[] stResults, int[] stSlots,
                              List<Check.Lanes> stChecks) {
            if (stResults[n] != null) {
                throw new IllegalArgumentException("st" + n + " checked twice");
            }
            int slot = resultSlot();
            stResults[n] = new PSt(n, lanes.lane());
            stSlots[n] = slot;
            stChecks.add(new Check.Lanes(label, new Check.InData(slot, lanes.lane().bytes, "st" + n), lanes));
        }

        private void setFlags(long mask, long set) {
            regs[Layout.RFLAGS] = (regs[Layout.RFLAGS] & ~mask) | set;
        }

        private static String mem(int offset) {
            return String.format("0x%x(%%r15)", offset - R15);
        }

        private int operandSlot() {
            return OPERANDS + 16 * operandSlots++;
        }

        private int resultSlot() {
            return RESULTS + 16 * resultSlots++;
        }

        private Placed place(DefLine.Named n) {
            Registers.Gpr g = Registers.gpr(n.register());
            g.write(regs, value(n.lanes(), g.size()));
            return new PGpr(g);
        }

        private Placed place(DefLine.St st) {
            if (st.n() > 7 || stArgs[st.n()] != null) {
                throw new IllegalArgumentException("register st" + st.n() + " already used");
            }
            if (st.lanes().values().size() != 1) {
                throw new IllegalArgumentException("st" + st.n() + " takes one value");
            }
            int slot = operandSlot();
            dataBuf.put(slot, st.lanes().bytes(8), 0, 8);
            stInit[st.n()] = slot;
            stArgs[st.n()] = new PSt(st.n(), st.lanes().lane());
            return stArgs[st.n()];
        }

        private Placed place(DefLine.Typed t) {
            int width = Registers.width(t.type());
            byte[] bytes = t.lanes().bytes(width);
            switch (t.type()) {
                case "r8", "r16", "r32", "r64" -> {
                    Registers.Gpr g = Registers.gpr(pool.nextInt(t.type()));
                    g.write(regs, value(t.lanes(), width));
                    return new PGpr(g);
                }
                case "xmm" -> {
                    int n = pool.nextXmm();
                    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                    simd[2 * n] = b.getLong(0);
                    simd[2 * n + 1] = b.getLong(8);
                    return new PXmm(n);
                }
                case "mm" -> {
                    int n = pool.nextMm();
                    int slot = operandSlot();
                    dataBuf.put(slot, bytes);
                    prologue.add("movq " + mem(slot) + ", %mm" + n);
                    return new PMm(n);
                }
                default -> {
                    // Memory: uses up a register of its class, as the generator's allocation does.
                    switch (t.type()) {
                        case "m64" -> pool.nextMm();
                        case "m128" -> pool.nextXmm();
                        default -> pool.nextInt(t.type());
                    }
                    int slot = operandSlot();
                    dataBuf.put(slot, bytes);
                    return new PMem(slot, width);
                }
            }
        }

        private static long value(DefLine.Lanes lanes, int width) {
            byte[] eight = new byte[8];
            System.arraycopy(lanes.bytes(width), 0, eight, 0, width);
            return ByteBuffer.wrap(eight).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        }
    }
}
