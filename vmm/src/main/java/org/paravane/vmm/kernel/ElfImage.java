package org.paravane.vmm.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.abi.paravane.GuestAbi;

/**
 * A static ELF64 x86-64 executable, validated: what the loader maps into a task's address space. Everything a
 * malformed file could get wrong is checked here, with a message naming the problem, before any guest memory is used.
 */
public record ElfImage(String name, long entry, List<Segment> segments, boolean kernelTask) {

    /** A PT_LOAD segment: {@code fileSize} bytes of {@code data} at {@code virtualAddress}, zero-filled to {@code memorySize}. */
    public record Segment(long virtualAddress, long memorySize, byte[] data, boolean writable, boolean executable) {
        public long end() {
            return virtualAddress + memorySize;
        }
    }

    private static final int PT_LOAD = 1, PT_NOTE = 4;
    private static final long PAGE = 4096;
    private static final long MAX_IMAGE_VA = 0x0000_7000_0000_0000L;

    public static ElfImage parse(String name, byte[] file) throws InvalidImageException {
        ElfHeader header = ElfHeader.read(name, file, "image");
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int type = header.type();
        if (type != 2) {
            throw new InvalidImageException(name, "not a static executable (ELF type " + type
                    + (type == 3 ? ": position-independent; link with -no-pie" : "") + ")");
        }
        long entry = header.entry();
        List<Segment> segments = new ArrayList<>();
        boolean kernelTask = false;
        for (ElfHeader.ProgramHeader ph : header.programHeaders()) {
            int i = ph.index(), ptype = ph.type(), flags = ph.flags();
            long offset = ph.offset(), vaddr = ph.virtualAddress(), filesz = ph.fileSize(), memsz = ph.memorySize(),
                    align = ph.align();
            if (ptype != PT_LOAD && ptype != PT_NOTE) {
                continue;
            }
            ph.checkInFile(name, file);
            if (ptype == PT_NOTE) {
                kernelTask |= kernelTaskNote(b, (int) offset, (int) filesz);
                continue;
            }
            if (memsz == 0) {
                continue;
            }
            if (memsz < filesz) {
                throw new InvalidImageException(name, "segment " + i + " is smaller in memory than in the file");
            }
            if (vaddr < GuestAbi.TEXT_VA || vaddr + memsz > MAX_IMAGE_VA || vaddr + memsz < vaddr) {
                throw new InvalidImageException(name, "segment " + i + " at 0x" + Long.toHexString(vaddr)
                        + " is outside the image area [0x" + Long.toHexString(GuestAbi.TEXT_VA) + ", 0x"
                        + Long.toHexString(MAX_IMAGE_VA) + ")");
            }
            checkCongruent(name, i, vaddr, offset, align);
            if (memsz > 256L << 20) {
                throw new InvalidImageException(name, "segment " + i + " is larger than 256 MiB");
            }
            byte[] data = new byte[(int) filesz];
            System.arraycopy(file, (int) offset, data, 0, (int) filesz);
            segments.add(new Segment(vaddr, memsz, data, (flags & 2) != 0, (flags & 1) != 0));
        }
        if (segments.isEmpty()) {
            throw new InvalidImageException(name, "no loadable segments");
        }
        for (int i = 0; i < segments.size(); i++) {
            for (int j = i + 1; j < segments.size(); j++) {
                Segment x = segments.get(i), y = segments.get(j);
                if ((x.virtualAddress() & -4096) < ((y.end() + 4095) & -4096) && (y.virtualAddress() & -4096) < ((x.end() + 4095) & -4096)) {
                    throw new InvalidImageException(name, "loadable segments share a page (0x"
                            + Long.toHexString(x.virtualAddress()) + " and 0x" + Long.toHexString(y.virtualAddress()) + ")");
                }
            }
        }
        final long e = entry;
        if (segments.stream().noneMatch(s -> s.executable() && e >= s.virtualAddress() && e < s.end())) {
            throw new InvalidImageException(name, "entry point 0x" + Long.toHexString(entry) + " is not in an executable segment");
        }
        return new ElfImage(name, entry, List.copyOf(segments), kernelTask);
    }

    /**
     * As Linux and ld.so require: a segment's address and file offset are equal modulo the page size (the file is
     * mapped page by page) and modulo its alignment; otherwise the code would run displaced from where it was linked.
     */
    private static void checkCongruent(String name, int i, long vaddr, long offset, long align) throws InvalidImageException {
        if (align > 1 && Long.bitCount(align) != 1) {
            throw new InvalidImageException(name, "segment " + i + " has alignment 0x" + Long.toHexString(align)
                    + ", which is not a power of two");
        }
        String where = "segment " + i + " at 0x" + Long.toHexString(vaddr) + " has file offset 0x" + Long.toHexString(offset);
        if ((vaddr - offset) % PAGE != 0) {
            throw new InvalidImageException(name, where + ": they must agree modulo the page size " + PAGE);
        }
        if (align > PAGE && (vaddr - offset) % align != 0) {
            throw new InvalidImageException(name, where + ": they must agree modulo its alignment 0x" + Long.toHexString(align));
        }
    }

    /**
     * Whether {@code file} is a Paravane image: an ELF file with a PT_NOTE segment holding the Paravane image note
     * (every image built with paravane-guest.mk has one). Any other static ELF is a Linux program. A file too
     * broken to tell has none.
     */
    public static boolean hasParavaneNote(byte[] file) {
        ElfHeader header;
        try {
            header = ElfHeader.read("", file, "image");
        } catch (InvalidImageException e) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (ElfHeader.ProgramHeader ph : header.programHeaders()) {
            long offset = ph.offset(), filesz = ph.fileSize();
            if (ph.type() == PT_NOTE && offset >= 0 && filesz >= 0 && offset + filesz <= file.length
                    && imageNoteFlags(b, (int) offset, (int) filesz) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean kernelTaskNote(ByteBuffer b, int offset, int size) {
        return (imageNoteFlags(b, offset, size) & GuestAbi.IMAGE_KERNEL_TASK) != 0;
    }

    /**
     * The flags of the Paravane image notes (name "Paravane", type PV_NOTE_IMAGE) in a note segment, or'ed together
     * (crt0 carries one without flags, PV_KERNEL_TASK adds its own); -1 when there is none.
     */
    private static int imageNoteFlags(ByteBuffer b, int offset, int size) {
        int flags = -1;
        int at = offset;
        while (at + 12 <= offset + size) {
            int namesz = b.getInt(at), descsz = b.getInt(at + 4), type = b.getInt(at + 8);
            int nameAt = at + 12;
            if (namesz < 0 || descsz < 0 || namesz > size || descsz > size) {
                return flags;
            }
            int descAt = nameAt + ((namesz + 3) & ~3);
            if (descAt + descsz > offset + size) {
                return flags;
            }
            byte[] nameBytes = new byte[Math.max(0, namesz - 1)];
            b.get(nameAt, nameBytes);
            String noteName = new String(nameBytes, StandardCharsets.US_ASCII);
            if (noteName.equals(GuestAbi.NOTE_NAME) && type == GuestAbi.NOTE_IMAGE && descsz >= 4) {
                flags = Math.max(flags, 0) | (b.getInt(descAt) & 0x7fff_ffff);
            }
            at = descAt + ((descsz + 3) & ~3);
        }
        return flags;
    }
}
