package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_CPU;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_HELPERS;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.GuestFault;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;
import org.paravane.emulated.cpu.exec.sse.SseBinder;
import org.paravane.emulated.cpu.exec.sse.SseCompute;

/**
 * The SSE/SSE2 instructions translated to bytecode: whole-register, low-element and half moves between XMM registers
 * and memory, MOVD/MOVQ between XMM registers and general registers or memory, the 128-bit logic operations, UNPCKL/HPD
 * and PUNPCKL/HQDQ between registers; every other instruction whose computation its {@code Insn} offers apart from
 * its operand read ({@link SseCompute}, {@code SseResult}: arithmetic, compares, COMIS/UCOMIS, conversions, packed
 * integer operations, shuffles, PMOVMSKB) goes to {@link SseCalls}, which reads the operand in the block and keeps a
 * general-register or flag result in the block's locals. Each makes the CR0/CR4 checks first and reads everything
 * before it writes anything, as the interpreter does.
 */
final class SseOps {
    private static final int CPU = BlockCompiler.cpuSlot(), XMM = BlockCompiler.memSlot(9);
    private static final ClassDesc CD_FPU = ClassDesc.ofDescriptor(FpuState.class.descriptorString()),
            CD_COMPUTE = ClassDesc.ofDescriptor(SseCompute.class.descriptorString()),
            CD_FAULT = ClassDesc.ofDescriptor(GuestFault.class.descriptorString());

    private final CodeBuilder code;
    private final MemoryAccess memory;
    private final Addressing addressing;
    private final Gprs gprs;
    private final SseCalls calls;

    /** Operand addresses, computed from the block's register locals. */
    interface Addressing {
        /** Pushes the linear address of {@code m} (segment base included). */
        void address(Operand.Mem m, Decoded d);
    }

    /** The block's general-register locals. */
    interface Gprs {
        /** Pushes register {@code r} at {@code size} (4 or 8) bytes, zero-extended. */
        void load(int size, int r);

        /** Stores the long on the stack into register {@code r} as a {@code size}-byte write (32-bit: zero-extended). */
        void store(int size, int r);
    }

    SseOps(BlockCompiler bc, CodeBuilder code, MemoryAccess memory, Addressing addressing, Gprs gprs) {
        this.code = code;
        this.memory = memory;
        this.addressing = addressing;
        this.gprs = gprs;
        this.calls = new SseCalls(bc, code, this, gprs);
    }

    /** Whether some form of {@code m} may be translated here (every SSE mnemonic: they all can raise #UD/#NM). */
    static boolean translates(Mnemonic m) {
        return SseBinder.handles(m);
    }

    /** Whether {@code insn} is translated here. */
    static boolean supports(Decoded d, Insn insn) {
        return SseForm.of(d, insn) != null;
    }

    /** Emits {@code d} (supported); it can always raise a signal (#UD, #NM, a fault, #XM). */
    boolean emit(Decoded d, Insn insn) {
        code.aload(CPU);
        code.invokestatic(CD_COMPUTE, "check", MethodTypeDesc.of(CD_void, CD_CPU), true);
        Mnemonic m = d.mnemonic();
        SseForm f = SseForm.of(d, insn);
        switch (f) {
            case FULL, ALIGNED_FULL -> full(d, f == SseForm.ALIGNED_FULL);
            case LOW -> low(d, m == Mnemonic.MOVSS ? 4 : 8, m == Mnemonic.MOVQ);
            case GPR -> gprMove(d, m == Mnemonic.MOVD ? 4 : 8);
            case HALF -> half(d, m);
            case LOGIC -> logic(d, m);
            case UNPACK -> unpack(d, m == Mnemonic.UNPCKLPD || m == Mnemonic.PUNPCKLQDQ);
            case CALL -> calls.emit(d, insn);
        }
        return true;
    }

    private void full(Decoded d, boolean aligned) {
        if (d.op(0) instanceof Operand.Xmm dst) {
            int lo = BlockCompiler.temp(0), hi = BlockCompiler.temp(1);
            load16(d.op(1), d, aligned, lo, hi);
            setXmm(dst.number(), lo, hi);
        } else {
            int src = ((Operand.Xmm) d.op(1)).number();
            store16((Operand.Mem) d.op(0), d, aligned, src);
        }
    }

