package org.paravane.emulated.event;

import org.paravane.api.cpu.Segment;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Vectors;

/**
 * Segment descriptors in the GDT and LDT, and the segment-register loads of 64-bit mode (MOV/POP to a segment
 * register, LTR, LLDT) with their protection checks. Descriptor-table reads are supervisor accesses through paging.
 */
public final class Segments {
    private Segments() {
    }

    /** Raw descriptor bits. */
    static long base(long raw) {
        return ((raw >>> 16) & 0xFF_FFFFL) | (((raw >>> 56) & 0xFF) << 24);
    }

    static int limit(long raw) {
        long l = (raw & 0xFFFF) | (((raw >>> 48) & 0xF) << 16);
        return (int) (granular(raw) ? (l << 12) | 0xFFF : l);
    }

    static int type(long raw) {
        return (int) ((raw >>> 40) & 0xF);
    }

    static boolean codeOrData(long raw) {
        return ((raw >>> 44) & 1) != 0;
    }

    static int dpl(long raw) {
        return (int) ((raw >>> 45) & 3);
    }

    static boolean present(long raw) {
        return ((raw >>> 47) & 1) != 0;
    }

    static boolean longBit(long raw) {
        return ((raw >>> 53) & 1) != 0;
    }

    static boolean defaultBig(long raw) {
        return ((raw >>> 54) & 1) != 0;
    }

    static boolean granular(long raw) {
        return ((raw >>> 55) & 1) != 0;
    }

    static boolean isCode(long raw) {
        return codeOrData(raw) && (type(raw) & 8) != 0;
    }

    static boolean conforming(long raw) {
        return isCode(raw) && (type(raw) & 4) != 0;
    }

    /** The segment-register cache of a code or data descriptor. */
    static Segment toSegment(int selector, long raw) {
        return new Segment(selector, base(raw), limit(raw), type(raw), codeOrData(raw), dpl(raw), present(raw),
                ((raw >>> 52) & 1) != 0, longBit(raw), defaultBig(raw), granular(raw), false);
    }

    /** A null selector with the given RPL, as 64-bit mode loads it (base kept for FS/GS by the caller). */
    static Segment nullSelector(int selector, int dpl) {
        return new Segment(selector, 0, 0, 0, false, dpl, false, false, false, false, false, true);
    }

    /** Linear address of the descriptor of {@code selector}, or -1 when it is beyond its table's limit. */
    static long descriptorAddress(Cpu c, int selector, int size) {
        int index = selector & 0xFFF8;
        if ((selector & 4) != 0) {
            Segment ldt = c.seg[Cpu.LDTR];
            if (ldt.unusable() || index + size - 1 > ldt.limit()) {
                return -1;
            }
            return ldt.base() + index;
        }
        if (index + size - 1 > c.gdtLimit) {
            return -1;
        }
        return c.gdtBase + index;
    }

    /** The 8-byte descriptor of a (non-null) selector; #GP(selector) beyond the table limit. */
    static long descriptor(Cpu c, int selector, int errorExt) {
        long a = descriptorAddress(c, selector, 8);
        if (a < 0) {
            throw c.raise(Vectors.GP, (selector & 0xFFFC) | errorExt);
        }
        return c.mmu.readSupervisor(a, 8);
    }

    /** Sets the accessed bit of a descriptor the first time a segment register loads it. */
    static void markAccessed(Cpu c, int selector, long raw) {
        if ((raw & (1L << 40)) == 0) {
            long a = descriptorAddress(c, selector, 8);
            c.mmu.writeSupervisor(a + 5, 1, ((raw >>> 40) & 0xFF) | 1);
        }
    }

