package org.paravane.vmm.persist;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.source.FilePageSource;

/**
 * A VM's memory saved to a file ({@code paravane:snapshot}) and restored lazily: every region's bytes at a
 * page-aligned offset (zero pages left as holes of a sparse file) plus a bitmap of the zero pages, so a restored page
 * that was never written costs no read.
 *
 * <pre>
 * "PVSNAP01" | u32 version | u32 regions | u64 created (epoch ms) | u16 length + VM name
 * per region: u16 length + name | u64 guest address | u64 size | u64 data offset | u64 zero-bitmap offset
 * zero bitmaps, then page-aligned region data
 * </pre>
 */
public final class Snapshot {
    private static final long MAGIC = 0x313050414E535650L;   // "PVSNAP01"
    private static final int VERSION = 1;
    private static final int PAGE = GuestMemory.PAGE_SIZE;

    /** One saved region. */
    public record Region(String name, long guestAddress, long size, long dataOffset, BitSet zeroPages) {
    }

    private final Path file;
    private final String vmName;
    private final long created;
    private final List<Region> regions;

    private Snapshot(Path file, String vmName, long created, List<Region> regions) {
        this.file = file;
        this.vmName = vmName;
        this.created = created;
        this.regions = regions;
    }

    public String vmName() {
        return vmName;
    }

    public long created() {
        return created;
    }

    public List<Region> regions() {
        return regions;
    }

    /** The bytes of the region named "data", or of the last region when there is none: what a task's data region restores. */
    public long dataBytes() {
        return dataRegion().size();
    }

    private Region dataRegion() {
        return regions.stream().filter(r -> r.name().equals("data")).findFirst().orElse(regions.getLast());
    }

    /** Serves the data region's saved bytes at guest-physical {@code base}, lazily, page by page. */
    public PageSource dataSource(long base) throws IOException {
        Region r = dataRegion();
        FilePageSource bytes = new FilePageSource(file, r.dataOffset(), r.size(), base);
        return new PageSource() {
            @Override
            public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
                bytes.read(guestAddress, destination);
            }

            @Override
            public boolean isZero(long guestAddress) {
                long page = (guestAddress - base) / PAGE;
                return page < 0 || page >= r.size() / PAGE || r.zeroPages().get((int) page);
            }

            @Override
            public String describe() {
                return "snapshot " + file + " (" + vmName + ":" + r.name() + ")";
            }
        };
    }

    /**
     * Writes every region of {@code memory} to {@code file} (atomically: a temporary file renamed at the end). Absent
     * pages are fetched first, so the snapshot is complete; the caller pauses the VM so the bytes are consistent.
     */
    public static void write(Path file, String vmName, GuestMemory memory) throws IOException {
        List<MemoryRegion> regions = memory.regions();
        int headerSize = 32 + vmName.length() * 3;
        for (MemoryRegion r : regions) {
            headerSize += 2 + r.name().length() * 3 + 32;
        }
        long bitmapsAt = headerSize;
        long[] bitmapOffsets = new long[regions.size()];
        long at = bitmapsAt;
        for (int i = 0; i < regions.size(); i++) {
            bitmapOffsets[i] = at;
            at += (regions.get(i).size() / PAGE + 7) / 8;
        }
        long[] dataOffsets = new long[regions.size()];
        at = (at + PAGE - 1) & -PAGE;
        for (int i = 0; i < regions.size(); i++) {
            dataOffsets[i] = at;
            at += regions.get(i).size();
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(headerSize).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(MAGIC).putInt(VERSION).putInt(regions.size()).putLong(System.currentTimeMillis());
            putString(header, vmName);
            List<BitSet> zeros = new ArrayList<>();
            for (int i = 0; i < regions.size(); i++) {
                MemoryRegion r = regions.get(i);
                putString(header, r.name());
                header.putLong(r.guestAddress()).putLong(r.size()).putLong(dataOffsets[i]).putLong(bitmapOffsets[i]);
                zeros.add(writeRegion(out, memory, r, dataOffsets[i]));
            }
            header.flip();
            out.write(header, 0);
            for (int i = 0; i < regions.size(); i++) {
                out.write(ByteBuffer.wrap(toBytes(zeros.get(i), (int) (regions.get(i).size() / PAGE))), bitmapOffsets[i]);
            }
            if (out.size() < at) {
                out.write(ByteBuffer.wrap(new byte[1]), at - 1);   // the file spans every region even with trailing holes
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static BitSet writeRegion(FileChannel out, GuestMemory memory, MemoryRegion r, long dataOffset) throws IOException {
        BitSet zero = new BitSet();
        int pages = (int) (r.size() / PAGE);
        for (int p = 0; p < pages; p++) {
            long gpa = r.guestAddress() + (long) p * PAGE;
            MemorySegment page = memory.slice(gpa, PAGE);
            if (isZero(page)) {
                zero.set(p);
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(page.toArray(ValueLayout.JAVA_BYTE));
            long pos = dataOffset + (long) p * PAGE;
            while (b.hasRemaining()) {
                pos += out.write(b, pos);
            }
        }
        return zero;
    }

    private static boolean isZero(MemorySegment page) {
        for (long off = 0; off < page.byteSize(); off += 8) {
            if (page.get(ValueLayout.JAVA_LONG_UNALIGNED, off) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads the header of a snapshot file; a file that is not one gets an error saying so. */
    public static Snapshot read(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(in.size(), 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
            in.read(b, 0);
            b.flip();
            if (b.remaining() < 24 || b.getLong() != MAGIC) {
                throw new IOException(file + " is not a Paravane snapshot (bad magic)");
            }
            int version = b.getInt();
            if (version != VERSION) {
                throw new IOException(file + ": snapshot version " + version + " is not supported (expected " + VERSION + ")");
            }
            int count = b.getInt();
            long created = b.getLong();
            String vm = getString(b);
            List<Region> regions = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = getString(b);
                long gpa = b.getLong(), size = b.getLong(), data = b.getLong(), bitmap = b.getLong();
                if (size <= 0 || size % PAGE != 0 || data % PAGE != 0 || data + size > in.size()) {
                    throw new IOException(file + ": region '" + name + "' is damaged (size " + size + ", data at " + data
                            + ", file " + in.size() + " bytes)");
                }
                ByteBuffer bits = ByteBuffer.allocate((int) ((size / PAGE + 7) / 8));
                in.read(bits, bitmap);
                regions.add(new Region(name, gpa, size, data, BitSet.valueOf(bits.array())));
            }
            if (regions.isEmpty()) {
                throw new IOException(file + ": the snapshot holds no regions");
            }
            return new Snapshot(file, vm, created, List.copyOf(regions));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException(file + ": the snapshot header is truncated", e);
        }
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer b) {
        byte[] bytes = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] toBytes(BitSet bits, int length) {
        byte[] out = new byte[(length + 7) / 8];
        byte[] b = bits.toByteArray();
        System.arraycopy(b, 0, out, 0, Math.min(b.length, out.length));
        return out;
    }
}
