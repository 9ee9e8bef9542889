package org.paravane.vmm.linux.fs;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A tmpfs regular file. Its bytes live as long as a name or an open description refers to it: unlinking an open
 * file keeps the data until the last close, because the description holds the node.
 */
final class MemoryFile extends MemoryNode implements Node.OpenableFile {
    /** tmpfs files are limited by the VM's memory; this is Java's array limit. */
    static final long MAX_SIZE = Integer.MAX_VALUE - 8;
    private byte[] data;
    private long size;
    /** The page-rounded bytes charged to the tmpfs while a name refers to this file. */
    private long charged;
    /** The pages of its shared mappings, kept coherent with {@link #data}; null while it has none. */
    private MappedPages mapped;

    MemoryFile(Tmpfs fs, long ino, int permissions, byte[] contents) throws ErrnoException {
        super(fs, ino, permissions);
        this.data = contents;
        this.size = contents.length;
        recharge(size);
    }

    /** Charges the tmpfs for {@code newSize} before the data grows to it; ENOSPC leaves everything as it was. */
    private void recharge(long newSize) throws ErrnoException {
        if (nlink == 0) {
            return;
        }
        long pages = (newSize + 4095) & ~4095L;
        fs.charge(pages - charged);
        charged = pages;
    }

    /** One more name refers to it (link(2)). */
    synchronized void linked() {
        nlink++;
    }

    /**
     * One name is gone; after the last, the data stays for open descriptions but no longer counts against the
     * tmpfs.
     */
    synchronized void unlinked() {
        if (nlink > 1) {
            nlink--;
            return;
        }
        nlink = 0;
        try {
            fs.charge(-charged);
        } catch (ErrnoException e) {
            throw new IllegalStateException("giving bytes back cannot fail", e);
        }
        charged = 0;
    }

    @Override
    public synchronized Stat stat() {
        return stat(Fcntl.S_IFREG, size, nlink);
    }

    synchronized byte[] contents() {
        if (mapped != null) {
            mapped.copyInto(0, size, data, size);
        }
        return Arrays.copyOf(data, (int) size);
    }

    /** Shared mappings of this file now map {@code pages} (null: none any more); they and the bytes stay coherent. */
    synchronized void mapPages(MappedPages pages) {
        if (mapped != null && pages == null) {
            mapped.copyInto(0, size, data, size);
        }
        mapped = pages;
    }

    @Override
    public FileContents open(int flags) {
        return new FileContents() {
            @Override
            public int read(ByteBuffer dst, long position) {
                synchronized (MemoryFile.this) {
                    if (position >= size) {
                        return 0;
                    }
                    int n = (int) Math.min(dst.remaining(), size - position);
                    if (mapped != null) {
                        mapped.copyInto(position, n, data, size);
                    }
                    dst.put(data, (int) position, n);
                    atime = Stat.nowNanos();
                    return n;
                }
            }

            @Override
            public int write(ByteBuffer src, long position) throws ErrnoException {
                synchronized (MemoryFile.this) {
                    int n = src.remaining();
                    if (position + n > MAX_SIZE || position + n < 0) {
                        throw new ErrnoException(Errno.EFBIG, "file would exceed " + MAX_SIZE + " bytes");
                    }
                    recharge(Math.max(size, position + n));
                    ensureCapacity(position + n);
                    src.get(data, (int) position, n);
                    size = Math.max(size, position + n);
                    if (mapped != null) {
                        mapped.copyFrom(position, n, data, size);
                    }
                    touch();
                    return n;
                }
            }

            @Override
            public boolean seekable() {
                return true;
            }

            @Override
            public long size() {
                synchronized (MemoryFile.this) {
                    return size;
                }
            }

            @Override
            public void truncate(long length) throws ErrnoException {
                MemoryFile.this.truncate(length);
            }
        };
    }

    synchronized void truncate(long length) throws ErrnoException {
        if (length > MAX_SIZE) {
            throw new ErrnoException(Errno.EFBIG, "file would exceed " + MAX_SIZE + " bytes");
        }
        recharge(length);
        ensureCapacity(length);
        if (mapped != null) {
            mapped.copyInto(0, size, data, size);
        }
        long old = size;
        if (length < size) {
            Arrays.fill(data, (int) length, (int) size, (byte) 0);
        }
        size = length;
        if (mapped != null) {
            mapped.copyFrom(Math.min(old, length), Math.abs(old - length), data, size);
        }
        touch();
    }

    private void ensureCapacity(long needed) {
        if (needed > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(MAX_SIZE, Math.max(needed, 2L * data.length)));
        }
    }
}
