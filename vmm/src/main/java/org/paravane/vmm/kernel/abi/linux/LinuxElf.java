package org.paravane.vmm.kernel.abi.linux;

import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.ElfHeader;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.linux.mm.Layout;

/**
 * A static Linux x86-64 executable, validated before any guest memory is used: ET_EXEC linked where it runs, or
 * static-PIE ET_DYN relocated at a base. Every problem a file can have is an {@link InvalidImageException} naming it.
 *
 * @param pie          whether the image is position independent (its addresses are relative to the load base)
 * @param entry        the entry point, unrelocated
 * @param phdrAddress  where the program headers are in memory, unrelocated (AT_PHDR), 0 when no segment holds them
 * @param programHeaders the program header table as in the file (what AT_PHDR points to)
 */
public record LinuxElf(String name, boolean pie, long entry, List<Segment> segments, long phdrAddress, int phnum,
                       int phentsize) {

    /** A PT_LOAD segment: {@code fileSize} bytes of the file at {@code offset}, zero-filled to {@code memorySize}. */
    public record Segment(long virtualAddress, long memorySize, long offset, long fileSize, int flags) {
        public long end() {
            return virtualAddress + memorySize;
        }

        public boolean readable() {
            return (flags & 4) != 0;
        }

        public boolean writable() {
            return (flags & 2) != 0;
        }

        public boolean executable() {
            return (flags & 1) != 0;
        }
    }

    static final int ET_EXEC = 2, ET_DYN = 3;
    static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6;
    private static final long PAGE = 4096;
    /** The largest image the loader takes (file size and memory span). */
    static final long MAX_SPAN = 1L << 32;

    public static LinuxElf parse(String name, byte[] file) throws InvalidImageException {
        ElfHeader header = ElfHeader.read(name, file, "executable");
        int type = header.type();
        if (type != ET_EXEC && type != ET_DYN) {
            throw new InvalidImageException(name, "not an executable (ELF type " + type + ")");
        }
        long entry = header.entry();
        long phoff = header.phoff();
        int phentsize = header.phentsize();
        int phnum = header.phnum();
        List<Segment> segments = new ArrayList<>();
        long phdrAddress = 0;
        boolean dynamic = false;
        for (ElfHeader.ProgramHeader ph : header.programHeaders()) {
            int i = ph.index(), ptype = ph.type(), flags = ph.flags();
            long offset = ph.offset(), vaddr = ph.virtualAddress(), filesz = ph.fileSize(), memsz = ph.memorySize(),
                    align = ph.align();
            switch (ptype) {
                case PT_INTERP -> throw new InvalidImageException(name,
                        "dynamic executables need an interpreter: not supported yet (link with -static)");
                case PT_DYNAMIC -> dynamic = true;
                case PT_PHDR -> phdrAddress = vaddr;
                default -> {
                }
            }
            if (ptype != PT_LOAD || memsz == 0) {
                continue;
            }
            ph.checkInFile(name, file);
            if (memsz < filesz) {
                throw new InvalidImageException(name, "segment " + i + " is smaller in memory than in the file");
            }
            if (vaddr < 0 || memsz > MAX_SPAN || vaddr + memsz > Layout.TASK_SIZE || vaddr + memsz < vaddr) {
                throw new InvalidImageException(name, "segment " + i + " at 0x" + Long.toHexString(vaddr) + " + 0x"
                        + Long.toHexString(memsz) + " is outside user space");
            }
            if ((vaddr - offset) % PAGE != 0 || align > 1 && Long.bitCount(align) != 1) {
                throw new InvalidImageException(name, "segment " + i + " at 0x" + Long.toHexString(vaddr)
                        + " has file offset 0x" + Long.toHexString(offset) + " or alignment 0x" + Long.toHexString(align)
                        + " that cannot be mapped page by page");
            }
            segments.add(new Segment(vaddr, memsz, offset, filesz, flags));
        }
        if (segments.isEmpty()) {
            throw new InvalidImageException(name, "no loadable segments");
        }
        for (int i = 1; i < segments.size(); i++) {
            if (segments.get(i).virtualAddress() < segments.get(i - 1).end()) {
                throw new InvalidImageException(name, "loadable segments overlap or are not in address order (0x"
                        + Long.toHexString(segments.get(i - 1).virtualAddress()) + " and 0x"
                        + Long.toHexString(segments.get(i).virtualAddress()) + ")");
            }
        }
        long span = segments.getLast().end() - (segments.getFirst().virtualAddress() & -PAGE);
        if (span > MAX_SPAN) {
            throw new InvalidImageException(name, "the image spans more than 4 GiB");
        }
        boolean pie = type == ET_DYN;
        if (pie && !dynamic) {
            throw new InvalidImageException(name, "ET_DYN without a dynamic section: not a static-PIE executable");
        }
        if (phdrAddress == 0) {
            // No PT_PHDR: the headers are where the first segment maps the file's offset phoff, if it maps it.
            for (Segment s : segments) {
                if (phoff >= s.offset() && phoff + (long) phnum * phentsize <= s.offset() + s.fileSize()) {
                    phdrAddress = s.virtualAddress() + (phoff - s.offset());
                    break;
                }
            }
        }
        final long e = entry;
        if (segments.stream().noneMatch(s -> s.executable() && e >= s.virtualAddress() && e < s.end())) {
            throw new InvalidImageException(name, "entry point 0x" + Long.toHexString(entry) + " is not in an executable segment");
        }
        if (!pie && segments.getFirst().virtualAddress() < Layout.MMAP_MIN_ADDR) {
            throw new InvalidImageException(name, "segment at 0x" + Long.toHexString(segments.getFirst().virtualAddress())
                    + " is below the lowest mappable address 0x" + Long.toHexString(Layout.MMAP_MIN_ADDR));
        }
        return new LinuxElf(name, pie, entry, List.copyOf(segments), phdrAddress, phnum, phentsize);
    }

    /** The end of the highest segment, unrelocated. */
    public long end() {
        return segments.getLast().end();
    }
}