    /** MOVSS/MOVSD/MOVQ: a load from memory and MOVQ clear the rest; MOVSS/MOVSD between registers keep it. */
    private void low(Decoded d, int size, boolean movq) {
        long mask = size == 4 ? 0xFFFF_FFFFL : -1L;
        if (d.op(0) instanceof Operand.Xmm dst) {
            int v = BlockCompiler.temp(0);
            boolean clear;
            if (d.op(1) instanceof Operand.Xmm src) {
                xmmHalf(src.number(), 0);
                clear = movq;
            } else {
                addressing.address((Operand.Mem) d.op(1), d);
                memory.read(size, false);
                clear = true;
            }
            if (size == 4) {
                code.loadConstant(mask);
                code.land();
            }
            code.lstore(v);
            xmm();
            code.loadConstant(2 * dst.number());
            if (clear) {
                code.lload(v);
            } else {
                xmmHalf(dst.number(), 0);
                code.loadConstant(~mask);
                code.land();
                code.lload(v);
                code.lor();
            }
            code.lastore();
            if (clear) {
                xmm();
                code.loadConstant(2 * dst.number() + 1);
                code.lconst_0();
                code.lastore();
            }
        } else {
            addressing.address((Operand.Mem) d.op(0), d);
            xmmHalf(((Operand.Xmm) d.op(1)).number(), 0);
            memory.write(size, false);
        }
    }

    private void logic(Decoded d, Mnemonic m) {
        int dst = ((Operand.Xmm) d.op(0)).number();
        int lo = BlockCompiler.temp(0), hi = BlockCompiler.temp(1);
        if (d.op(1) instanceof Operand.Xmm s && s.number() == dst
                && (m == Mnemonic.PXOR || m == Mnemonic.XORPS || m == Mnemonic.XORPD)) {
            code.lconst_0();                                // the zeroing idiom
            code.lstore(lo);
            code.lconst_0();
            code.lstore(hi);
        } else {
            load16(d.op(1), d, true, lo, hi);
            for (int half = 0; half < 2; half++) {
                int slot = half == 0 ? lo : hi;
                xmmHalf(dst, half);
                switch (m) {
                    case PXOR, XORPS, XORPD -> {
                        code.lload(slot);
                        code.lxor();
                    }
                    case PAND, ANDPS, ANDPD -> {
                        code.lload(slot);
                        code.land();
                    }
                    case POR, ORPS, ORPD -> {
                        code.lload(slot);
                        code.lor();
                    }
                    default -> {                            // ANDN: NOT destination AND source
                        code.loadConstant(-1L);
                        code.lxor();
                        code.lload(slot);
                        code.land();
                    }
                }
                code.lstore(slot);
            }
        }
        setXmm(dst, lo, hi);
    }

    /** UNPCKLPD/PUNPCKLQDQ: (dst.lo, src.lo); UNPCKHPD/PUNPCKHQDQ: (dst.hi, src.hi). */
    private void unpack(Decoded d, boolean lowHalves) {
        int dst = ((Operand.Xmm) d.op(0)).number(), src = ((Operand.Xmm) d.op(1)).number();
        int lo = BlockCompiler.temp(0), hi = BlockCompiler.temp(1), half = lowHalves ? 0 : 1;
        xmmHalf(dst, half);
        code.lstore(lo);
        xmmHalf(src, half);
        code.lstore(hi);
        setXmm(dst, lo, hi);
    }

    /**
     * MOVLPS/MOVLPD and MOVHPS/MOVHPD: memory into the low or high half, or that half to memory; MOVHLPS: the
     * source's high half into the low one; MOVLHPS: the source's low half into the high one. The other half stays.
     */
    private void half(Decoded d, Mnemonic m) {
        boolean high = m == Mnemonic.MOVHPS || m == Mnemonic.MOVHPD;
        if (d.op(0) instanceof Operand.Xmm dst) {
            int to = high || m == Mnemonic.MOVLHPS ? 1 : 0, v = BlockCompiler.temp(0);
            if (d.op(1) instanceof Operand.Xmm src) {
                xmmHalf(src.number(), m == Mnemonic.MOVHLPS ? 1 : 0);
            } else {
                load((Operand.Mem) d.op(1), d, 8);
            }
            code.lstore(v);
            xmm();
            code.loadConstant(2 * dst.number() + to);
            code.lload(v);
            code.lastore();
        } else {
            addressing.address((Operand.Mem) d.op(0), d);
            xmmHalf(((Operand.Xmm) d.op(1)).number(), high ? 1 : 0);
            memory.write(8, false);
        }
    }

