package org.paravane.vmm.kernel.abi.linux;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.FileMapping;
import org.paravane.vmm.linux.fs.MappedPages;
import org.paravane.vmm.linux.mm.MappedFile;

/**
 * The pages of one file's shared mappings (MAP_SHARED): one guest-physical page per file page, made on the first
 * touch from the file's bytes, and mapped by every process that maps the file shared (and, after fork, by parent and
 * child alike: the pages belong to no address space). An in-memory file keeps its bytes coherent with them
 * ({@link MappedPages}); another file gets them written back on msync, munmap and when the last mapper lets go, which
 * also gives the pages back. A MAP_SHARED|MAP_ANONYMOUS region is such a file of its own, with nothing behind it.
 */
final class SharedFilePages implements MappedPages {
    private static final int PAGE = GuestMemory.PAGE_SIZE;

    /** Which file: device and inode, as two mappings of one file name it (host nodes are made per lookup). */
    record Key(long device, long inode) {
    }

    private final Key key;
    private final FileMapping file;   // null for shared anonymous memory
    private final GuestMemory memory;
    private final LongSupplier allocate;
    private final LongConsumer free;
    private final Map<Key, SharedFilePages> registry;
    /** File page index to guest-physical page. */
    private final ConcurrentSkipListMap<Long, Long> pages = new ConcurrentSkipListMap<>();
    private int users;

    SharedFilePages(Key key, FileMapping file, GuestMemory memory, LongSupplier allocate, LongConsumer free,
                    Map<Key, SharedFilePages> registry) {
        this.key = key;
        this.file = file;
        this.memory = memory;
        this.allocate = allocate;
        this.free = free;
        this.registry = registry;
    }

    /** The shared pages of {@code file} in {@code registry} (made at the first mapper), with one more user. */
    static SharedFilePages retain(Map<Key, SharedFilePages> registry, Key key, FileMapping file, GuestMemory memory,
                                  LongSupplier allocate, LongConsumer free) {
        synchronized (registry) {
            SharedFilePages p = registry.computeIfAbsent(key, k -> new SharedFilePages(k, file, memory, allocate, free,
                    registry));
            p.retain();
            return p;
        }
    }

    synchronized void retain() {
        if (users++ == 0 && file != null) {
            file.mapPages(this);
        }
    }

    /**
     * One user fewer; the last writes every page back (a file that needs it) and gives the pages back.
     */
    void release() {
        synchronized (registry) {
            synchronized (this) {
                if (--users > 0) {
                    return;
                }
                registry.remove(key, this);
            }
        }
        writeBack(0, Long.MAX_VALUE);
        if (file != null) {
            file.mapPages(null);
        }
        pages.values().forEach(free::accept);
        pages.clear();
    }

    /** Guest-physical page of the file's page holding {@code offset}, made from the file's bytes at the first touch. */
    long page(long offset) throws ErrnoException {
        long index = offset / PAGE;
        Long gpa = pages.get(index);
        if (gpa != null) {
            return gpa;
        }
        synchronized (this) {
            gpa = pages.get(index);
            if (gpa != null) {
                return gpa;
            }
            long fresh = allocate.getAsLong();   // zeroed
            if (file != null) {
                byte[] contents = new byte[PAGE];
                file.read(index * PAGE, ByteBuffer.wrap(contents));
                MemorySegment.copy(MemorySegment.ofArray(contents), 0, slice(fresh), 0, PAGE);
            }
            pages.put(index, fresh);
            return fresh;
        }
    }

    private MemorySegment slice(long gpa) {
        try {
            return memory.slice(gpa, PAGE);
        } catch (PageSourceException e) {
            throw new IllegalStateException("kernel RAM page 0x" + Long.toHexString(gpa) + " is not present", e);
        }
    }

    /** Writes the pages overlapping the file's {@code [from, to)} back to a file that does not keep them itself. */
    void writeBack(long from, long to) {
        if (file == null || file.coherent()) {
            return;
        }
        for (Map.Entry<Long, Long> e : pages.subMap(from / PAGE, true, (to - 1) / PAGE, true).entrySet()) {
            byte[] bytes = new byte[PAGE];
            MemorySegment.copy(slice(e.getValue()), 0, MemorySegment.ofArray(bytes), 0, PAGE);
            try {
                file.writeBack(e.getKey() * PAGE, ByteBuffer.wrap(bytes));
            } catch (ErrnoException ex) {
                // As Linux's writeback: the error is the file's (a later fsync would report it), the mapping goes on.
            }
        }
    }

    @Override
    public void copyInto(long position, long length, byte[] data, long size) {
        copy(position, length, size, (gpa, pageOffset, fileOffset, n) ->
                MemorySegment.copy(slice(gpa), pageOffset, MemorySegment.ofArray(data), fileOffset, n));
    }

    @Override
    public void copyFrom(long position, long length, byte[] data, long size) {
        copy(position, length, Long.MAX_VALUE, (gpa, pageOffset, fileOffset, n) -> {
            MemorySegment page = slice(gpa);
            long inFile = Math.clamp(size - fileOffset, 0, n);
            MemorySegment.copy(MemorySegment.ofArray(data), fileOffset, page, pageOffset, inFile);
            page.asSlice(pageOffset + inFile, n - inFile).fill((byte) 0);   // past the end: zeros, as a fresh page
        });
    }

    private interface PagePart {
        void apply(long gpa, long pageOffset, long fileOffset, long length);
    }

    /** Calls {@code part} for each cached page's share of the file's {@code [position, position + length)}, below {@code limit}. */
    private void copy(long position, long length, long limit, PagePart part) {
        long end = Math.min(position + length, limit);
        if (end <= position) {
            return;
        }
        for (Map.Entry<Long, Long> e : pages.subMap(position / PAGE, true, (end - 1) / PAGE, true).entrySet()) {
            long pageStart = e.getKey() * PAGE;
            long from = Math.max(position, pageStart), to = Math.min(end, pageStart + PAGE);
            part.apply(e.getValue(), from - pageStart, from, to - from);
        }
    }

    /** The mapping's view: what a fault asks for. */
    MappedFile mapping(MappedFile shown) {
        return new MappedFile() {
            @Override
            public String path() {
                return shown.path();
            }

            @Override
            public long device() {
                return shown.device();
            }

            @Override
            public long inode() {
                return shown.inode();
            }

            @Override
            public int read(long offset, java.nio.ByteBuffer dst) throws ErrnoException {
                return shown.read(offset, dst);
            }

            @Override
            public long physicalPage(long offset) {
                try {
                    return page(offset);
                } catch (ErrnoException e) {
                    throw new IllegalStateException(shown.path() + " could not be read: " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public String toString() {
        return "shared pages of " + (file == null ? "anonymous memory" : file.path()) + " (" + pages.size() + ")";
    }
}
