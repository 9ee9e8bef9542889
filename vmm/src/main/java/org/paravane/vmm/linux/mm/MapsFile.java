package org.paravane.vmm.linux.mm;

import java.util.List;

/** {@code /proc/self/maps} in Linux's exact format (fs/proc/task_mmu.c, show_map_vma). */
public final class MapsFile {
    /** Where the name column starts: the header is padded to 25 + 6 * sizeof(void *) - 1 characters, then a space. */
    private static final int NAME_COLUMN = 25 + 6 * 8 - 1;

    private MapsFile() {
    }

    public static String render(List<Vma> vmas) {
        StringBuilder out = new StringBuilder();
        for (Vma v : vmas) {
            int lineStart = out.length();
            long device = 0, inode = 0, offset = 0;
            String name = v.name();
            if (v.backing() instanceof Backing.File f) {
                device = f.file().device();
                inode = f.file().inode();
                offset = v.fileOffset();
                name = f.file().path();
            }
            out.append(hex(v.start())).append('-').append(hex(v.end())).append(' ')
                    .append((v.prot() & Mman.PROT_READ) != 0 ? 'r' : '-')
                    .append((v.prot() & Mman.PROT_WRITE) != 0 ? 'w' : '-')
                    .append((v.prot() & Mman.PROT_EXEC) != 0 ? 'x' : '-')
                    .append(v.shared() ? 's' : 'p').append(' ')
                    .append(hex(offset)).append(' ')
                    .append(hex2(major(device))).append(':').append(hex2(minor(device))).append(' ')
                    .append(Long.toUnsignedString(inode)).append(' ');
            if (!name.isEmpty()) {
                while (out.length() - lineStart < NAME_COLUMN) {
                    out.append(' ');
                }
                out.append(' ').append(name);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** At least 8 hex digits, as seq_put_hex_ll(m, .., v, 8). */
    private static String hex(long value) {
        String h = Long.toHexString(value);
        return h.length() >= 8 ? h : "0".repeat(8 - h.length()) + h;
    }

    private static String hex2(long value) {
        String h = Long.toHexString(value);
        return h.length() >= 2 ? h : "0" + h;
    }

    /** Linux's new_decode_dev: major in bits 8..19, minor in bits 0..7 and 20..31. */
    private static long major(long dev) {
        return (dev & 0xfff00) >>> 8;
    }

    private static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
    }
}
