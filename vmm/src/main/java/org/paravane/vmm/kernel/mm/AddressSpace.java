package org.paravane.vmm.kernel.mm;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.x86.PageTables;

/**
 * One task's page tables and the kernel RAM pages it owns. The kernel area (low 2 MiB) is mapped supervisor-only in
 * every address space; user mappings carry U/S. Copies to and from the task go through here, checking what the
 * task itself could access, so a bad pointer in a hypercall is an error, not a kernel fault.
 */
public final class AddressSpace {
    /**
     * A software bit of the page-table entry (AVL, ignored by the MMU): the page is shared copy-on-write with other
     * spaces (or was, see {@link #copyOnWrite}), so it is mapped read-only whatever its rights, and a write copies it.
     */
    static final long COW = 1L << 9;
    /** The end of the lower canonical half: where user mappings end. */
    private static final long USER_END = 1L << 47;

    private final GuestMemory memory;
    private final long kernelArea;
    private final PhysicalPages pages;
    private final Set<Long> owned = new HashSet<>();
    private final PageTables tables;
    private final boolean user;
    private final TlbShootdown shootdown;
    /** Tasks running in this space (threads share one); the pages go back when the last lets go. */
    private int users = 1;

    /**
     * @param kernelArea the size of the kernel area at guest-physical and virtual 0, mapped supervisor-only
     * @param user       whether the task runs at CPL3 (its own mappings carry U/S)
     */
    public AddressSpace(GuestMemory memory, PhysicalPages pages, long kernelArea, boolean user) {
        this(memory, pages, kernelArea, user, TlbShootdown.NONE);
    }

    /** @param shootdown how the vCPUs running this space (and its forks and fresh successors) drop its translations */
    public AddressSpace(GuestMemory memory, PhysicalPages pages, long kernelArea, boolean user, TlbShootdown shootdown) {
        this.memory = memory;
        this.shootdown = shootdown;
        this.pages = pages;
        this.kernelArea = kernelArea;
        this.user = user;
        try {
            this.tables = new PageTables(memory, this::ownPage);
            tables.map(0, 0, kernelArea, PageTables.RW | PageTables.G);
        } catch (RuntimeException e) {
            owned.forEach(pages::free);   // out of RAM for the tables themselves: nothing stays allocated
            throw e;
        }
    }

    private long ownPage() {
        long gpa = pages.allocate();
        owned.add(gpa);
        return gpa;
    }

    /** A zeroed kernel RAM page this space does not own (shared pages: their owner gives it back, {@link #freeUnowned}). */
    public long allocateUnowned() {
        return pages.allocate();
    }

    /** Gives back a page of {@link #allocateUnowned}. */
    public void freeUnowned(long gpa) {
        pages.free(gpa);
    }

    /** The guest-physical memory the pages live in. */
    public GuestMemory physicalMemory() {
        return memory;
    }

    public long root() {
        return tables.root();
    }

    /** An empty space like this one (the same kernel area and privilege), for execve's new image. */
    public AddressSpace fresh() {
        return new AddressSpace(memory, pages, kernelArea, user, shootdown);
    }

    /** Maps {@code size} bytes at {@code va} to fresh zeroed kernel RAM pages. */
    public synchronized void mapFresh(long va, long size, boolean writable, boolean executable) {
        long flags = flags(writable, executable);
        for (long off = 0; off < size; off += GuestMemory.PAGE_SIZE) {
            tables.map(va + off, ownPage(), GuestMemory.PAGE_SIZE, flags);
        }
    }

    /**
     * Maps one fresh page at {@code va} (page aligned) holding {@code contents} (zeros when null or short), with the
     * rights of a Linux protection: {@code readable} false maps it inaccessible (PROT_NONE keeps its contents for a
     * later mprotect).
     */
    public synchronized void mapPage(long va, byte[] contents, boolean readable, boolean writable, boolean executable) {
        long gpa = ownPage();
        if (contents != null) {
            try {
                MemorySegment.copy(MemorySegment.ofArray(contents), 0, memory.slice(gpa, GuestMemory.PAGE_SIZE), 0,
                        Math.min(contents.length, GuestMemory.PAGE_SIZE));
            } catch (PageSourceException e) {
                throw new IllegalStateException("kernel RAM page 0x" + Long.toHexString(gpa) + " is not present", e);
            }
        }
        tables.map(va, gpa, GuestMemory.PAGE_SIZE, flags(writable, executable));
        if (!readable) {
            tables.replaceLeaf(va, tables.leaf(va) & ~PageTables.P);
        }
    }

