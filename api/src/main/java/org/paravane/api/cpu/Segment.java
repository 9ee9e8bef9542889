package org.paravane.api.cpu;

/**
 * A segment register with its hidden descriptor cache, field for field as KVM's {@code struct kvm_segment}.
 *
 * @param selector the visible 16-bit selector
 * @param base     linear base address (FS/GS bases carry the 64-bit value; IA32_FS_BASE/GS_BASE are these)
 * @param limit    byte-granular limit (already scaled when {@code granularity} is set)
 * @param type     the 4-bit descriptor type field
 * @param system   false for system descriptors (TSS, LDT), true for code/data (the descriptor's S bit)
 * @param dpl      descriptor privilege level 0..3; for CS and SS this is the current privilege level
 * @param present  the P bit
 * @param avl      the software-available bit
 * @param longMode the L bit (64-bit code segment)
 * @param db       the D/B bit (default operand size 32)
 * @param granularity the G bit
 * @param unusable whether the register holds a null selector (Intel's "unusable")
 */
public record Segment(int selector, long base, int limit, int type, boolean system, int dpl, boolean present,
                      boolean avl, boolean longMode, boolean db, boolean granularity, boolean unusable) {

    public Segment {
        if ((selector & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("segment selector must fit 16 bits: 0x" + Integer.toHexString(selector));
        }
        if ((type & ~0xF) != 0) {
            throw new IllegalArgumentException("segment type must fit 4 bits: " + type);
        }
        if (dpl < 0 || dpl > 3) {
            throw new IllegalArgumentException("segment DPL must be 0..3: " + dpl);
        }
    }

    /** A 64-bit code segment (type 0xB: execute/read, accessed) at privilege {@code dpl}. */
    public static Segment code64(int selector, int dpl) {
        return new Segment(selector, 0, 0xFFFFFFFF, 0xB, true, dpl, true, false, true, false, true, false);
    }

    /** A flat data segment (type 0x3: read/write, accessed) at privilege {@code dpl}. */
    public static Segment data(int selector, int dpl) {
        return new Segment(selector, 0, 0xFFFFFFFF, 0x3, true, dpl, true, false, false, true, true, false);
    }

    /** A null data segment register (selector 0, marked unusable). */
    public static Segment nullSegment() {
        return new Segment(0, 0, 0, 0, false, 0, false, false, false, false, false, true);
    }

    /** A 64-bit available TSS (type 0xB busy) at {@code base} spanning {@code limit + 1} bytes. */
    public static Segment tss64(int selector, long base, int limit) {
        return new Segment(selector, base, limit, 0xB, false, 0, true, false, false, false, false, false);
    }

    /** The same segment at another base (FS and GS bases change without a selector load). */
    public Segment withBase(long newBase) {
        return new Segment(selector, newBase, limit, type, system, dpl, present, avl, longMode, db, granularity, unusable);
    }
}
