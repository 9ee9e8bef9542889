package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EACCES;
import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.ENOMEM;
import static org.paravane.vmm.linux.Errno.ENODEV;

import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.FileMapping;
import org.paravane.vmm.linux.fs.OpenFile;
import org.paravane.vmm.linux.fs.Stat;
import org.paravane.vmm.linux.mm.Backing;
import org.paravane.vmm.linux.mm.MappedFile;
import org.paravane.vmm.linux.mm.MemoryMap;
import org.paravane.vmm.linux.mm.Mman;
import org.paravane.vmm.linux.mm.Vma;

/**
 * brk, mmap, munmap, mprotect, mremap and madvise: the memory map decides (with Linux's errno for every bad
 * argument), {@link ProcessMemory} makes the page tables follow. A private file mapping reads the file page by page
 * on first touch; a shared one maps the file's {@link SharedFilePages} (MAP_SHARED|MAP_ANONYMOUS too), written back
 * on msync and munmap and when the last mapping goes; a lazily served file's mappings map its own pages.
 */
final class MemoryCalls {
    private final ProcessMemory memory;
    private final LinuxProcess process;
    private final List<FileMapping> mappings = new ArrayList<>();
    /** The shared pages behind each shared mapping's view, until no mapping uses it any more. */
    private final java.util.Map<MappedFile, SharedFilePages> sharedViews = new java.util.IdentityHashMap<>();
    private long nextAnonymous = 1;
    private static final int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;

    MemoryCalls(LinuxProcess process) {
        this.process = process;
        this.memory = process.memory();
    }

    private MemoryMap map() {
        return memory.map();
    }

    long brk(long requested) {
        synchronized (memory) {
            return map().brk(requested);
        }
    }

    long mmap(long address, long length, int prot, int flags, int fd, long offset) throws ErrnoException {
        synchronized (memory) {
            Backing backing = Backing.ANONYMOUS;
            boolean shared = (flags & Mman.MAP_TYPE) != Mman.MAP_PRIVATE;
            SharedFilePages pages = null;
            MappedFile view = null;
            if ((flags & Mman.MAP_ANONYMOUS) == 0) {
                OpenFile file = process.files.fds().get(fd);
                Stat stat = file.node().stat();
                if (stat.type() == Fcntl.S_IFCHR && stat.rdev() == Stat.makedev(1, 5)) {
                    flags |= Mman.MAP_ANONYMOUS;   // /dev/zero: anonymous memory
                } else if (stat.type() != Fcntl.S_IFREG) {
                    throw new ErrnoException(stat.type() == Fcntl.S_IFDIR ? ENODEV : EACCES,
                            file.displayPath() + " cannot be mapped");
                } else {
                    FileMapping mapping = new FileMapping(file);
                    mappings.add(mapping);
                    view = mapping;
                    if (shared && mapping.physicalPage(0) < 0) {
                        // One set of pages for every shared mapper of the file (a lazily served file is one already).
                        pages = SharedFilePages.retain(process.host.sharedPages, new SharedFilePages.Key(stat.dev(), stat.ino()),
                                mapping, memory.space().physicalMemory(), memory.space()::allocateUnowned,
                                memory.space()::freeUnowned);
                        view = pages.mapping(mapping);
                    }
                    backing = new Backing.File(view, file.readable(), file.writable());
                }
            }
            if ((flags & Mman.MAP_ANONYMOUS) != 0 && shared) {
                // Shared anonymous memory is a file of its own with nothing behind it (Linux's shmem "/dev/zero").
                pages = new SharedFilePages(new SharedFilePages.Key(-1, nextAnonymous++), null, memory.space().physicalMemory(),
                        memory.space()::allocateUnowned, memory.space()::freeUnowned, new java.util.HashMap<>());
                pages.retain();
                view = pages.mapping(SHARED_ANONYMOUS);
                backing = new Backing.File(view, true, true);
                flags &= ~Mman.MAP_ANONYMOUS;
                offset = 0;
            }
            if (pages != null) {
                sharedViews.put(view, pages);
            }
            try {
                return map().mmap(address, length, prot, flags, backing, offset);
            } finally {
                releaseUnused();   // a refused map, or one that replaced (MAP_FIXED) the last use of another
            }
        }
    }

