package org.paravane.vmm.linux.mm;

import static org.paravane.vmm.linux.Errno.EACCES;
import static org.paravane.vmm.linux.Errno.EBADF;
import static org.paravane.vmm.linux.Errno.EEXIST;
import static org.paravane.vmm.linux.Errno.EFAULT;
import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.ENOMEM;
import static org.paravane.vmm.linux.Errno.EOPNOTSUPP;
import static org.paravane.vmm.linux.Errno.EOVERFLOW;
import static org.paravane.vmm.linux.Errno.EPERM;
import static org.paravane.vmm.linux.mm.Mman.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A process's memory map with Linux's semantics for mmap, munmap, mprotect, mremap, madvise and brk. Adjacent areas
 * that Linux would merge are merged, so the list (and {@code /proc/self/maps}) reads as Linux's. Every change is
 * reported to {@code pageTables} in the order it happens. Not thread-safe: the process's memory lock guards it.
 */
public final class MemoryMap {
    /** Linux's default vm.max_map_count. */
    public static final int MAX_MAP_COUNT = 65530;

    private final VmaList vmas;
    private final Layout layout;
    private final Consumer<MapChange> pageTables;
    private final long rlimitData;
    private long brk;

    /** A map holding only the stack area of {@code layout}, with no limit on the data segment. */
    public MemoryMap(Layout layout, Consumer<MapChange> pageTables) {
        this(layout, Long.MAX_VALUE, pageTables);
    }

    public MemoryMap(Layout layout, long rlimitData, Consumer<MapChange> pageTables) {
        this.layout = layout;
        this.vmas = new VmaList(layout.guardGap(), layout.minAddress());
        this.pageTables = pageTables;
        this.rlimitData = rlimitData;
        this.brk = layout.brkStart();
        vmas.insert(new Vma(layout.stackBottom(), layout.stackTop(), PROT_READ | PROT_WRITE, false, true, Backing.ANONYMOUS,
                0, "[stack]"));
    }

    /**
     * A copy of this map for a forked process: the same areas and program break, its changes reported to
     * {@code pageTables} (the copy's own page tables, which the caller copies).
     */
    public MemoryMap copy(Consumer<MapChange> pageTables) {
        MemoryMap copy = new MemoryMap(layout, rlimitData, pageTables);
        copy.vmas.clear();
        vmas.all().forEach(copy.vmas::insert);
        copy.brk = brk;
        return copy;
    }

    public Layout layout() {
        return layout;
    }

    /** The areas in address order. */
    public List<Vma> vmas() {
        return vmas.all();
    }

    /** The area containing {@code address}, or null. */
    public Vma find(long address) {
        return vmas.get(address);
    }

    /** The current program break (what brk(0) returns). */
    public long brk() {
        return brk;
    }

    // ---------------------------------------------------------------- mmap

