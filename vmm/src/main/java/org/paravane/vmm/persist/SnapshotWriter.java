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
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.zip.CRC32C;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * Writes a {@link Snapshot} in two steps, so a VM whose memory is still being restored lazily is paused only while its
 * present pages are copied. {@link #begin} (VM paused) copies the present pages and notes the absent ones; a page
 * absent then still holds exactly what the VM's page source has for it, so {@link #finish} (VM running again) reads
 * those from the source, in chunks of up to {@value #CHUNK_PAGES} pages with up to {@value #PARALLEL_READS} reads in
 * flight, instead of faulting them in one by one, and leaves the VM's own memory lazy.
 *
 * <p>The file is written to a temporary and moved over the target only when complete ({@link SnapshotFile}); closing
 * a writer that has not finished deletes the temporary.
 */
public final class SnapshotWriter implements AutoCloseable {
    static final int CHUNK_PAGES = 64;
    static final int PARALLEL_READS = 16;
    private static final int PAGE = GuestMemory.PAGE_SIZE;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[PAGE]);
    private static final int ZERO_PAGE_CRC = Snapshot.crc32c(ZEROS);

    private final SnapshotFile out;
    private final byte[] vmName;
    private final CpuModel cpuModel;
    private final PageSource source;
    private final List<MemoryRegion> regions;
    private final long[] dataOffsets;
    private final long[] bitmapOffsets;
    private final long[] checksumOffsets;
    private final int metadataLength;
    private final long fileLength;
    private final BitSet[] zero;
    private final BitSet[] absent;
    private final int[][] checksums;
    private boolean finished;

    /** A run of absent pages of one region, read from the source with one request. */
    private record Chunk(int region, int firstPage, int pages) {
    }

    private SnapshotWriter(SnapshotFile out, String vmName, CpuModel cpuModel, GuestMemory memory) {
        this.out = out;
        this.vmName = vmName.getBytes(StandardCharsets.UTF_8);
        this.cpuModel = cpuModel;
        this.source = memory.source();
        this.regions = memory.regions();
        int n = regions.size();
        dataOffsets = new long[n];
        bitmapOffsets = new long[n];
        checksumOffsets = new long[n];
        zero = new BitSet[n];
        absent = new BitSet[n];
        checksums = new int[n][];
        long at = Snapshot.FIXED_HEADER + 2 + this.vmName.length + CpuModelCodec.size(cpuModel);
        for (MemoryRegion r : regions) {
            at += 2 + r.name().getBytes(StandardCharsets.UTF_8).length + Snapshot.REGION_FIELDS;
        }
        for (int i = 0; i < n; i++) {
            bitmapOffsets[i] = at;
            at += (pages(i) + 7) / 8;
        }
        for (int i = 0; i < n; i++) {
            checksumOffsets[i] = at;
            at += 4L * pages(i);
            zero[i] = new BitSet();
            absent[i] = new BitSet();
            checksums[i] = new int[pages(i)];
        }
        if (at > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("memory of " + vmName + " is too large for one snapshot file");
        }
        metadataLength = (int) at;
        at = (at + PAGE - 1) & -PAGE;
        for (int i = 0; i < n; i++) {
            dataOffsets[i] = at;
            at += regions.get(i).size();
        }
        fileLength = at;
    }

    private int pages(int region) {
        return (int) (regions.get(region).size() / PAGE);
    }

    /**
     * Starts a snapshot of {@code memory} to {@code file}: copies every present page, reads nothing from the page source.
     * The caller pauses the VM for this call only, so the copied bytes are consistent.
     *
     * @param force    replace {@code file} even when it is a regular file that is not a snapshot
     * @param cpuModel the CPU model the VM runs under, recorded with its memory
     * @throws IllegalArgumentException when {@code file} may not be written (see {@link SnapshotFile})
     */
    public static SnapshotWriter begin(Path file, boolean force, String vmName, CpuModel cpuModel, GuestMemory memory)
            throws IOException {
        SnapshotFile out = SnapshotFile.create(file, force);
        try {
            SnapshotWriter writer = new SnapshotWriter(out, vmName, cpuModel, memory);
            writer.copyPresentPages(memory);
            return writer;
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private void copyPresentPages(GuestMemory memory) throws IOException {
        for (int i = 0; i < regions.size(); i++) {
            long base = regions.get(i).guestAddress();
            for (int p = 0; p < pages(i); p++) {
                long gpa = base + (long) p * PAGE;
                if (!memory.isPresent(gpa)) {
                    absent[i].set(p);
                    continue;
                }
                try {
                    copyPage(i, p, memory.slice(gpa, PAGE));
                } catch (PageSourceException e) {
                    throw new IllegalStateException("present page 0x" + Long.toHexString(gpa) + " could not be read", e);
                }
            }
        }
    }

    /** Records page {@code p} of region {@code region}: a hole and a bit when zero, its bytes otherwise, and its CRC. */
    private void copyPage(int region, int p, MemorySegment page) throws IOException {
        if (isZero(page)) {
            synchronized (zero[region]) {
                zero[region].set(p);
            }
            checksums[region][p] = ZERO_PAGE_CRC;
            return;
        }
        checksums[region][p] = Snapshot.crc32c(page);
        ByteBuffer bytes = page.isNative() ? page.asByteBuffer() : ByteBuffer.wrap(page.toArray(ValueLayout.JAVA_BYTE));
        FileChannel channel = out.channel();
        long position = dataOffsets[region] + (long) p * PAGE;
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
    }

    private static boolean isZero(MemorySegment page) {
        return page.mismatch(ZEROS) == -1;
    }

    /**
     * Completes the snapshot: reads the pages that were absent from the page source, writes the metadata and moves the
     * file over the target. The VM may run meanwhile.
     *
     * @return the size of the snapshot file
     * @throws PageSourceException when the source cannot deliver a page; nothing is left behind then
     */
    public long finish() throws IOException, InterruptedException {
        if (finished) {
            throw new IllegalStateException("the snapshot to " + out.target() + " is already finished");
        }
        readAbsentPages();
        writeMetadata();
        out.commit();
        finished = true;
        return Files.size(out.target());
    }

    private void readAbsentPages() throws IOException, InterruptedException {
        List<Chunk> chunks = absentChunks();
        if (chunks.isEmpty()) {
            return;
        }
        Semaphore inFlight = new Semaphore(PARALLEL_READS);
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> reads = new ArrayList<>();
            for (Chunk c : chunks) {
                reads.add(readers.submit(() -> {
                    inFlight.acquire();
                    try {
                        readChunk(c);
                    } finally {
                        inFlight.release();
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> read : reads) {
                    read.get();
                }
            } catch (ExecutionException e) {
                readers.shutdownNow();
                switch (e.getCause()) {
                    case IOException io -> throw io;
                    case RuntimeException re -> throw re;
                    case Error err -> throw err;
                    case null, default -> throw new IOException("reading the page source " + source.describe() + ": " + e, e);
                }
            } catch (InterruptedException e) {
                readers.shutdownNow();
                throw e;
            }
        }
    }

    /** The absent pages the source does not know to be zero, in runs of consecutive pages. */
    private List<Chunk> absentChunks() {
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < regions.size(); i++) {
            long base = regions.get(i).guestAddress();
            int first = -1;
            int count = 0;
            for (int p = absent[i].nextSetBit(0); p >= 0; p = absent[i].nextSetBit(p + 1)) {
                if (source.isZero(base + (long) p * PAGE)) {
                    zero[i].set(p);
                    checksums[i][p] = ZERO_PAGE_CRC;
                    continue;
                }
                if (count > 0 && p == first + count && count < CHUNK_PAGES) {
                    count++;
                    continue;
                }
                if (count > 0) {
                    chunks.add(new Chunk(i, first, count));
                }
                first = p;
                count = 1;
            }
            if (count > 0) {
                chunks.add(new Chunk(i, first, count));
            }
        }
        return chunks;
    }

    private void readChunk(Chunk c) throws IOException {
        MemorySegment bytes = MemorySegment.ofArray(new byte[c.pages() * PAGE]);
        source.read(regions.get(c.region()).guestAddress() + (long) c.firstPage() * PAGE, bytes);
        for (int k = 0; k < c.pages(); k++) {
            copyPage(c.region(), c.firstPage() + k, bytes.asSlice((long) k * PAGE, PAGE));
        }
    }

    private void writeMetadata() throws IOException {
        ByteBuffer meta = ByteBuffer.allocate(metadataLength).order(ByteOrder.LITTLE_ENDIAN);
        meta.putLong(Snapshot.MAGIC).putInt(Snapshot.VERSION).putInt(regions.size()).putLong(System.currentTimeMillis())
                .putInt(metadataLength).putInt(0);
        Snapshot.putString(meta, vmName);
        CpuModelCodec.put(meta, cpuModel);
        for (int i = 0; i < regions.size(); i++) {
            MemoryRegion r = regions.get(i);
            Snapshot.putString(meta, r.name().getBytes(StandardCharsets.UTF_8));
            meta.putLong(r.guestAddress()).putLong(r.size()).putLong(dataOffsets[i]).putLong(bitmapOffsets[i])
                    .putLong(checksumOffsets[i]);
        }
        for (int i = 0; i < regions.size(); i++) {
            byte[] bits = zero[i].toByteArray();
            meta.put((int) bitmapOffsets[i], bits, 0, Math.min(bits.length, (pages(i) + 7) / 8));
            meta.slice((int) checksumOffsets[i], 4 * pages(i)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(checksums[i]);
        }
        CRC32C crc = new CRC32C();
        crc.update(meta.clear());
        meta.putInt(Snapshot.CRC_FIELD, (int) crc.getValue());
        FileChannel channel = out.channel();
        meta.clear();
        while (meta.hasRemaining()) {
            channel.write(meta, meta.position());
        }
        if (channel.size() < fileLength) {
            channel.write(ByteBuffer.wrap(new byte[1]), fileLength - 1);   // the file spans every region even with trailing holes
        }
    }

    /** Deletes the temporary unless the snapshot was finished. */
    @Override
    public void close() throws IOException {
        out.close();
    }
}