    /**
     * Maps page {@code va} to guest-physical page {@code gpa}, which this space does not own (a page of lazily served
     * memory that other spaces may map too), with the rights of a Linux protection as {@link #mapPage} takes them.
     */
    public synchronized void mapShared(long va, long gpa, boolean readable, boolean writable, boolean executable) {
        tables.map(va, gpa, GuestMemory.PAGE_SIZE, flags(writable, executable));
        if (!readable) {
            tables.replaceLeaf(va, tables.leaf(va) & ~PageTables.P);
        }
    }

    /** The guest-physical page {@code va} maps when this space does not own it ({@link #mapShared}), else -1. */
    public synchronized long sharedPage(long va) {
        long gpa = tables.leaf(va) & PageTables.ADDRESS;
        return gpa == 0 || owned.contains(gpa) ? -1 : gpa;
    }

    /** Drops the pages of {@code [va, va+size)}: those this space owns go back to the kernel. */
    public synchronized void unmap(long va, long size) {
        List<Long> freed = new ArrayList<>();
        boolean changed = false;
        for (long off = 0; off < size; off += GuestMemory.PAGE_SIZE) {
            long old = tables.leaf(va + off) == 0 ? 0 : tables.replaceLeaf(va + off, 0);
            long gpa = old & PageTables.ADDRESS;
            changed |= old != 0;
            if (gpa != 0 && owned.remove(gpa)) {
                freed.add(gpa);
            }
        }
        if (changed) {
            shootdown.shootDown(this);   // before the pages can go to anyone else
        }
        freed.forEach(pages::free);
    }

    /**
     * Changes the rights of the pages already in {@code [va, va+size)}; contents stay. A copy-on-write page stays
     * read-only: its first write copies it ({@link #copyOnWrite}).
     */
    public synchronized void protect(long va, long size, boolean readable, boolean writable, boolean executable) {
        long flags = flags(writable, executable) | (readable ? PageTables.P : 0);
        boolean changed = false;
        for (long off = 0; off < size; off += GuestMemory.PAGE_SIZE) {
            long old = tables.leaf(va + off) == 0 ? 0 : tables.replaceLeaf(va + off, 0);
            long gpa = old & PageTables.ADDRESS;
            if (gpa != 0) {
                tables.replaceLeaf(va + off, (old & COW) != 0 ? gpa | (flags & ~PageTables.RW) | COW : gpa | flags);
                changed = true;
            }
        }
        if (changed) {
            shootdown.shootDown(this);
        }
    }

    /**
     * A copy of this space's user pages for a forked process, sharing every page copy-on-write: both spaces map it
     * read-only (the caller flushes this space's TLBs), the page counts one more reference, and the first write on
     * either side copies it. Pages where {@code shared} holds (MAP_SHARED areas) stay shared as they are, writable
     * by both. Costs only the new page tables; when RAM for those runs out, nothing is left allocated and the
     * {@link PhysicalPages.OutOfGuestMemoryException} says so.
     */
    public synchronized AddressSpace forkCopy(java.util.function.LongPredicate shared) {
        AddressSpace child = new AddressSpace(memory, pages, kernelArea, user, shootdown);
        boolean[] protectedAny = {false};
        try {
            tables.forEachLeaf(kernelArea, USER_END, (va, entry) -> {
                long gpa = entry & PageTables.ADDRESS;
                if (!owned.contains(gpa)) {
                    return;   // a physical range mapped in (never in a Linux process): not the copy's
                }
                boolean both = shared.test(va) && (entry & COW) == 0;
                long copy = both ? entry : (entry & ~PageTables.RW) | COW;
                child.tables.map(va, gpa, GuestMemory.PAGE_SIZE, copy & ~PageTables.ADDRESS & ~PageTables.P);
                child.tables.replaceLeaf(va, copy);
                pages.share(gpa);
                child.owned.add(gpa);
                if (!both) {
                    tables.replaceLeaf(va, copy);
                    protectedAny[0] = true;
                }
            });
        } catch (RuntimeException e) {
            if (protectedAny[0]) {
                shootdown.shootDown(this);   // pages stay shared read-only with the released copy's references gone
            }
            child.release();
            throw e;
        }
        if (protectedAny[0]) {
            // another thread of this process may still hold a writable translation of a page now shared with the child
            shootdown.shootDown(this);
        }
        return child;
    }

