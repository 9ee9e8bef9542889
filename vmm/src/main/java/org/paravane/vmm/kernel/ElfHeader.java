package org.paravane.vmm.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The ELF64 file header and program header table as every loader of the guest kernel reads them ({@link ElfImage}
 * for Paravane images, the Linux personality's {@code LinuxElf}): the checks a file of another class, byte order or
 * machine, or a truncated or corrupt one fails, each an {@link InvalidImageException} naming the problem. What a
 * loader accepts beyond that (ELF types, where segments may go) is the loader's.
 *
 * @param type  e_type (2 ET_EXEC, 3 ET_DYN, ...)
 * @param entry e_entry
 * @param phoff where the program headers are in the file
 */
public record ElfHeader(int type, long entry, long phoff, int phentsize, List<ProgramHeader> programHeaders) {

    /** The most program headers a file may have (Linux refuses tables over 64 KiB; real files have a dozen). */
    public static final int MAX_PROGRAM_HEADERS = 1024;
    private static final int EM_X86_64 = 62;
    private static final int ELF64_PHDR_SIZE = 56;

    /** One program header, as in the file. */
    public record ProgramHeader(int index, int type, int flags, long offset, long virtualAddress, long fileSize,
                                long memorySize, long align) {

        /** The bytes it names lie in the file, or the file is corrupt. */
        public void checkInFile(String name, byte[] file) throws InvalidImageException {
            if (offset < 0 || fileSize < 0 || offset > file.length || fileSize > file.length - offset) {
                throw new InvalidImageException(name, "segment " + index + " lies outside the file (corrupt ELF)");
            }
        }
    }

    /**
     * Reads the headers of {@code file}.
     *
     * @param noun what the file is to its loader ("image", "executable"), for messages
     */
    public static ElfHeader read(String name, byte[] file, String noun) throws InvalidImageException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 64) {
            throw new InvalidImageException(name, "not an ELF file: " + file.length + " bytes is shorter than an ELF header");
        }
        if (b.getInt(0) != 0x464C457F) {
            throw new InvalidImageException(name, "not an ELF file (bad magic)");
        }
        if (file[4] == 1) {
            throw new InvalidImageException(name, "not a 64-bit ELF file: a 32-bit ELF executable (only x86-64 programs run)");
        }
        if (file[4] != 2) {
            throw new InvalidImageException(name, "not a 64-bit ELF file (class " + file[4] + ")");
        }
        if (file[5] != 1) {
            throw new InvalidImageException(name, "not little-endian (data encoding " + file[5] + ")");
        }
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_X86_64) {
            throw new InvalidImageException(name, "not an x86-64 " + noun + " (machine " + machine + ")");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phnum == 0) {
            throw new InvalidImageException(name, "no program headers");
        }
        if (phnum > MAX_PROGRAM_HEADERS) {
            throw new InvalidImageException(name, phnum + " program headers (at most " + MAX_PROGRAM_HEADERS + ")");
        }
        if (phentsize < ELF64_PHDR_SIZE || phoff < 0 || phoff > file.length
                || (long) phentsize * phnum > file.length - phoff) {
            throw new InvalidImageException(name, "program headers lie outside the file (corrupt ELF)");
        }
        List<ProgramHeader> headers = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            headers.add(new ProgramHeader(i, b.getInt(at), b.getInt(at + 4), b.getLong(at + 8), b.getLong(at + 16),
                    b.getLong(at + 32), b.getLong(at + 40), b.getLong(at + 48)));
        }
        return new ElfHeader(type, entry, phoff, phentsize, List.copyOf(headers));
    }

    public int phnum() {
        return programHeaders.size();
    }
}
