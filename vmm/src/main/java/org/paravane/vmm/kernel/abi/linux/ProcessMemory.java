package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.mm.Mman.PROT_EXEC;
import static org.paravane.vmm.linux.mm.Mman.PROT_WRITE;

import java.nio.ByteBuffer;
import org.paravane.api.memory.GuestMemory;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.mm.Backing;
import org.paravane.vmm.linux.mm.MapChange;
import org.paravane.vmm.linux.mm.MemoryMap;
import org.paravane.vmm.linux.mm.Vma;

/**
 * A Linux process's memory: its {@link MemoryMap} decides, its page tables ({@link AddressSpace}) follow. Pages are
 * provided on the first touch (demand paging): zeros for anonymous memory, the file's bytes for a private file
 * mapping, so a large map costs nothing until it is used. Copies between the kernel and the process fault pages in
 * the same way, and are EFAULT where the process itself could not access the memory.
 *
 * <p>The threads of a process share it from several vCPUs: its operations hold its monitor (as does every call of
 * {@link MemoryCalls}, Linux's mmap lock), so a fault, a copy and a change of the map never interleave.
 */
final class ProcessMemory {
    private static final int PAGE = (int) GuestMemory.PAGE_SIZE;

    private final AddressSpace space;
    private MemoryMap map;
    /**
     * This vCPU's translation of a page is older than the page tables (a page made writable in place, or provided by
     * another thread meanwhile) since the last {@link #takeFlush()}: the faulting vCPU drops its translations. Rights
     * taken away are the space's shootdown's business.
     */
    private boolean flushNeeded;

    ProcessMemory(AddressSpace space) {
        this.space = space;
    }

    void attach(MemoryMap memoryMap) {
        this.map = memoryMap;
    }

    MemoryMap map() {
        return map;
    }

    AddressSpace space() {
        return space;
    }

    /**
     * Applies one decision of the memory map to the page tables. Where rights or pages go, the space shoots their
     * translations down on every vCPU ({@link AddressSpace}'s shootdown) before the call returns.
     */
    synchronized void apply(MapChange change) {
        switch (change) {
            case MapChange.Mapped m -> {
                // Fresh mappings start empty: pages come on first touch. What was there before was unmapped first.
                if (hasAnyPage(m.start(), m.length())) {
                    space.unmap(m.start(), m.length());
                }
            }
            case MapChange.Unmapped u -> space.unmap(u.start(), u.length());
            case MapChange.Protected p -> {
                boolean readable = p.prot() != 0, writable = (p.prot() & PROT_WRITE) != 0,
                        executable = (p.prot() & PROT_EXEC) != 0;
                space.protect(p.start(), p.length(), readable, writable, executable);
                if (writable) {
                    keepSharedPagesOfPrivateMappingsReadOnly(p.start(), p.length(), readable, executable);
                }
            }
            case MapChange.Moved m -> space.move(m.from(), m.start(), m.length());
            case MapChange.Discarded d -> space.unmap(d.start(), d.length());
        }
    }

    /** A private mapping writes only its own copies: the served file's pages it maps stay read-only (copy on write). */
    private void keepSharedPagesOfPrivateMappingsReadOnly(long start, long length, boolean readable, boolean executable) {
        for (Vma v : map.vmas()) {
            if (v.shared() || !(v.backing() instanceof Backing.File f) || f.file().physicalPage(0) < 0
                    || v.end() <= start || v.start() >= start + length) {
                continue;
            }
            for (long va = Math.max(start, v.start()); va < Math.min(start + length, v.end()); va += PAGE) {
                if (space.sharedPage(va) >= 0) {
                    space.protect(va, PAGE, readable, false, executable);
                }
            }
        }
    }

    private boolean hasAnyPage(long start, long length) {
        // Only a MAP_FIXED over existing pages can find some; the map unmapped them already. Check the ends.
        return space.hasPage(start) || space.hasPage(start + length - PAGE);
    }

    /** Whether the TLB must be flushed; clears the request. */
    synchronized boolean takeFlush() {
        boolean f = flushNeeded;
        flushNeeded = false;
        return f;
    }

