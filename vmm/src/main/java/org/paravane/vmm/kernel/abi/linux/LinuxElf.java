package org.paravane.vmm.kernel.abi.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
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

    static final int ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62;
    static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6;
    private static final long PAGE = 4096;
    /** The largest image the loader takes (file size and memory span). */
    static final long MAX_SPAN = 1L << 32;

    public static LinuxElf parse(String name, byte[] file) throws InvalidImageException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 64) {
            throw new InvalidImageException(name, "not an ELF file: " + file.length + " bytes is shorter than an ELF header");
        }
        if (b.getInt(0) != 0x464C457F) {
            throw new InvalidImageException(name, "not an ELF file (bad magic)");
        }
        if (file[4] == 1) {
            throw new InvalidImageException(name, "a 32-bit ELF executable: only x86-64 (64-bit) programs run");
        }
        if (file[4] != 2) {
            throw new InvalidImageException(name, "not a 64-bit ELF file (class " + file[4] + ")");
        }
        if (file[5] != 1) {
            throw new InvalidImageException(name, "not little-endian (data encoding " + file[5] + ")");
        }
        int type = Short.toUnsignedInt(b.getShort(16));
        if (type != ET_EXEC && type != ET_DYN) {
            throw new InvalidImageException(name, "not an executable (ELF type " + type + ")");
        }
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_X86_64) {
            throw new InvalidImageException(name, "not an x86-64 executable (machine " + machine + ")");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phnum == 0 || phnum > 1024) {
            throw new InvalidImageException(name, phnum + " program headers (1..1024 expected)");
        }
        if (phentsize != 56 || phoff < 0 || phoff > file.length || (long) phentsize * phnum > file.length - phoff) {
            throw new InvalidImageException(name, "program headers lie outside the file (corrupt ELF)");
        }
        List<Segment> segments = new ArrayList<>();
        long phdrAddress = 0;
        boolean dynamic = false;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            int ptype = b.getInt(at);
            int flags = b.getInt(at + 4);
            long offset = b.getLong(at + 8);
            long vaddr = b.getLong(at + 16);
            long filesz = b.getLong(at + 32);
            long memsz = b.getLong(at + 40);
            long align = b.getLong(at + 48);
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
            if (offset < 0 || filesz < 0 || offset > file.length || filesz > file.length - offset) {
                throw new InvalidImageException(name, "segment " + i + " lies outside the file (corrupt ELF)");
            }
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