    /**
     * MOV/POP to DS, ES, FS, GS or SS in 64-bit mode. A null selector is allowed for DS/ES/FS/GS, and for SS at
     * CPL &lt; 3 with RPL = CPL. FS and GS keep a 32-bit base from the descriptor (null keeps the old base).
     */
    public static void load(Cpu c, int reg, int selector) {
        selector &= 0xFFFF;
        int rpl = selector & 3;
        if ((selector & 0xFFFC) == 0) {
            if (reg == Cpu.SS) {
                if (c.cpl == 3 || rpl != c.cpl) {
                    throw c.gp(0);
                }
                c.seg[Cpu.SS] = nullSelector(selector, c.cpl);
                return;
            }
            Segment old = c.seg[reg];
            c.seg[reg] = nullSelector(selector, 0).withBase(reg == Cpu.FS || reg == Cpu.GS ? old.base() : 0);
            return;
        }
        long raw = descriptor(c, selector, 0);
        int dpl = dpl(raw);
        int err = selector & 0xFFFC;
        if (reg == Cpu.SS) {
            boolean writableData = codeOrData(raw) && (type(raw) & 0xA) == 0x2;
            if (rpl != c.cpl || dpl != c.cpl || !writableData) {
                throw c.raise(Vectors.GP, err);
            }
            if (!present(raw)) {
                throw c.raise(Vectors.SS, err);
            }
        } else {
            boolean readable = codeOrData(raw) && ((type(raw) & 8) == 0 || (type(raw) & 2) != 0);
            if (!readable) {
                throw c.raise(Vectors.GP, err);
            }
            if (!conforming(raw) && (rpl > dpl || c.cpl > dpl)) {
                throw c.raise(Vectors.GP, err);
            }
            if (!present(raw)) {
                throw c.raise(Vectors.NP, err);
            }
        }
        markAccessed(c, selector, raw);
        Segment s = toSegment(selector, raw | (1L << 40));
        c.seg[reg] = s;
        if (reg == Cpu.FS) {
            c.fsBase = s.base();
        } else if (reg == Cpu.GS) {
            c.gsBase = s.base();
        }
    }

    /** LTR: loads a 64-bit available TSS from the GDT and marks it busy. */
    public static void loadTaskRegister(Cpu c, int selector) {
        selector &= 0xFFFF;
        if ((selector & 0xFFFC) == 0) {
            throw c.gp(0);
        }
        SystemDescriptor d = systemDescriptor(c, selector, 0x9);
        long raw = d.raw();
        c.mmu.writeSupervisor(d.address() + 5, 1, ((raw >>> 40) & 0xFF) | 2);     // busy
        c.seg[Cpu.TR] = new Segment(selector, d.base(), limit(raw), 0xB, false,
                dpl(raw), true, ((raw >>> 52) & 1) != 0, false, false, granular(raw), false);
    }

    /** LLDT: loads an LDT descriptor from the GDT (a null selector disables the LDT). */
    public static void loadLdt(Cpu c, int selector) {
        selector &= 0xFFFF;
        if ((selector & 0xFFFC) == 0) {
            c.seg[Cpu.LDTR] = nullSelector(selector, 0);
            return;
        }
        SystemDescriptor d = systemDescriptor(c, selector, 0x2);
        long raw = d.raw();
        c.seg[Cpu.LDTR] = new Segment(selector, d.base(), limit(raw), 0x2, false,
                dpl(raw), true, false, false, false, granular(raw), false);
    }

    /** A 16-byte system descriptor of the GDT: where it is, its low quadword, and its 64-bit base. */
    private record SystemDescriptor(long address, long raw, long base) {
    }

    /**
     * The GDT's system descriptor (TSS, LDT) for a non-null {@code selector}, of descriptor type {@code type}:
     * #GP(selector) for an LDT selector, one beyond the GDT limit or another type; #NP(selector) when not present.
     */
    private static SystemDescriptor systemDescriptor(Cpu c, int selector, int type) {
        int err = selector & 0xFFFC;
        if ((selector & 4) != 0) {
            throw c.raise(Vectors.GP, err);
        }
        long a = descriptorAddress(c, selector, 16);
        if (a < 0) {
            throw c.raise(Vectors.GP, err);
        }
        long raw = c.mmu.readSupervisor(a, 8);
        long high = c.mmu.readSupervisor(a + 8, 8);
        if (codeOrData(raw) || type(raw) != type) {
            throw c.raise(Vectors.GP, err);
        }
        if (!present(raw)) {
            throw c.raise(Vectors.NP, err);
        }
        return new SystemDescriptor(a, raw, base(raw) | ((high & 0xFFFF_FFFFL) << 32));
    }

    /** The flat 64-bit code segment SYSCALL loads. */
    static Segment kernelCode(int selector) {
        return new Segment(selector, 0, 0xFFFF_FFFF, 0xB, true, 0, true, false, true, false, true, false);
    }

    static Segment flatData(int selector, int dpl) {
        return new Segment(selector, 0, 0xFFFF_FFFF, 0x3, true, dpl, true, false, false, true, true, false);
    }

    static Segment userCode(int selector, boolean longMode) {
        return new Segment(selector, 0, 0xFFFF_FFFF, 0xB, true, 3, true, false, longMode, !longMode, true, false);
    }
}
