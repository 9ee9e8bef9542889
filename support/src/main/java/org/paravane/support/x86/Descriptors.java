package org.paravane.support.x86;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * Segment descriptors, IDT gates and the 64-bit TSS, in the GDT layout every Paravane guest uses. The layout fits
 * SYSCALL/SYSRET: STAR's kernel base 0x08 gives CS 0x08 / SS 0x10; its user base 0x10 gives SS 0x1b / CS 0x23.
 */
public final class Descriptors {
    private Descriptors() {
    }

    public static final int KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_DS = 0x18 | 3, USER_CS = 0x20 | 3, TSS = 0x28;
    /** GDT bytes: null, kernel code, kernel data, user data, user code, 16-byte TSS. */
    public static final int GDT_SIZE = 0x38;
    /** Bytes of a 64-bit TSS; also its I/O-map base, meaning "no I/O permission bitmap". */
    public static final int TSS_SIZE = 104;
    public static final int TSS_RSP0 = 4;
    /** Offset of IST1; IST n is at {@code TSS_IST1 + 8 * (n - 1)}. */
    public static final int TSS_IST1 = 0x24;
    public static final int TSS_IOMAP_BASE = 0x66;
    public static final int IDT_SIZE = 256 * 16;

    /** IA32_STAR for this GDT: SYSCALL loads CS 0x08/SS 0x10, SYSRET returns to CS 0x23/SS 0x1b. */
    public static final long STAR = (0x10L << 48) | ((long) KERNEL_CS << 32);

    /** A 64-bit code segment descriptor (L=1, present, readable). */
    public static long code64(int dpl) {
        return (0xAL << 40) | (1L << 44) | ((long) dpl << 45) | (1L << 47) | (1L << 53) | (0xFL << 48) | (1L << 55) | 0xFFFF;
    }

    /** A flat writable data segment descriptor. */
    public static long data(int dpl) {
        return (0x2L << 40) | (1L << 44) | ((long) dpl << 45) | (1L << 47) | (1L << 54) | (0xFL << 48) | (1L << 55) | 0xFFFF;
    }

    /** Writes the standard GDT (see the selectors above) with a TSS at {@code tssBase}. */
    public static void writeGdt(MemorySegment gdt, long tssBase) {
        gdt.set(JAVA_LONG_UNALIGNED, 0, 0);
        gdt.set(JAVA_LONG_UNALIGNED, KERNEL_CS, code64(0));
        gdt.set(JAVA_LONG_UNALIGNED, KERNEL_DS, data(0));
        gdt.set(JAVA_LONG_UNALIGNED, USER_DS & ~3, data(3));
        gdt.set(JAVA_LONG_UNALIGNED, USER_CS & ~3, code64(3));
        long limit = TSS_SIZE - 1;
        long low = (limit & 0xFFFF) | ((tssBase & 0xFFFFFF) << 16) | (0x9L << 40) | (1L << 47)
                | (((limit >>> 16) & 0xF) << 48) | (((tssBase >>> 24) & 0xFF) << 56);
        gdt.set(JAVA_LONG_UNALIGNED, TSS, low);
        gdt.set(JAVA_LONG_UNALIGNED, TSS + 8, tssBase >>> 32);
    }

    /** Writes a 64-bit TSS with kernel stack {@code rsp0}, optional IST1 (0 for none) and no I/O bitmap. */
    public static void writeTss(MemorySegment tss, long rsp0, long ist1) {
        tss.asSlice(0, TSS_SIZE).fill((byte) 0);
        tss.set(JAVA_LONG_UNALIGNED, TSS_RSP0, rsp0);
        tss.set(JAVA_LONG_UNALIGNED, TSS_IST1, ist1);
        tss.set(JAVA_SHORT_UNALIGNED, TSS_IOMAP_BASE, (short) TSS_SIZE);
    }

    /**
     * Writes a 64-bit interrupt gate (IF cleared on entry) for {@code vector} to {@code handler} in the kernel code
     * segment. {@code dpl} 3 lets user code reach it with INT n; {@code ist} 0 keeps the current/RSP0 stack.
     */
    public static void writeInterruptGate(MemorySegment idt, int vector, long handler, int dpl, int ist) {
        long base = vector * 16L;
        long low = (handler & 0xFFFF) | ((long) KERNEL_CS << 16) | ((long) (ist & 7) << 32) | (0xEL << 40)
                | ((long) dpl << 45) | (1L << 47) | (((handler >>> 16) & 0xFFFF) << 48);
        idt.set(JAVA_LONG_UNALIGNED, base, low);
        idt.set(JAVA_INT_UNALIGNED, base + 8, (int) (handler >>> 32));
        idt.set(JAVA_INT_UNALIGNED, base + 12, 0);
    }
}
