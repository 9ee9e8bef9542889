package org.paravane.vmm.linux.fs;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A read-only regular file whose bytes are guest-physical memory served lazily by the VM's page source: file offset
 * {@code o} is guest-physical {@code base + o}, in the lazy data region. Its pages arrive as any lazily restored memory
 * does: a mapping of it maps those very pages (one set for every mapper), so a process touching an absent one takes
 * an async page fault; a {@code read} that needs an absent page does not fetch it on the vCPU thread but throws
 * {@link PagesAbsentException} before moving a byte, and the kernel waits for the page as for a fault in kernel
 * context.
 */
public final class ServedFile implements Node.OpenableFile {
    private static final int PAGE = GuestMemory.PAGE_SIZE;

    private final GuestMemory memory;
    private final long base;
    private final long size;
    private final long dev;
    private final long mtimeNanos = Stat.nowNanos();

    /**
     * @param memory the VM's guest memory (whichever backend it is on)
     * @param base   guest-physical address of the file's first byte, page aligned, in a lazy region
     * @param size   the file's length; its pages are {@code [base, base + size)} rounded up to a page
     * @param dev    the device number stat reports (the file is its own mount)
     */
    public ServedFile(GuestMemory memory, long base, long size, long dev) {
        if ((base & (PAGE - 1)) != 0 || size < 0) {
            throw new IllegalArgumentException("served file at 0x" + Long.toHexString(base) + " of " + size
                    + " bytes: the base must be page aligned and the size not negative");
        }
        this.memory = memory;
        this.base = base;
        this.size = size;
        this.dev = dev;
    }

    /** Guest-physical address of the page holding file offset {@code offset} (which may lie past the end). */
    public long physicalPage(long offset) {
        return base + (offset & -PAGE);
    }

    public long size() {
        return size;
    }

    @Override
    public Stat stat() {
        return new Stat(dev, 2, Fcntl.S_IFREG | 0444, 1, 0, 0, 0, size, PAGE, Stat.blocksOf(size), mtimeNanos,
                mtimeNanos, mtimeNanos);
    }

    @Override
    public FileContents open(int flags) throws ErrnoException {
        if ((flags & Fcntl.O_ACCMODE) != Fcntl.O_RDONLY) {
            throw new ErrnoException(Errno.EROFS, "a lazily served file is read-only");
        }
        return new Contents();
    }

    /** The first absent page of {@code [position, position + length)}, or -1 when every page is present. */
    long firstAbsent(long position, long length) {
        for (long p = position & -PAGE; p < position + length; p += PAGE) {
            if (!memory.isPresent(base + p)) {
                return base + p;
            }
        }
        return -1;
    }

    private final class Contents implements FileContents {
        @Override
        public int read(ByteBuffer dst, long position) throws ErrnoException {
            if (position >= size) {
                return 0;
            }
            int n = (int) Math.min(dst.remaining(), size - position);
            long absent = firstAbsent(position, n);
            if (absent >= 0) {
                throw new PagesAbsentException(absent, "page 0x" + Long.toHexString(absent) + " of a served file");
            }
            try {
                MemorySegment.copy(memory.slice(base + position, n), 0, MemorySegment.ofBuffer(dst), 0, n);
            } catch (PageSourceException e) {
                throw new ErrnoException(Errno.EIO, "served file: " + e.getMessage());
            }
            dst.position(dst.position() + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) throws ErrnoException {
            throw new ErrnoException(Errno.EBADF, "a lazily served file is read-only");
        }

        @Override
        public boolean seekable() {
            return true;
        }

        @Override
        public long size() {
            return size;
        }
    }
}
