package org.paravane.vmm.linux.mm;

/** Linux's mmap, mprotect, mremap and madvise argument values (asm-generic/mman-common.h, x86-64). */
public final class Mman {
    private Mman() {
    }

    public static final long PAGE_SIZE = 4096, PAGE_MASK = ~(PAGE_SIZE - 1);

    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_SEM = 8,
            PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;

    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f,
            MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800,
            MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000,
            MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000,
            MAP_FIXED_NOREPLACE = 0x100000, MAP_UNINITIALIZED = 0x4000000;

    /** The flags MAP_SHARED_VALIDATE knows; any other bit makes it fail with EOPNOTSUPP. */
    static final int LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE
            | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE
            | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;

    public static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

    public static final int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3,
            MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11,
            MADV_MERGEABLE = 12, MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15,
            MADV_DONTDUMP = 16, MADV_DODUMP = 17, MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19, MADV_COLD = 20,
            MADV_PAGEOUT = 21, MADV_POPULATE_READ = 22, MADV_POPULATE_WRITE = 23;

    static long pageAlignUp(long length) {
        return (length + PAGE_SIZE - 1) & PAGE_MASK;
    }

    static boolean pageAligned(long address) {
        return (address & (PAGE_SIZE - 1)) == 0;
    }
}
