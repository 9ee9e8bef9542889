package org.paravane.vmm.linux.mm;

import java.util.random.RandomGenerator;

/**
 * Where Linux x86-64 puts a process's areas (arch/x86/mm/mmap.c, fs/binfmt_elf.c): user space ends at
 * {@code TASK_SIZE} (47 bits less a page); the stack sits at the top with its RLIMIT_STACK size, the mmap area grows
 * down from below the stack gap, and brk starts after the image. Randomisation is optional and seedable.
 *
 * @param stackTop   the highest stack address (exclusive)
 * @param stackSize  the stack area's size (RLIMIT_STACK, page aligned)
 * @param mmapBase   the top of the mmap area: top-down searches start here
 * @param brkStart   the initial program break
 * @param guardGap   the gap kept below a grows-down area (Linux's stack_guard_gap, 256 pages)
 * @param minAddress the lowest mappable address (vm.mmap_min_addr)
 */
public record Layout(long stackTop, long stackSize, long mmapBase, long brkStart, long guardGap, long minAddress) {

    public static final long TASK_SIZE = (1L << 47) - Mman.PAGE_SIZE;
    /** Where a static-PIE (ET_DYN) image is loaded: two thirds of the address space. */
    public static final long ELF_ET_DYN_BASE = (TASK_SIZE / 3 * 2) & Mman.PAGE_MASK;
    public static final long DEFAULT_RLIMIT_STACK = 8L << 20;
    public static final long STACK_GUARD_GAP = 256 * Mman.PAGE_SIZE;
    public static final long MMAP_MIN_ADDR = 0x10000;

    private static final long MIN_GAP = 128L << 20;
    private static final long MAX_GAP = TASK_SIZE / 6 * 5;
    /** 16 GiB of stack randomisation and 28 bits of mmap randomisation (pages), as x86-64 does. */
    private static final long STACK_RANDOM_PAGES = (16L << 30) / Mman.PAGE_SIZE, MMAP_RANDOM_PAGES = 1L << 28;
    private static final long BRK_RANDOM = 32L << 20;

    public Layout {
        if (stackSize <= 0 || !Mman.pageAligned(stackSize) || !Mman.pageAligned(stackTop) || !Mman.pageAligned(mmapBase)
                || !Mman.pageAligned(brkStart) || stackTop > TASK_SIZE || mmapBase > stackTop - stackSize
                || brkStart >= mmapBase) {
            throw new IllegalArgumentException("inconsistent layout: stack top 0x" + Long.toHexString(stackTop)
                    + ", stack size " + stackSize + ", mmap base 0x" + Long.toHexString(mmapBase) + ", brk 0x"
                    + Long.toHexString(brkStart));
        }
    }

    /** The fixed layout: no randomisation, as with {@code setarch -R}. */
    public static Layout fixed(long imageEnd, long rlimitStack) {
        return compute(imageEnd, rlimitStack, null);
    }

    /** A randomised layout drawn from {@code random} (seed it for a reproducible run). */
    public static Layout randomized(long imageEnd, long rlimitStack, RandomGenerator random) {
        return compute(imageEnd, rlimitStack, random);
    }

    private static Layout compute(long imageEnd, long rlimitStack, RandomGenerator random) {
        if (imageEnd <= 0 || imageEnd >= ELF_ET_DYN_BASE + (4L << 30)) {   // a static-PIE image sits at ELF_ET_DYN_BASE
            throw new IllegalArgumentException("image end 0x" + Long.toHexString(imageEnd) + " is outside user space");
        }
        if (rlimitStack <= 0) {
            throw new IllegalArgumentException("RLIMIT_STACK must be positive: " + rlimitStack);
        }
        long stackSize = Math.min(Mman.pageAlignUp(rlimitStack), MAX_GAP);
        long stackRandom = random == null ? 0 : random.nextLong(STACK_RANDOM_PAGES) * Mman.PAGE_SIZE;
        long stackTop = TASK_SIZE - stackRandom;
        // mmap_base(): the gap below TASK_SIZE is the stack limit plus the guard gap and the stack's randomisation.
        long gap = Math.clamp(stackSize + STACK_GUARD_GAP + (random == null ? 0 : STACK_RANDOM_PAGES * Mman.PAGE_SIZE),
                MIN_GAP, MAX_GAP);
        long mmapRandom = random == null ? 0 : random.nextLong(MMAP_RANDOM_PAGES) * Mman.PAGE_SIZE;
        long mmapBase = (TASK_SIZE - gap - mmapRandom) & Mman.PAGE_MASK;
        long brkStart = Mman.pageAlignUp(imageEnd) + (random == null ? 0 : random.nextLong(BRK_RANDOM) & Mman.PAGE_MASK);
        return new Layout(stackTop, stackSize, mmapBase, brkStart, STACK_GUARD_GAP, MMAP_MIN_ADDR);
    }

    public long stackBottom() {
        return stackTop - stackSize;
    }
}