    /**
     * Provides the page of {@code address} when the process may access it as asked; false when it may not (the
     * access is a SIGSEGV).
     */
    synchronized boolean fault(long address, boolean write, boolean exec) throws ErrnoException {
        Vma v = map.find(address);
        if (v == null || !permits(v.prot(), write, exec)) {
            return false;
        }
        long page = address & -PAGE;
        boolean readable = v.prot() != 0, writable = (v.prot() & PROT_WRITE) != 0, executable = (v.prot() & PROT_EXEC) != 0;
        if (space.hasPage(page)) {
            if (write && space.copyOnWrite(page)) {
                flushNeeded = true;   // this vCPU's read-only translation of the page must go
                return true;
            }
            long shared = space.sharedPage(page);
            if (write && shared >= 0 && writable && !v.shared()) {
                privateCopy(page, shared, executable);   // a private mapping of a served file: the process's own copy now
                return true;
            }
            if (space.translate(address, write) >= 0) {
                // another thread of the process provided the page meanwhile (its fault held the lock): retry, with
                // this vCPU's stale translation dropped
                flushNeeded = true;
                return true;
            }
            return false;   // present with the map's rights, which do not allow this access
        }
        if (v.backing() instanceof Backing.File f) {
            long offset = v.fileOffset() + (page - v.start());
            long gpa = f.file().physicalPage(offset);
            if (gpa >= 0) {
                // The file's own page, shared by every mapper; served lazily: touching it is an async page fault.
                // A private writable mapping gets its copy on the first write.
                space.mapShared(page, gpa, readable, writable && v.shared(), executable);
                return true;
            }
            byte[] contents = new byte[PAGE];
            f.file().read(offset, ByteBuffer.wrap(contents));
            space.mapPage(page, contents, readable, writable, executable);
            return true;
        }
        space.mapPage(page, null, readable, writable, executable);
        return true;
    }

    /**
     * Replaces the shared page at {@code page} with a private copy of it. The copy reads the page on this thread, so
     * an absent page of a served file is fetched synchronously here (a write to a private copy of lazily served data).
     */
    private void privateCopy(long page, long gpa, boolean exec) {
        byte[] contents;
        try {
            contents = new byte[PAGE];
            space.physicalMemory().slice(gpa, PAGE).asByteBuffer().get(contents);
        } catch (org.paravane.api.memory.PageSourceException e) {
            throw new IllegalStateException("page 0x" + Long.toHexString(gpa) + " could not be fetched: " + e.getMessage(), e);
        }
        space.unmap(page, PAGE);
        space.mapPage(page, contents, true, true, exec);
    }

    /** x86 pages cannot be write- or execute-only: write and exec imply read, as on Linux. */
    private static boolean permits(int prot, boolean write, boolean exec) {
        if (prot == 0) {
            return false;
        }
        if (write) {
            return (prot & PROT_WRITE) != 0;
        }
        return !exec || (prot & PROT_EXEC) != 0;
    }

    /** Faults in every page of {@code [address, address+length)} the process could access as asked. */
    private void populate(long address, long length, boolean write) throws GuestAccessException {
        if (length <= 0) {
            return;
        }
        if (address + length < address || address < 0) {
            throw new GuestAccessException("range 0x" + Long.toHexString(address) + "+" + length + " wraps around");
        }
        for (long page = address & -PAGE; page < address + length; page += PAGE) {
            if (space.translate(page, write) >= 0) {
                continue;
            }
            try {
                if (!fault(page, write, false)) {
                    throw new GuestAccessException("address 0x" + Long.toHexString(Math.max(page, address))
                            + (write ? " is not writable" : " is not readable") + " by the process");
                }
            } catch (ErrnoException e) {
                throw new GuestAccessException("page 0x" + Long.toHexString(page) + " could not be read from its file: "
                        + e.getMessage());
            }
        }
    }

    /**
     * The guest memory of {@code [address, address+length)} (within one page), provided as for a copy: a view for an
     * atomic access to a word other vCPUs share.
     */
    synchronized java.lang.foreign.MemorySegment word(long address, int length, boolean write) throws GuestAccessException {
        populate(address, length, write);
        return space.slice(address, length, write);
    }

    synchronized byte[] read(long address, int length) throws GuestAccessException {
        populate(address, length, false);
        return space.read(address, length);
    }

    void write(long address, byte[] bytes) throws GuestAccessException {
        write(address, bytes, 0, bytes.length);
    }

    synchronized void write(long address, byte[] bytes, int offset, int length) throws GuestAccessException {
        populate(address, length, true);
        space.write(address, bytes, offset, length);
    }

    long readLong(long address) throws GuestAccessException {
        return ByteBuffer.wrap(read(address, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    void writeLong(long address, long value) throws GuestAccessException {
        write(address, ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    void writeInt(long address, int value) throws GuestAccessException {
        write(address, ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    /** A NUL-terminated string of at most {@code max} bytes (PATH_MAX for paths), decoded as UTF-8. */
    String readString(long address, int max) throws GuestAccessException, ErrnoException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long at = address;
        while (out.size() < max) {
            int chunk = (int) Math.min(PAGE - (at & (PAGE - 1)), max - out.size());
            byte[] b = read(at, chunk);
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    out.write(b, 0, i);
                    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            out.write(b, 0, b.length);
            at += chunk;
        }
        throw new ErrnoException(org.paravane.vmm.linux.Errno.ENAMETOOLONG, "string at 0x" + Long.toHexString(address)
                + " is longer than " + max + " bytes");
    }
}
