package org.paravane.support.x86;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;

/**
 * x86-64 4-level page tables written into guest memory: the guest kernel builds one per address space, tests build
 * identity maps. Entries are 4 KiB pages, or 2 MiB pages where {@link #map} finds both addresses and the size aligned.
 */
public final class PageTables {

    public static final long P = 1, RW = 1 << 1, US = 1 << 2, PWT = 1 << 3, PCD = 1 << 4, A = 1 << 5, D = 1 << 6,
            PS = 1 << 7, G = 1 << 8;
    public static final long NX = 1L << 63;
    /** Physical-address bits of an entry (bits 51:12). */
    public static final long ADDRESS = 0x000F_FFFF_FFFF_F000L;
    private static final long LARGE = 1L << 21;

    /** Hands out zeroed, present guest-physical pages for tables. */
    @FunctionalInterface
    public interface PageAllocator {
        long allocate();
    }

    private final GuestMemory memory;
    private final PageAllocator allocator;
    private final long root;

    public PageTables(GuestMemory memory, PageAllocator allocator) {
        this.memory = memory;
        this.allocator = allocator;
        this.root = allocator.allocate();
    }

    /** Guest-physical address of the PML4: the value for CR3. */
    public long root() {
        return root;
    }

    /**
     * Maps {@code [virt, virt + size)} to {@code [phys, phys + size)} with {@code flags} (of {@link #RW}, {@link #US},
     * {@link #NX}, {@link #G}; {@link #P} is implied). Page aligned.
     */
    public void map(long virt, long phys, long size, long flags) {
        if (((virt | phys | size) & 0xFFF) != 0) {
            throw new IllegalArgumentException("map needs page-aligned addresses and size: virt 0x" + Long.toHexString(virt)
                    + " phys 0x" + Long.toHexString(phys) + " size 0x" + Long.toHexString(size));
        }
        long off = 0;
        while (off < size) {
            long v = virt + off;
            long p = phys + off;
            if (((v | p) & (LARGE - 1)) == 0 && size - off >= LARGE) {
                entry(v, 2, flags | PS, p);
                off += LARGE;
            } else {
                entry(v, 1, flags, p);
                off += 4096;
            }
        }
    }

    /**
     * Walks the tables like the MMU (without A/D updates).
     *
     * @return the guest-physical address {@code virt} maps to, or -1 when it is not mapped
     */
    public long translate(long virt) {
        long table = root;
        for (int level = 4; level >= 1; level--) {
            long e = read(table, index(virt, level));
            if ((e & P) == 0) {
                return -1;
            }
            if (level == 1 || (level == 2 && (e & PS) != 0)) {
                long pageSize = level == 1 ? 4096 : LARGE;
                return (e & ADDRESS & -pageSize) | (virt & (pageSize - 1));
            }
            table = e & ADDRESS;
        }
        throw new AssertionError();
    }

    /** The leaf entry mapping {@code virt}, or 0 when none. */
    public long leaf(long virt) {
        long table = root;
        for (int level = 4; level >= 1; level--) {
            long e = read(table, index(virt, level));
            if ((e & P) == 0 || level == 1 || (level == 2 && (e & PS) != 0)) {
                return e;
            }
            table = e & ADDRESS;
        }
        throw new AssertionError();
    }

    /**
     * Replaces the 4 KiB leaf entry of {@code virt} with {@code entry} (0 unmaps it) where its page table exists;
     * returns the entry it replaced, 0 when none. The caller flushes the TLB of every vCPU using these tables.
     */
    public long replaceLeaf(long virt, long entry) {
        long table = root;
        for (int level = 4; level > 1; level--) {
            long e = read(table, index(virt, level));
            if ((e & P) == 0) {
                if (entry != 0) {
                    throw new IllegalStateException("0x" + Long.toHexString(virt) + " has no page table to hold an entry");
                }
                return 0;
            }
            if (level == 2 && (e & PS) != 0) {
                throw new IllegalStateException("0x" + Long.toHexString(virt) + " is inside a large page");
            }
            table = e & ADDRESS;
        }
        int i = index(virt, 1);
        long old = read(table, i);
        write(table, i, entry);
        return old;
    }

    /** Receives the 4 KiB leaf entries {@link #forEachLeaf} finds. */
    @FunctionalInterface
    public interface LeafVisitor {
        void visit(long virt, long entry);
    }

    /**
     * Calls {@code visitor} for every non-zero 4 KiB leaf entry (present or not) mapping an address in
     * {@code [from, to)}, in address order, skipping absent tables; large pages are not visited. The visitor may
     * replace the entry it is given ({@link #replaceLeaf}).
     */
    public void forEachLeaf(long from, long to, LeafVisitor visitor) {
        walk(root, 4, 0, from, to, visitor);
    }

    private void walk(long table, int level, long base, long from, long to, LeafVisitor visitor) {
        long span = 1L << (12 + 9 * (level - 1));
        for (int i = 0; i < 512; i++) {
            long start = base + i * span;
            if (start + span <= from || start >= to) {
                continue;
            }
            long e = read(table, i);
            if (level == 1) {
                if (e != 0) {
                    visitor.visit(start, e);
                }
            } else if ((e & P) != 0 && !(level == 2 && (e & PS) != 0)) {
                walk(e & ADDRESS, level - 1, start, from, to, visitor);
            }
        }
    }

    private void entry(long virt, int leafLevel, long flags, long phys) {
        long table = root;
        for (int level = 4; level > leafLevel; level--) {
            int i = index(virt, level);
            long e = read(table, i);
            if ((e & P) == 0) {
                long next = allocator.allocate();
                // Intermediate levels grant everything; the leaf decides (the MMU ANDs R/W and U/S, ORs NX).
                e = next | P | RW | US;
                write(table, i, e);
            } else if ((e & PS) != 0) {
                throw new IllegalStateException("0x" + Long.toHexString(virt) + " is already inside a large page");
            }
            table = e & ADDRESS;
        }
        write(table, index(virt, leafLevel), phys | flags | P);
    }

    private static int index(long virt, int level) {
        return (int) ((virt >>> (12 + 9 * (level - 1))) & 0x1FF);
    }

    private long read(long table, int index) {
        return page(table).get(JAVA_LONG_UNALIGNED, index * 8L);
    }

    private void write(long table, int index, long value) {
        page(table).set(JAVA_LONG_UNALIGNED, index * 8L, value);
    }

    private MemorySegment page(long gpa) {
        try {
            return memory.slice(gpa, 4096);
        } catch (PageSourceException e) {
            throw new IllegalStateException("page table page 0x" + Long.toHexString(gpa) + " could not be made present", e);
        }
    }
}