    /** How /proc/self/maps names shared anonymous memory, as Linux does. */
    private static final MappedFile SHARED_ANONYMOUS = new MappedFile() {
        @Override
        public String path() {
            return "/dev/zero (deleted)";
        }

        @Override
        public long device() {
            return Stat.makedev(0, 1);
        }

        @Override
        public long inode() {
            return 1;
        }

        @Override
        public int read(long offset, java.nio.ByteBuffer dst) {
            return 0;
        }
    };

    /** Shared pages no mapping of the process uses any more are let go (written back, given back when the last). */
    private void releaseUnused() {
        if (sharedViews.isEmpty()) {
            return;
        }
        java.util.Set<MappedFile> used = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Vma v : map().vmas()) {
            if (v.backing() instanceof Backing.File f) {
                used.add(f.file());
            }
        }
        sharedViews.entrySet().removeIf(e -> {
            if (used.contains(e.getKey())) {
                return false;
            }
            e.getValue().release();
            return true;
        });
    }

    /** Writes the shared file pages of {@code [address, address + length)} back to their files. */
    private void writeBack(long address, long length) {
        for (Vma v : map().vmas()) {
            if (v.end() <= address || v.start() >= address + length || !(v.backing() instanceof Backing.File f)) {
                continue;
            }
            SharedFilePages pages = sharedViews.get(f.file());
            if (pages != null) {
                long from = Math.max(address, v.start()), to = Math.min(address + length, v.end());
                pages.writeBack(v.fileOffset() + (from - v.start()), v.fileOffset() + (to - v.start()));
            }
        }
    }

    /** msync: writes shared file pages back (MS_SYNC and MS_ASYNC alike: the write is done when it returns). */
    long msync(long address, long length, int flags) throws ErrnoException {
        synchronized (memory) {
            if ((address & (org.paravane.api.memory.GuestMemory.PAGE_SIZE - 1)) != 0) {
                throw new ErrnoException(EINVAL, "address 0x" + Long.toHexString(address) + " is not page aligned");
            }
            if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0 || (flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0) {
                throw new ErrnoException(EINVAL, "msync flags 0x" + Integer.toHexString(flags));
            }
            long end = address + ((length + org.paravane.api.memory.GuestMemory.PAGE_SIZE - 1)
                    & -(long) org.paravane.api.memory.GuestMemory.PAGE_SIZE);
            for (long at = address; at < end; ) {
                Vma v = map().find(at);
                if (v == null || v.start() > at) {
                    throw new ErrnoException(ENOMEM, "0x" + Long.toHexString(at) + " is not mapped");
                }
                at = v.end();
            }
            writeBack(address, end - address);
            return 0;
        }
    }

    long munmap(long address, long length) throws ErrnoException {
        synchronized (memory) {
            writeBack(address, length);
            map().munmap(address, length);
            releaseUnused();
            return 0;
        }
    }

    long mprotect(long address, long length, int prot) throws ErrnoException {
        synchronized (memory) {
            map().mprotect(address, length, prot);
            return 0;
        }
    }

    long mremap(long oldAddress, long oldLength, long newLength, int flags, long newAddress) throws ErrnoException {
        synchronized (memory) {
            return map().mremap(oldAddress, oldLength, newLength, flags, newAddress);
        }
    }

    long madvise(long address, long length, int advice) throws ErrnoException {
        synchronized (memory) {
            map().madvise(address, length, advice);
            return 0;
        }
    }

    /** fork: the child's areas map the same files, so it holds the parent's file mappings too. */
    void inherit(MemoryCalls parent) {
        for (FileMapping m : parent.mappings) {
            m.retain();
            mappings.add(m);
        }
        // Its shared mappings map the same pages (MAP_SHARED is shared across fork): it holds them as long as it
        // maps them, whichever process lets go last.
        parent.sharedViews.forEach((view, pages) -> {
            pages.retain();
            sharedViews.put(view, pages);
        });
    }

    /** The process ended: its file mappings no longer hold their files open. */
    void release() {
        sharedViews.values().forEach(SharedFilePages::release);
        sharedViews.clear();
        mappings.forEach(FileMapping::release);
        mappings.clear();
    }
}