    /** Whether {@code va} holds a copy-on-write page that a write must copy first. */
    public synchronized boolean isCopyOnWrite(long va) {
        return (tables.leaf(va) & COW) != 0;
    }

    /**
     * Makes the copy-on-write page at {@code va} writable for this space alone: its own copy, or the page itself when
     * no other space refers to it any more. False when {@code va} holds no copy-on-write page.
     */
    public synchronized boolean copyOnWrite(long va) {
        long entry = tables.leaf(va);
        if ((entry & COW) == 0 || (entry & PageTables.ADDRESS) == 0) {
            return false;
        }
        long gpa = entry & PageTables.ADDRESS;
        long flags = (entry & ~PageTables.ADDRESS & ~COW) | PageTables.RW;
        if (pages.references(gpa) == 1) {
            tables.replaceLeaf(va, gpa | flags);
            return true;
        }
        long copy = ownPage();
        try {
            MemorySegment.copy(memory.slice(gpa, GuestMemory.PAGE_SIZE), 0, memory.slice(copy, GuestMemory.PAGE_SIZE), 0,
                    GuestMemory.PAGE_SIZE);
        } catch (PageSourceException e) {
            throw new IllegalStateException("kernel RAM page 0x" + Long.toHexString(gpa) + " is not present", e);
        }
        tables.replaceLeaf(va, copy | flags);
        // other threads of this space may hold the read-only translation of the page still shared with other spaces
        shootdown.shootDown(this);
        owned.remove(gpa);
        pages.free(gpa);
        return true;
    }

    /** Moves the pages of {@code [from, from+size)} to {@code [to, to+size)} with their contents and rights. */
    public synchronized void move(long from, long to, long size) {
        boolean down = to < from;
        boolean changed = false;
        for (long i = 0; i < size; i += GuestMemory.PAGE_SIZE) {
            long off = down ? i : size - GuestMemory.PAGE_SIZE - i;   // overlapping ranges: copy away from the overlap
            long old = tables.leaf(from + off) == 0 ? 0 : tables.replaceLeaf(from + off, 0);
            if ((old & PageTables.ADDRESS) != 0) {
                long gpa = old & PageTables.ADDRESS;
                tables.map(to + off, gpa, GuestMemory.PAGE_SIZE, old & ~PageTables.ADDRESS & ~PageTables.P);
                tables.replaceLeaf(to + off, old);
                changed = true;
            }
        }
        if (changed) {
            shootdown.shootDown(this);
        }
    }

    /** Whether {@code va} holds a page (accessible or not). */
    public boolean hasPage(long va) {
        return (tables.leaf(va) & PageTables.ADDRESS) != 0;
    }

    /** Maps an existing guest-physical range (a data region) at {@code va}. */
    public void mapPhysical(long va, long gpa, long size, boolean writable) {
        tables.map(va, gpa, size, flags(writable, false));
    }

    private long flags(boolean writable, boolean executable) {
        return (writable ? PageTables.RW : 0) | (executable ? 0 : PageTables.NX) | (user ? PageTables.US : 0);
    }

    /** Guest-physical address of {@code va} as this task may access it, or -1 when it may not. */
    public long translate(long va, boolean write) {
        long leaf = tables.leaf(va);
        if ((leaf & PageTables.P) == 0 || (user && (leaf & PageTables.US) == 0) || (write && (leaf & PageTables.RW) == 0)) {
            return -1;
        }
        return tables.translate(va);
    }

