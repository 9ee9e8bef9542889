package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EACCES;
import static org.paravane.vmm.linux.Errno.ENODEV;

import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.FileMapping;
import org.paravane.vmm.linux.fs.OpenFile;
import org.paravane.vmm.linux.fs.Stat;
import org.paravane.vmm.linux.mm.Backing;
import org.paravane.vmm.linux.mm.MemoryMap;
import org.paravane.vmm.linux.mm.Mman;

/**
 * brk, mmap, munmap, mprotect, mremap and madvise: the memory map decides (with Linux's errno for every bad
 * argument), {@link ProcessMemory} makes the page tables follow. File mappings are private copies read page by page
 * on first touch; a MAP_SHARED file mapping is refused with ENODEV until processes can share pages.
 */
final class MemoryCalls {
    private final ProcessMemory memory;
    private final LinuxProcess process;
    private final List<FileMapping> mappings = new ArrayList<>();

    MemoryCalls(LinuxProcess process) {
        this.process = process;
        this.memory = process.memory();
    }

    private MemoryMap map() {
        return memory.map();
    }

    long brk(long requested) {
        return map().brk(requested);
    }

    long mmap(long address, long length, int prot, int flags, int fd, long offset) throws ErrnoException {
        Backing backing = Backing.ANONYMOUS;
        if ((flags & Mman.MAP_ANONYMOUS) == 0) {
            OpenFile file = process.files.fds().get(fd);
            Stat stat = file.node().stat();
            if (stat.type() == Fcntl.S_IFCHR && stat.rdev() == Stat.makedev(1, 5)) {
                flags |= Mman.MAP_ANONYMOUS;   // /dev/zero: anonymous memory
            } else if (stat.type() != Fcntl.S_IFREG) {
                throw new ErrnoException(stat.type() == Fcntl.S_IFDIR ? ENODEV : EACCES,
                        file.displayPath() + " cannot be mapped");
            } else if ((flags & Mman.MAP_TYPE) != Mman.MAP_PRIVATE && (prot & Mman.PROT_WRITE) != 0 && file.writable()) {
                throw new ErrnoException(ENODEV, "shared writable file mappings are not supported yet");
            } else {
                FileMapping mapping = new FileMapping(file);
                mappings.add(mapping);
                backing = new Backing.File(mapping, file.readable(), file.writable());
            }
        }
        return map().mmap(address, length, prot, flags, backing, offset);
    }

    long munmap(long address, long length) throws ErrnoException {
        map().munmap(address, length);
        return 0;
    }

    long mprotect(long address, long length, int prot) throws ErrnoException {
        map().mprotect(address, length, prot);
        return 0;
    }

    long mremap(long oldAddress, long oldLength, long newLength, int flags, long newAddress) throws ErrnoException {
        return map().mremap(oldAddress, oldLength, newLength, flags, newAddress);
    }

    long madvise(long address, long length, int advice) throws ErrnoException {
        map().madvise(address, length, advice);
        return 0;
    }

    /** The process ended: its file mappings no longer hold their files open. */
    void release() {
        mappings.forEach(FileMapping::release);
        mappings.clear();
    }
}