    /**
     * mmap(2). {@code backing} is ignored for MAP_ANONYMOUS and must be a file otherwise (the system call layer
     * turns the fd into it, EBADF when it is not a mappable file). Returns the mapped address.
     */
    public long mmap(long address, long length, int prot, int flags, Backing backing, long offset) throws ErrnoException {
        if ((offset & ~PAGE_MASK) != 0) {
            throw new ErrnoException(EINVAL, "offset " + offset + " is not page aligned");
        }
        if (length == 0) {
            throw new ErrnoException(EINVAL, "length is 0");
        }
        long len = pageAlignUp(length);
        if (length < 0 || len <= 0 || len > Layout.TASK_SIZE) {
            throw new ErrnoException(ENOMEM, "length " + Long.toUnsignedString(length) + " exceeds user space");
        }
        if (offset + len < offset) {
            throw new ErrnoException(EOVERFLOW, "offset + length overflows");
        }
        boolean shared = switch (flags & MAP_TYPE) {
            case MAP_SHARED -> true;
            case MAP_PRIVATE -> false;
            case MAP_SHARED_VALIDATE -> {
                if ((flags & ~(LEGACY_MAP_MASK | MAP_SYNC | MAP_FIXED_NOREPLACE | MAP_TYPE)) != 0) {
                    throw new ErrnoException(EOPNOTSUPP, "MAP_SHARED_VALIDATE with unknown flags 0x"
                            + Integer.toHexString(flags));
                }
                yield true;
            }
            default -> throw new ErrnoException(EINVAL, "flags 0x" + Integer.toHexString(flags)
                    + " ask for neither MAP_PRIVATE nor MAP_SHARED");
        };
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        Backing effective = anonymous ? Backing.ANONYMOUS : backing;
        if (effective instanceof Backing.File file) {
            if (!file.readable()) {
                throw new ErrnoException(EACCES, "file is not open for reading");
            }
            if (shared && (prot & PROT_WRITE) != 0 && !file.writable()) {
                throw new ErrnoException(EACCES, "shared writable mapping of a file not open for writing");
            }
        } else if (!anonymous) {
            throw new ErrnoException(EBADF, "no file to map without MAP_ANONYMOUS");
        }
        if ((flags & MAP_HUGETLB) != 0) {
            throw new ErrnoException(ENOMEM, "no huge pages are reserved");
        }
        long at = placement(address, len, flags);
        if (vmas.size() >= MAX_MAP_COUNT) {
            throw new ErrnoException(ENOMEM, "more than " + MAX_MAP_COUNT + " mappings");
        }
        unmapRange(at, at + len);
        long fileOffset = anonymous ? 0 : offset;
        vmas.insert(new Vma(at, at + len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), shared,
                (flags & MAP_GROWSDOWN) != 0, effective, fileOffset, ""));
        pageTables.accept(new MapChange.Mapped(at, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), shared,
                effective, fileOffset));
        return at;
    }

    private long placement(long address, long len, int flags) throws ErrnoException {
        boolean noReplace = (flags & MAP_FIXED_NOREPLACE) != 0;
        if ((flags & MAP_FIXED) != 0 || noReplace) {
            if (!pageAligned(address)) {
                throw new ErrnoException(EINVAL, "fixed address 0x" + Long.toHexString(address) + " is not page aligned");
            }
            if (address < 0 || address > Layout.TASK_SIZE - len) {
                throw new ErrnoException(ENOMEM, "fixed range ends beyond user space");
            }
            if (address < layout.minAddress()) {
                throw new ErrnoException(EPERM, "address 0x" + Long.toHexString(address) + " is below mmap_min_addr");
            }
            if (noReplace && vmas.overlaps(address, address + len)) {
                throw new ErrnoException(EEXIST, "0x" + Long.toHexString(address) + " is already mapped");
            }
            return address;
        }
        long hint = pageAlignUp(address);
        if (hint != 0 && hint >= layout.minAddress() && hint > 0 && hint <= Layout.TASK_SIZE - len && vmas.isFree(hint, len)) {
            return hint;
        }
        long at = vmas.topDown(len, layout.mmapBase());
        if (at < 0) {
            throw new ErrnoException(ENOMEM, "no room for " + len + " bytes");
        }
        return at;
    }

    // ---------------------------------------------------------------- munmap

    /** munmap(2): unmapping a range with nothing mapped is not an error. */
    public void munmap(long address, long length) throws ErrnoException {
        if (!pageAligned(address)) {
            throw new ErrnoException(EINVAL, "address 0x" + Long.toHexString(address) + " is not page aligned");
        }
        long len = pageAlignUp(length);
        if (length == 0 || len <= 0 || address < 0 || address > Layout.TASK_SIZE || len > Layout.TASK_SIZE - address) {
            throw new ErrnoException(EINVAL, "range 0x" + Long.toHexString(address) + "+" + Long.toUnsignedString(length)
                    + " is empty or outside user space");
        }
        unmapRange(address, address + len);
    }

    private void unmapRange(long start, long end) {
        for (Vma v : vmas.carve(start, end)) {
            vmas.remove(v);
            pageTables.accept(new MapChange.Unmapped(v.start(), v.length()));
        }
    }

    // ---------------------------------------------------------------- mprotect

    /** mprotect(2): areas before a hole keep their new protection, as in Linux, and the hole gives ENOMEM. */
    public void mprotect(long address, long length, int prot) throws ErrnoException {
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) != 0
                || (prot & (PROT_GROWSDOWN | PROT_GROWSUP)) == (PROT_GROWSDOWN | PROT_GROWSUP)) {
            throw new ErrnoException(EINVAL, "unknown protection 0x" + Integer.toHexString(prot));
        }
        if (!pageAligned(address)) {
            throw new ErrnoException(EINVAL, "address 0x" + Long.toHexString(address) + " is not page aligned");
        }
        if (length == 0) {
            return;
        }
        long len = pageAlignUp(length);
        long end = address + len;
        if (len <= 0 || end <= address) {
            throw new ErrnoException(ENOMEM, "range wraps around");
        }
        Vma first = vmas.get(address);
        if (first == null) {
            throw new ErrnoException(ENOMEM, "0x" + Long.toHexString(address) + " is not mapped");
        }
        if ((prot & PROT_GROWSUP) != 0) {
            throw new ErrnoException(EINVAL, "no area grows up on x86-64");
        }
        if ((prot & PROT_GROWSDOWN) != 0) {
            if (!first.growsDown()) {
                throw new ErrnoException(EINVAL, "PROT_GROWSDOWN on an area that does not grow down");
            }
            address = first.start();
        }
        int newProt = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
        long expected = address;
        List<Vma> changed = new ArrayList<>();
        ErrnoException failure = null;
        for (Vma v : vmas.carve(address, end)) {
            if (v.start() != expected) {
                failure = new ErrnoException(ENOMEM, "0x" + Long.toHexString(expected) + " is not mapped");
                break;
            }
            if (v.shared() && (newProt & PROT_WRITE) != 0 && v.backing() instanceof Backing.File f && !f.writable()) {
                failure = new ErrnoException(EACCES, "shared mapping of a file not open for writing");
                break;
            }
            changed.add(v);
            expected = v.end();
        }
        if (failure == null && expected < end) {
            failure = new ErrnoException(ENOMEM, "0x" + Long.toHexString(expected) + " is not mapped");
        }
        // Like Linux, the areas before the failing one keep their new protection.
        changed.forEach(vmas::remove);
        for (Vma v : changed) {
            vmas.insert(v.withProt(newProt));
            pageTables.accept(new MapChange.Protected(v.start(), v.length(), newProt));
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---------------------------------------------------------------- mremap

    /** mremap(2). Returns the area's (possibly new) address. */
    public long mremap(long oldAddress, long oldLength, long newLength, int flags, long newAddress) throws ErrnoException {
        if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0) {
            throw new ErrnoException(EINVAL, "unknown mremap flags 0x" + Integer.toHexString(flags));
        }
        boolean mayMove = (flags & MREMAP_MAYMOVE) != 0, fixed = (flags & MREMAP_FIXED) != 0;
        if (fixed && !mayMove) {
            throw new ErrnoException(EINVAL, "MREMAP_FIXED without MREMAP_MAYMOVE");
        }
        if ((flags & MREMAP_DONTUNMAP) != 0) {
            throw new ErrnoException(EINVAL, "MREMAP_DONTUNMAP is not supported for these mappings");
        }
        if (!pageAligned(oldAddress)) {
            throw new ErrnoException(EINVAL, "old address 0x" + Long.toHexString(oldAddress) + " is not page aligned");
        }
        long oldLen = pageAlignUp(oldLength), newLen = pageAlignUp(newLength);
        if (newLen == 0 || newLen < 0 || oldLen < 0) {
            throw new ErrnoException(EINVAL, "new length is 0");
        }
        if (fixed) {
            if (!pageAligned(newAddress) || newLen > Layout.TASK_SIZE || newAddress < 0
                    || newAddress > Layout.TASK_SIZE - newLen) {
                throw new ErrnoException(EINVAL, "fixed target 0x" + Long.toHexString(newAddress) + " is not usable");
            }
            if (newAddress < oldAddress + oldLen && oldAddress < newAddress + newLen) {
                throw new ErrnoException(EINVAL, "old and new ranges overlap");
            }
        }
        Vma vma = vmas.get(oldAddress);
        if (vma == null) {
            throw new ErrnoException(EFAULT, "0x" + Long.toHexString(oldAddress) + " is not mapped");
        }
        if (oldLen > vma.end() - oldAddress) {
            throw new ErrnoException(EFAULT, "old range spans more than one mapping");
        }
        if (oldLen == 0) {
            // Linux duplicates a shared mapping for old length 0; shared memory comes with fork (next issue).
            throw new ErrnoException(EINVAL, vma.shared() ? "duplicating a shared mapping is not supported"
                    : "old length 0 duplicates only shared mappings");
        }
        if (fixed) {
            unmapRange(newAddress, newAddress + newLen);
            if (oldLen > newLen) {
                unmapRange(oldAddress + newLen, oldAddress + oldLen);
                oldLen = newLen;
            }
            return move(vma, oldAddress, oldLen, newAddress, newLen);
        }
        if (newLen <= oldLen) {
            unmapRange(oldAddress + newLen, oldAddress + oldLen);
            return oldAddress;
        }
        long grownEnd = oldAddress + newLen;
        if (oldAddress + oldLen == vma.end() && grownEnd <= Layout.TASK_SIZE && vmas.isFree(vma.end(), grownEnd - vma.end())) {
            long added = grownEnd - vma.end();
            Vma grown = new Vma(vma.start(), grownEnd, vma.prot(), vma.shared(), vma.growsDown(), vma.backing(),
                    vma.fileOffset(), vma.name());
            vmas.replace(vma, grown);
            pageTables.accept(new MapChange.Mapped(vma.end(), added, vma.prot(), vma.shared(), vma.backing(),
                    vma.anonymous() ? 0 : vma.fileOffset() + vma.length()));
            return oldAddress;
        }
        if (!mayMove) {
            throw new ErrnoException(ENOMEM, "cannot grow in place and MREMAP_MAYMOVE is not set");
        }
        long target = vmas.topDown(newLen, layout.mmapBase());
        if (target < 0) {
            throw new ErrnoException(ENOMEM, "no room for " + newLen + " bytes");
        }
        return move(vma, oldAddress, oldLen, target, newLen);
    }

    private long move(Vma vma, long oldAddress, long oldLen, long target, long newLen) {
        Vma old = vma.slice(oldAddress, oldAddress + oldLen);
        for (Vma piece : vmas.carve(oldAddress, oldAddress + oldLen)) {
            vmas.remove(piece);
        }
        pageTables.accept(new MapChange.Moved(oldAddress, target, oldLen));
        vmas.insert(old.movedTo(target, newLen));
        if (newLen > oldLen) {
            pageTables.accept(new MapChange.Mapped(target + oldLen, newLen - oldLen, old.prot(), old.shared(),
                    old.backing(), old.anonymous() ? 0 : old.fileOffset() + oldLen));
        }
        return target;
    }

    // ---------------------------------------------------------------- madvise

    /**
     * madvise(2). DONTNEED (and FREE, which Linux may treat the same) report the ranges whose private pages must be
     * dropped as {@link MapChange.Discarded}; the other advice changes nothing here.
     */
    public void madvise(long address, long length, int advice) throws ErrnoException {
        boolean known = switch (advice) {
            case MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
                    MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
                    MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
                    MADV_POPULATE_READ, MADV_POPULATE_WRITE -> true;
            default -> false;
        };
        if (!known) {
            throw new ErrnoException(EINVAL, "unknown advice " + advice);
        }
        if (!pageAligned(address)) {
            throw new ErrnoException(EINVAL, "address 0x" + Long.toHexString(address) + " is not page aligned");
        }
        long len = pageAlignUp(length);
        if (length != 0 && len == 0 || address + len < address) {
            throw new ErrnoException(EINVAL, "range wraps around");
        }
        long end = address + len;
        if (end == address) {
            return;
        }
        long expected = address;
        boolean hole = false;
        for (Vma piece : vmas.within(address, end)) {
            hole |= piece.start() != expected;
            expected = piece.end();
            advise(piece, advice);
        }
        if (hole || expected < end) {
            throw new ErrnoException(ENOMEM, "part of the range is not mapped");
        }
    }

    private void advise(Vma range, int advice) throws ErrnoException {
        switch (advice) {
            case MADV_DONTNEED -> pageTables.accept(new MapChange.Discarded(range.start(), range.length(), range.shared(),
                    range.backing(), range.fileOffset()));
            case MADV_FREE -> {
                if (!range.anonymous() || range.shared()) {
                    throw new ErrnoException(EINVAL, "MADV_FREE applies to private anonymous memory only");
                }
                pageTables.accept(new MapChange.Discarded(range.start(), range.length(), range.shared(), range.backing(), 0));
            }
            case MADV_REMOVE -> {
                if (!range.shared()) {
                    throw new ErrnoException(EINVAL, "MADV_REMOVE applies to shared mappings only");
                }
                pageTables.accept(new MapChange.Discarded(range.start(), range.length(), range.shared(), range.backing(),
                        range.fileOffset()));
            }
            case MADV_WIPEONFORK -> {
                if (!range.anonymous() || range.shared()) {
                    throw new ErrnoException(EINVAL, "MADV_WIPEONFORK applies to private anonymous memory only");
                }
            }
            default -> {
                // Hints: nothing to decide in the map.
            }
        }
    }

    // ---------------------------------------------------------------- brk

    /**
     * brk(2): moves the break to {@code requested} and returns it, or returns the current break unchanged when the
     * request is below the start, collides with another mapping or exceeds RLIMIT_DATA. Never an error.
     */
    public long brk(long requested) {
        if (requested < layout.brkStart() || requested > Layout.TASK_SIZE) {
            return brk;
        }
        long newTop = pageAlignUp(requested), oldTop = pageAlignUp(brk);
        if (requested - layout.brkStart() > rlimitData) {
            return brk;
        }
        if (newTop == oldTop) {
            brk = requested;
            return brk;
        }
        if (newTop < oldTop) {
            unmapRange(newTop, oldTop);
            brk = requested;
            return brk;
        }
        Vma next = vmas.firstAtOrAbove(oldTop);
        if (next != null && newTop + PAGE_SIZE > vmas.gapStart(next)) {
            return brk;
        }
        Vma heap = new Vma(oldTop, newTop, PROT_READ | PROT_WRITE, false, false, Backing.ANONYMOUS, 0, "[heap]");
        vmas.insert(heap);
        pageTables.accept(new MapChange.Mapped(oldTop, newTop - oldTop, heap.prot(), false, Backing.ANONYMOUS, 0));
        brk = requested;
        return brk;
    }


}
