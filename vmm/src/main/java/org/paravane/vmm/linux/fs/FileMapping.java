package org.paravane.vmm.linux.fs;

import java.nio.ByteBuffer;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.mm.MappedFile;

/**
 * An open file as a private mapping reads it: the mapping holds the file description open (as Linux's vma holds its
 * file) until {@link #release()}, so the pages still come after the descriptor is closed.
 */
public final class FileMapping implements MappedFile {
    private final OpenFile file;
    private final Stat stat;
    private boolean released;

    public FileMapping(OpenFile file) throws ErrnoException {
        this.file = file;
        this.stat = file.node().stat();
        file.retain();
    }

    @Override
    public String path() {
        return file.displayPath();
    }

    @Override
    public long device() {
        return stat.dev();
    }

    @Override
    public long inode() {
        return stat.ino();
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws ErrnoException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = file.pread(dst, offset + total);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public long physicalPage(long offset) {
        return file.node() instanceof ServedFile served ? served.physicalPage(offset) : -1;
    }

    /** Lets the description close once no descriptor refers to it either. */
    public synchronized void release() {
        if (!released) {
            released = true;
            file.release();
        }
    }
}
