package org.paravane.vmm.kernel.abi.linux;

import java.nio.ByteBuffer;
import org.paravane.vmm.linux.mm.MappedFile;

/**
 * The executable as one loadable segment maps it: the file's bytes up to the end of the segment's file part, zeros
 * after (so the page where the segment's bss starts reads zeros past the file part, as Linux's padzero leaves it).
 */
record SegmentFile(String path, byte[] file, long limit) implements MappedFile {

    /** The device /proc/self/maps shows for the executable (the root file system's). */
    static final long DEVICE = (0L << 8) | 0x20;

    @Override
    public long device() {
        return DEVICE;
    }

    @Override
    public long inode() {
        return 2;
    }

    @Override
    public int read(long offset, ByteBuffer dst) {
        if (offset < 0 || offset >= limit) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), limit - offset);
        dst.put(file, (int) offset, n);
        return n;
    }
}
