package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_byte;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_short;
import static java.lang.constant.ConstantDescs.CD_void;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_CPU;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.paravane.emulated.mmu.Mmu;
import org.paravane.emulated.mmu.PhysicalMemory;

/**
 * Guest-virtual loads and stores of inlined instructions as bytecode: the Cpu's TLB probe written out in the block
 * (a tag compare against the vCPU's direct-mapped TLB, whose arrays the block keeps in locals, and the host access
 * through {@link PhysicalMemory#HOST}), the MMU's slow path on a miss, a page crossing, MMIO, a code page (never in
 * the write TLB) or an absent page. The slow path raises a fault before anything was stored, so the instruction's
 * handler sees the state before it, as with {@code Cpu.read32} and friends, whose rules this repeats.
 */
final class MemoryAccess {
    private static final ClassDesc CD_MMU = desc(Mmu.class), CD_SEGMENT = desc(MemorySegment.class),
            CD_LAYOUT = desc(ValueLayout.class), CD_PHYS = desc(PhysicalMemory.class);
    private static final int TLB_MASK = Mmu.TLB_SIZE - 1;
    /** By access size: the layout constant, its type and the Java value type. */
    private static final String[] LAYOUT_NAME = {null, "JAVA_BYTE", "JAVA_SHORT_UNALIGNED", null,
        "JAVA_INT_UNALIGNED", null, null, null, "JAVA_LONG_UNALIGNED"};
    private static final ClassDesc[] LAYOUT_TYPE = {null, CD_LAYOUT.nested("OfByte"), CD_LAYOUT.nested("OfShort"),
        null, CD_LAYOUT.nested("OfInt"), null, null, null, CD_LAYOUT.nested("OfLong")};
    private static final ClassDesc[] VALUE_TYPE = {null, CD_byte, CD_short, null, CD_int, null, null, null, CD_long};

    /** Locals: the address and the value being stored, the TLB index, the four TLB arrays. */
    private static final int VA = BlockCompiler.memSlot(0), VALUE = BlockCompiler.memSlot(2),
            INDEX = BlockCompiler.memSlot(4), READ_TAG = BlockCompiler.memSlot(5), READ_ADD = BlockCompiler.memSlot(6),
            WRITE_TAG = BlockCompiler.memSlot(7), WRITE_ADD = BlockCompiler.memSlot(8);

    private final CodeBuilder code;
    private final int cpu;
    /** Whether the probe is written out; else each access calls the Cpu's accessor (a shorter method). */
    private final boolean inline;

    MemoryAccess(CodeBuilder code, int cpu, boolean inline) {
        this.code = code;
        this.cpu = cpu;
        this.inline = inline;
    }

    private static ClassDesc desc(Class<?> c) {
        return ClassDesc.ofDescriptor(c.descriptorString());
    }

    /** At the block's entry: the TLB arrays into their locals (they are final: one load per run). */
    void prologue() {
        if (!inline) {
            return;
        }
        String[] names = {"readTag", "readAdd", "writeTag", "writeAdd"};
        int[] slots = {READ_TAG, READ_ADD, WRITE_TAG, WRITE_ADD};
        for (int k = 0; k < 4; k++) {
            code.aload(cpu);
            code.getfield(CD_CPU, "mmu", CD_MMU);
            code.getfield(CD_MMU, names[k], CD_long.arrayType());
            code.astore(slots[k]);
        }
    }