    /**
     * The guest memory of {@code [va, va+length)}, which must lie in one page the task may access as asked: a view for
     * an atomic access to a word the guest shares with other vCPUs (a futex).
     */
    public MemorySegment slice(long va, int length, boolean write) throws GuestAccessException {
        if ((va & (GuestMemory.PAGE_SIZE - 1)) + length > GuestMemory.PAGE_SIZE) {
            throw new IllegalArgumentException("0x" + Long.toHexString(va) + "+" + length + " crosses a page");
        }
        long gpa = translate(va, write);
        if (gpa < 0) {
            throw new GuestAccessException("address 0x" + Long.toHexString(va) + " is not "
                    + (write ? "writable" : "readable") + " by the task");
        }
        try {
            return memory.slice(gpa, length);
        } catch (PageSourceException e) {
            throw new GuestAccessException("page of 0x" + Long.toHexString(va) + " could not be fetched: " + e.getMessage());
        }
    }

    /** Writes {@code bytes} at {@code va} with kernel rights (the loader filling read-only text, the info page). */
    public void load(long va, byte[] bytes) throws GuestAccessException {
        copy(va, bytes.length, Access.KERNEL, (seg, off) -> MemorySegment.copy(MemorySegment.ofArray(bytes), off, seg, 0, seg.byteSize()));
    }

    /** Reads {@code length} bytes at {@code va} the task could read. */
    public byte[] read(long va, int length) throws GuestAccessException {
        byte[] out = new byte[length];
        copy(va, length, Access.TASK_READ, (seg, off) -> MemorySegment.copy(seg, 0, MemorySegment.ofArray(out), off, seg.byteSize()));
        return out;
    }

    /** Writes {@code bytes} at {@code va} where the task itself could write. */
    public void write(long va, byte[] bytes, int offset, int length) throws GuestAccessException {
        copy(va, length, Access.TASK_WRITE, (seg, off) -> MemorySegment.copy(MemorySegment.ofArray(bytes), offset + off, seg, 0, seg.byteSize()));
    }

    /** Reads a NUL-terminated string of at most {@code max} bytes. */
    public String readString(long va, int max) throws GuestAccessException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < max; i++) {
            byte b = read(va + i, 1)[0];
            if (b == 0) {
                return s.toString();
            }
            s.append((char) (b & 0xFF));
        }
        throw new GuestAccessException("string at 0x" + Long.toHexString(va) + " is longer than " + max + " bytes");
    }

    private interface Chunk {
        void apply(MemorySegment guest, long offset);
    }

    private enum Access { TASK_READ, TASK_WRITE, KERNEL }

    private void copy(long va, long length, Access access, Chunk chunk) throws GuestAccessException {
        long done = 0;
        while (done < length) {
            long addr = va + done;
            long gpa = access == Access.KERNEL ? tables.translate(addr) : translate(addr, access == Access.TASK_WRITE);
            if (gpa < 0) {
                throw new GuestAccessException("address 0x" + Long.toHexString(addr)
                        + (access == Access.KERNEL ? " is not mapped"
                        : access == Access.TASK_WRITE ? " is not writable by the task" : " is not readable by the task"));
            }
            long n = Math.min(length - done, GuestMemory.PAGE_SIZE - (addr & (GuestMemory.PAGE_SIZE - 1)));
            try {
                chunk.apply(memory.slice(gpa, n), done);
            } catch (PageSourceException e) {
                throw new GuestAccessException("page of 0x" + Long.toHexString(addr) + " could not be fetched: " + e.getMessage());
            }
            done += n;
        }
    }

    /** One more task runs in this space (a thread): it is released once more before its pages go back. */
    public synchronized void retain() {
        if (users == 0) {
            throw new IllegalStateException("address space 0x" + Long.toHexString(root()) + " was released already");
        }
        users++;
    }

    /** Pages this space owns (its own and those it shares copy-on-write, page tables included): its size for the OOM killer. */
    public synchronized int ownedPages() {
        return owned.size();
    }

    /** A task lets go of this space; the last one gives every page it owns back to the kernel. */
    public synchronized void release() {
        if (users == 0 || --users > 0) {
            return;
        }
        owned.forEach(pages::free);
        owned.clear();
    }
}
