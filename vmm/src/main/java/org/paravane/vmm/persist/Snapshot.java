package org.paravane.vmm.persist;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.zip.CRC32C;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.source.FilePageSource;

/**
 * The memory of a VM saved to a file ({@code paravane:snapshot}, written by {@link SnapshotWriter}): every region's
 * bytes at a page-aligned offset (zero pages left as holes of a sparse file), a bitmap of the zero pages, so a restored
 * page that was never written costs no read, and a CRC32C of every page, checked when the page is restored, so a
 * damaged file fails the page instead of handing the guest wrong bytes. The vCPUs, tasks and kernel state are not in
 * it: {@code --source snapshot:<file>} restores the saved data region lazily as a new VM's data region, and that VM
 * gets the CPU model the snapshot was taken under unless it names one. Version 2 files (before models) are read with
 * {@link CpuModels#LEGACY}, the CPUID the software CPU showed then.
 *
 * <pre>
 * "PVSNAP01" | u32 version | u32 regions | u64 created (epoch ms) | u32 metadata length | u32 metadata CRC32C
 * u16 length + VM name
 * CPU model (version 3): u16 length + name | u64 supported XCR0 | u32 leaves | per leaf: u32 function | u32 index
 *             | u8 indexed | u32 EAX, EBX, ECX, EDX
 * per region: u16 length + name | u64 guest address | u64 size | u64 data offset | u64 zero-bitmap offset
 *             | u64 checksum offset
 * zero bitmaps, page checksums (u32 CRC32C each) -- the metadata ends here, its CRC taken with the CRC field zero --
 * then page-aligned region data
 * </pre>
 */
public final class Snapshot {
    static final long MAGIC = 0x313050414E535650L;   // "PVSNAP01"
    static final int VERSION = 3;
    /** The last version without a CPU model: read with {@link CpuModels#LEGACY}. */
    static final int VERSION_WITHOUT_MODEL = 2;
    /** Magic, version, region count, creation time, metadata length and CRC. */
    static final int FIXED_HEADER = 32;
    static final int CRC_FIELD = 28;
    /** Per region after its name: guest address, size, data, zero-bitmap and checksum offsets. */
    static final int REGION_FIELDS = 40;
    private static final int PAGE = GuestMemory.PAGE_SIZE;

    /**
     * One saved region.
     *
     * @param checksums the CRC32C of each page's bytes (zero pages included)
     */
    public record Region(String name, long guestAddress, long size, long dataOffset, BitSet zeroPages, int[] checksums) {
        long pages() {
            return size / PAGE;
        }
    }

    private final Path file;
    private final String vmName;
    private final long created;
    private final List<Region> regions;
    private final CpuModel cpuModel;

    private Snapshot(Path file, String vmName, long created, List<Region> regions, CpuModel cpuModel) {
        this.file = file;
        this.vmName = vmName;
        this.created = created;
        this.regions = regions;
        this.cpuModel = cpuModel;
    }

    /** The CPU model the VM ran under when the snapshot was taken. */
    public CpuModel cpuModel() {
        return cpuModel;
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

    /**
     * The bytes of the region named "data", or of the first region (the RAM at guest-physical 0, below the 32-bit
     * hole) when there is none: what a task's data region restores.
     */
    public long dataBytes() {
        return dataRegion().size();
    }

    private Region dataRegion() {
        return regions.stream().filter(r -> r.name().equals("data")).findFirst().orElse(regions.getFirst());
    }

    /**
     * Serves the data region's saved bytes at guest-physical {@code base}, lazily, page by page; a page whose bytes no
     * longer match their checksum fails with a {@link PageSourceException} naming the file and the page.
     */
    public PageSource dataSource(long base) throws IOException {
        Region r = dataRegion();
        FilePageSource bytes = new FilePageSource(file, r.dataOffset(), r.size(), base);
        return new PageSource() {
            @Override
            public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
                bytes.read(guestAddress, destination);
                verify(r, base, guestAddress, destination);
            }

            @Override
            public boolean isZero(long guestAddress) {
                long page = (guestAddress - base) / PAGE;
                return page < 0 || page >= r.pages() || r.zeroPages().get((int) page);
            }

            @Override
            public String describe() {
                return "snapshot " + file + " (" + vmName + ":" + r.name() + ")";
            }
        };
    }

    private void verify(Region r, long base, long guestAddress, MemorySegment pages) throws PageSourceException {
        for (long off = 0; off < pages.byteSize(); off += PAGE) {
            long page = (guestAddress + off - base) / PAGE;
            if (page >= r.pages()) {
                return;   // past the saved bytes: zero, as the file source gives
            }
            int read = crc32c(pages.asSlice(off, PAGE));
            int stored = r.checksums()[(int) page];
            if (read != stored) {
                throw new PageSourceException(guestAddress + off, "snapshot " + file + ": page " + page + " of region '"
                        + r.name() + "' (file offset " + (r.dataOffset() + page * PAGE) + ") fails its checksum (stored 0x"
                        + Integer.toHexString(stored) + ", read 0x" + Integer.toHexString(read) + "): the file is damaged");
            }
        }
    }