    /** MOVD/MOVQ: a general register or memory into the low element (the rest cleared), or the low element out. */
    private void gprMove(Decoded d, int size) {
        if (d.op(0) instanceof Operand.Xmm dst) {
            int v = BlockCompiler.temp(0);
            switch (d.op(1)) {
                case Operand.Reg r -> gprs.load(size, r.number());
                case Operand.Mem mem -> {
                    addressing.address(mem, d);
                    memory.read(size, false);
                }
                default -> throw new IllegalStateException(d.toString());
            }
            code.lstore(v);
            xmm();
            code.loadConstant(2 * dst.number());
            code.lload(v);
            code.lastore();
            xmm();
            code.loadConstant(2 * dst.number() + 1);
            code.lconst_0();
            code.lastore();
        } else {
            int src = ((Operand.Xmm) d.op(1)).number();
            if (d.op(0) instanceof Operand.Reg r) {
                xmmHalf(src, 0);
                gprs.store(size, r.number());
            } else {
                addressing.address((Operand.Mem) d.op(0), d);
                xmmHalf(src, 0);
                memory.write(size, false);
            }
        }
    }

    // ---- operands -----------------------------------------------------------------------------------------------

    /** Reads a 16-byte r/m operand into locals {@code lo}, {@code hi} (memory: #GP(0) when misaligned and aligned). */
    void load16(Operand o, Decoded d, boolean aligned, int lo, int hi) {
        if (o instanceof Operand.Xmm s) {
            xmmHalf(s.number(), 0);
            code.lstore(lo);
            xmmHalf(s.number(), 1);
            code.lstore(hi);
            return;
        }
        int a = BlockCompiler.temp(2);
        addressing.address((Operand.Mem) o, d);
        code.lstore(a);
        if (aligned) {
            alignmentCheck(a);
        }
        code.lload(a);
        memory.read(8, false);
        code.lstore(lo);
        code.lload(a);
        code.loadConstant(8L);
        code.ladd();
        memory.read(8, false);
        code.lstore(hi);
    }

    /** Pushes {@code size} (at most 8) bytes of memory operand {@code m}, zero-extended. */
    void load(Operand.Mem m, Decoded d, int size) {
        addressing.address(m, d);
        memory.read(size, false);
    }

    /** Stores XMM{@code src} to 16 bytes of memory; a store crossing into a page that faults writes nothing. */
    private void store16(Operand.Mem m, Decoded d, boolean aligned, int src) {
        int a = BlockCompiler.temp(2);
        addressing.address(m, d);
        code.lstore(a);
        if (aligned) {
            alignmentCheck(a);
        } else {
            code.aload(CPU);
            code.lload(a);
            code.invokestatic(CD_HELPERS, "checkSecondPage", MethodTypeDesc.of(CD_void, CD_CPU, CD_long));
        }
        code.lload(a);
        xmmHalf(src, 0);
        memory.write(8, false);
        code.lload(a);
        code.loadConstant(8L);
        code.ladd();
        xmmHalf(src, 1);
        memory.write(8, false);
    }

    private void alignmentCheck(int a) {
        Label ok = code.newLabel();
        code.lload(a);
        code.l2i();
        code.loadConstant(15);
        code.iand();
        code.ifeq(ok);
        code.aload(CPU);
        code.iconst_0();
        code.invokevirtual(CD_CPU, "gp", MethodTypeDesc.of(CD_FAULT, CD_int));
        code.athrow();
        code.labelBinding(ok);
    }

    /** At the block's entry: the XMM register file (a final array) into its local. */
    void prologue() {
        code.aload(CPU);
        code.getfield(CD_CPU, "fpu", CD_FPU);
        code.getfield(CD_FPU, "xmm", CD_long.arrayType());
        code.astore(XMM);
    }

    private void xmm() {
        code.aload(XMM);
    }

    /** Pushes quadword {@code half} of XMM{@code n}. */
    void xmmHalf(int n, int half) {
        xmm();
        code.loadConstant(2 * n + half);
        code.laload();
    }

    private void setXmm(int n, int lo, int hi) {
        xmm();
        code.loadConstant(2 * n);
        code.lload(lo);
        code.lastore();
        xmm();
        code.loadConstant(2 * n + 1);
        code.lload(hi);
        code.lastore();
    }

}
