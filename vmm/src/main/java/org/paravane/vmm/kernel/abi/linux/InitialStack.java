package org.paravane.vmm.kernel.abi.linux;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.InvalidImageException;

/**
 * The stack a Linux process starts with (fs/binfmt_elf.c, create_elf_tables): at the top the strings (argv, envp,
 * the executable's name), the platform string and AT_RANDOM's 16 bytes; below them, 16-byte aligned, argc, argv[],
 * NULL, envp[], NULL and the auxiliary vector, where RSP points at entry.
 */
final class InitialStack {
    static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
            AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31, AT_MINSIGSTKSZ = 51;
    /** ARG_MAX as Linux computes it for an 8 MiB stack: a quarter of RLIMIT_STACK. */
    static final long MAX_ARGS_BYTES = 2L << 20;
    /** AT_MINSIGSTKSZ for a CPU without XSAVE: the signal frame with the FXSAVE area, rounded up. */
    static final long MIN_SIGNAL_STACK = 2048;

    /** The stack image from {@code bottom} up to {@code top}, and where RSP starts. */
    record Image(long rsp, byte[] bytes) {
    }

    private InitialStack() {
    }

    /**
     * @param top     the stack's top (exclusive)
     * @param auxv    pairs (type, value) without AT_RANDOM, AT_EXECFN, AT_PLATFORM and AT_NULL, which are added here
     * @param random  AT_RANDOM's 16 bytes
     */
    static Image build(String image, long top, List<String> argv, List<String> envp, String execfn, long[] auxv,
                       byte[] random) throws InvalidImageException {
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        List<Integer> argOffsets = new ArrayList<>(), envOffsets = new ArrayList<>();
        for (String a : argv) {
            argOffsets.add(add(strings, a));
        }
        for (String e : envp) {
            envOffsets.add(add(strings, e));
        }
        int execfnOffset = add(strings, execfn);
        int platformOffset = add(strings, "x86_64");
        if (strings.size() > MAX_ARGS_BYTES) {
            throw new InvalidImageException(image, "argument list too long (" + strings.size() + " bytes; E2BIG)");
        }
        long stringsAt = (top - 8 - strings.size()) & -16L;   // an 8-byte NULL at the very top, as Linux leaves
        long randomAt = stringsAt - 16;
        int words = 1 + argv.size() + 1 + envp.size() + 1 + auxv.length + 8;
        long rsp = (randomAt - words * 8L) & -16L;
        ByteBuffer b = ByteBuffer.allocate((int) (top - rsp)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(argv.size());
        for (int off : argOffsets) {
            b.putLong(stringsAt + off);
        }
        b.putLong(0);
        for (int off : envOffsets) {
            b.putLong(stringsAt + off);
        }
        b.putLong(0);
        b.putLong(AT_RANDOM).putLong(randomAt);
        b.putLong(AT_EXECFN).putLong(stringsAt + execfnOffset);
        b.putLong(AT_PLATFORM).putLong(stringsAt + platformOffset);
        for (long v : auxv) {
            b.putLong(v);
        }
        b.putLong(AT_NULL).putLong(0);
        b.put((int) (randomAt - rsp), random, 0, 16);
        b.put((int) (stringsAt - rsp), strings.toByteArray());
        return new Image(rsp, b.array());
    }

    private static int add(ByteArrayOutputStream strings, String s) {
        int at = strings.size();
        strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        strings.write(0);
        return at;
    }
}
