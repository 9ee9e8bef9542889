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
    /** The mappings that hold the file: the process that mapped it, and the children that inherited the area. */
    private int holders = 1;

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

    /**
     * Shared mappings of this file now map {@code pages} (null: no more): an in-memory file keeps its bytes coherent
     * with them; other files see the pages' bytes when they are written back ({@link #writeBack}).
     */
    public void mapPages(MappedPages pages) {
        if (file.node() instanceof MemoryFile memory) {
            memory.mapPages(pages);
        }
    }

    /** Whether the file keeps its bytes coherent with mapped pages itself (an in-memory file): no write back needed. */
    public boolean coherent() {
        return file.node() instanceof MemoryFile;
    }

    /**
     * Writes {@code src} back to the file at {@code offset}, but never past its end (a page's tail beyond it is not the
     * file's); returns the bytes written.
     */
    public int writeBack(long offset, ByteBuffer src) throws ErrnoException {
        long size = file.node().stat().size();
        if (offset >= size) {
            return 0;
        }
        if (src.remaining() > size - offset) {
            src.limit(src.position() + (int) (size - offset));
        }
        int total = 0;
        while (src.hasRemaining()) {
            int n = file.pwrite(src, offset + total);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        return total;
    }


    /** One more process holds the mapping (a fork's child inherits the area). */
    public synchronized void retain() {
        if (holders == 0) {
            throw new IllegalStateException("mapping of " + path() + " was released already");
        }
        holders++;
    }

    /** A holder lets go; the last lets the description close once no descriptor refers to it either. */
    public synchronized void release() {
        if (holders > 0 && --holders == 0) {
            file.release();
        }
    }
}