    /** The CRC32C of {@code bytes}. */
    static int crc32c(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        if (bytes.isNative() || bytes.heapBase().orElse(null) instanceof byte[]) {
            crc.update(bytes.asByteBuffer());
        } else {
            crc.update(bytes.toArray(ValueLayout.JAVA_BYTE));
        }
        return (int) crc.getValue();
    }

    /**
     * Writes every region of {@code memory}, of a VM under {@code cpuModel}, to {@code file}; see {@link SnapshotWriter}
     * for what may be replaced.
     */
    public static long write(Path file, String vmName, CpuModel cpuModel, GuestMemory memory, boolean force)
            throws IOException, InterruptedException {
        try (SnapshotWriter writer = SnapshotWriter.begin(file, force, vmName, cpuModel, memory)) {
            return writer.finish();
        }
    }

    /** {@link #write(Path, String, CpuModel, GuestMemory, boolean)} for a one-vCPU VM under the default model. */
    public static long write(Path file, String vmName, GuestMemory memory, boolean force) throws IOException, InterruptedException {
        return write(file, vmName, CpuModels.defaultModel(1), memory, force);
    }

    /** Reads the metadata of a snapshot file; a file that is not one, or is damaged, gets an error saying so. */
    public static Snapshot read(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = in.size();
            ByteBuffer fixed = readAt(in, 0, (int) Math.min(fileSize, FIXED_HEADER));
            if (fixed.remaining() < 8 || fixed.getLong() != MAGIC) {
                throw new IOException(file + " is not a Paravane snapshot (bad magic)");
            }
            if (fixed.remaining() < FIXED_HEADER - 8) {
                throw new IOException(file + ": the snapshot header is truncated");
            }
            int version = fixed.getInt();
            if (version != VERSION && version != VERSION_WITHOUT_MODEL) {
                throw new IOException(file + ": snapshot format version " + version + " is not supported (this Paravane reads"
                        + " versions " + VERSION_WITHOUT_MODEL + " and " + VERSION + ", which checksum every page); take"
                        + " the snapshot again");
            }
            int count = fixed.getInt();
            long created = fixed.getLong();
            long metadataLength = Integer.toUnsignedLong(fixed.getInt());
            int storedCrc = fixed.getInt();
            if (metadataLength < FIXED_HEADER || metadataLength > Math.min(fileSize, Integer.MAX_VALUE - 8)) {
                throw new IOException(file + ": the snapshot header is truncated or damaged (metadata of " + metadataLength
                        + " bytes in a file of " + fileSize + ")");
            }
            ByteBuffer meta = readAt(in, 0, (int) metadataLength);
            if (meta.remaining() < metadataLength) {
                throw new IOException(file + ": the snapshot header is truncated");
            }
            meta.putInt(CRC_FIELD, 0);
            CRC32C crc = new CRC32C();
            crc.update(meta.duplicate());
            if ((int) crc.getValue() != storedCrc) {
                throw new IOException(file + ": the snapshot's header is damaged (checksum mismatch)");
            }
            return parse(file, meta.position(FIXED_HEADER), version, count, created, fileSize);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IOException(file + ": the snapshot's metadata is inconsistent (" + e + ")", e);
        }
    }

    private static Snapshot parse(Path file, ByteBuffer meta, int version, int count, long created, long fileSize)
            throws IOException {
        String vm = getString(meta);
        CpuModel model = version == VERSION_WITHOUT_MODEL ? CpuModels.legacy(1) : CpuModelCodec.get(meta);
        List<Region> regions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = getString(meta);
            long gpa = meta.getLong(), size = meta.getLong(), data = meta.getLong(), bitmap = meta.getLong(), sums = meta.getLong();
            if (size <= 0 || size % PAGE != 0 || data % PAGE != 0 || data + size > fileSize || size / PAGE > Integer.MAX_VALUE) {
                throw new IOException(file + ": region '" + name + "' is damaged (size " + size + ", data at " + data
                        + ", file " + fileSize + " bytes)");
            }
            int pages = (int) (size / PAGE);
            byte[] bits = new byte[(pages + 7) / 8];
            meta.get((int) bitmap, bits);
            int[] checksums = new int[pages];
            meta.slice((int) sums, pages * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(checksums);
            regions.add(new Region(name, gpa, size, data, BitSet.valueOf(bits), checksums));
        }
        if (regions.isEmpty()) {
            throw new IOException(file + ": the snapshot holds no regions");
        }
        return new Snapshot(file, vm, created, List.copyOf(regions), model);
    }

    private static ByteBuffer readAt(FileChannel in, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && in.read(b, position + b.position()) >= 0) {
            // positional reads until full or the end of the file
        }
        return b.flip();
    }

    static void putString(ByteBuffer b, byte[] utf8) {
        b.putShort((short) utf8.length).put(utf8);
    }

    static String getString(ByteBuffer b) {
        byte[] bytes = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