    /** With a guest-virtual address on the stack: replaces it with the {@code size} bytes there, zero-extended. */
    void read(int size, boolean stack) {
        if (!inline) {
            call(size, stack, false);
            return;
        }
        code.lstore(VA);
        Label slow = code.newLabel(), done = code.newLabel();
        probe(READ_TAG, size, slow);
        target(READ_ADD, size);
        code.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(VALUE_TYPE[size], LAYOUT_TYPE[size], CD_long));
        if (size < 8) {
            code.i2l();
            code.loadConstant(size == 4 ? 0xFFFF_FFFFL : size == 2 ? 0xFFFFL : 0xFFL);
            code.land();
        }
        code.goto_(done);
        code.labelBinding(slow);
        code.aload(cpu);
        code.getfield(CD_CPU, "mmu", CD_MMU);
        code.lload(VA);
        code.loadConstant(size);
        code.loadConstant(stack ? 1 : 0);
        code.invokevirtual(CD_MMU, "readSlow", MethodTypeDesc.of(CD_long, CD_long, CD_int, CD_boolean));
        code.labelBinding(done);
    }

    /** With [address, value] on the stack: stores the low {@code size} bytes of the value there. */
    void write(int size, boolean stack) {
        if (!inline) {
            call(size, stack, true);
            return;
        }
        code.lstore(VALUE);
        code.lstore(VA);
        Label slow = code.newLabel(), done = code.newLabel();
        probe(WRITE_TAG, size, slow);
        target(WRITE_ADD, size);
        code.lload(VALUE);
        if (size < 8) {
            code.l2i();
            if (size == 1) {
                code.i2b();
            } else if (size == 2) {
                code.i2s();
            }
        }
        code.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, LAYOUT_TYPE[size], CD_long,
                VALUE_TYPE[size]));
        code.goto_(done);
        code.labelBinding(slow);
        code.aload(cpu);
        code.getfield(CD_CPU, "mmu", CD_MMU);
        code.lload(VA);
        code.loadConstant(size);
        code.lload(VALUE);
        code.loadConstant(stack ? 1 : 0);
        code.invokevirtual(CD_MMU, "writeSlow", MethodTypeDesc.of(CD_void, CD_long, CD_int, CD_long, CD_boolean));
        code.labelBinding(done);
    }

    /** The access as a call of the Cpu's accessor (the TLB probe is then the JIT's to inline). */
    private void call(int size, boolean stack, boolean write) {
        if (write) {
            code.lstore(VALUE);
            code.lstore(VA);
        } else {
            code.lstore(VA);
        }
        code.aload(cpu);
        if (stack && !write) {
            code.loadConstant(size);
        }
        code.lload(VA);
        if (write) {
            code.lload(VALUE);
        }
        if (stack && size != 8) {
            throw new IllegalArgumentException("stack access of " + size + " bytes");
        }
        String name = stack ? (write ? "writeStack64" : "readStack") : (write ? "write" : "read") + size * 8;
        code.invokevirtual(CD_CPU, name, write ? MethodTypeDesc.of(CD_void, CD_long, CD_long)
                : stack ? MethodTypeDesc.of(CD_long, CD_int, CD_long) : MethodTypeDesc.of(CD_long, CD_long));
    }

    /**
     * Jumps to {@code slow} unless the TLB whose tags are in {@code tags} holds the page of {@code VA} at the current
     * privilege and the access stays in that page; on the way through, the entry's index is in {@code INDEX}.
     */
    private void probe(int tags, int size, Label slow) {
        code.lload(VA);
        code.loadConstant(12);
        code.lushr();
        code.dup2();
        code.l2i();
        code.loadConstant(TLB_MASK);
        code.iand();
        code.dup();
        code.istore(INDEX);
        code.aload(tags);
        code.swap();
        code.laload();                                      // [vpn, tag]
        code.dup2_x2();
        code.pop2();                                        // [tag, vpn]
        code.aload(cpu);
        code.getfield(CD_CPU, "tlbKey", CD_long);
        code.lor();
        code.lcmp();
        code.ifne(slow);
        if (size > 1) {
            code.lload(VA);
            code.l2i();
            code.loadConstant(0xFFF);
            code.iand();
            code.loadConstant(0x1000 - size);
            code.if_icmpgt(slow);
        }
    }

    /** Pushes {@code HOST}, the unaligned layout of {@code size} bytes and the host address of {@code VA}. */
    private void target(int adds, int size) {
        code.getstatic(CD_PHYS, "HOST", CD_SEGMENT);
        code.getstatic(CD_LAYOUT, LAYOUT_NAME[size], LAYOUT_TYPE[size]);
        code.lload(VA);
        code.aload(adds);
        code.iload(INDEX);
        code.laload();
        code.ladd();
    }
}
