package org.paravane.vmm.persist;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.testkit.ArenaHostPages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.source.FailingPageSource;
import org.paravane.vmm.source.PatternPageSource;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.memory.PagedGuestMemory;

/** Where snapshots may be written, what a failed write leaves behind, their checksums, snapshots of lazy memory. */
class SnapshotTest {
    private static final long DATA = 0x1_0000_0000L;
    private static final int DATA_PAGES = 64;

    @TempDir
    Path dir;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private PagedGuestMemory memory(PageSource source) {
        return new PagedGuestMemory(new VmSpec("snap", 1, List.of(new MemoryRegion("ram", 0, 1 << 20, false),
                new MemoryRegion("data", DATA, DATA_PAGES * 4096, true)), source), new ArenaHostPages(arena));
    }

    private static long qword(PageSource source, long gpa) throws PageSourceException {
        MemorySegment page = MemorySegment.ofArray(new byte[4096]);
        source.read(gpa & -4096, page);
        return page.get(JAVA_LONG_UNALIGNED, gpa & 4095);
    }

    private List<String> filesInDir() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // --- item 2: where a snapshot may go

    @Test
    void aFileThatIsNotASnapshotIsReplacedOnlyWithForce() throws Exception {
        Path precious = dir.resolve("notes.txt");
        Files.writeString(precious, "not a snapshot");
        assertThatThrownBy(() -> Snapshot.write(precious, "snap", memory(PageSource.ZERO), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(precious + " exists and is not a Paravane snapshot; give --force to replace it");
        assertThat(Files.readString(precious)).isEqualTo("not a snapshot");
        assertThat(filesInDir()).containsExactly("notes.txt");
        Snapshot.write(precious, "snap", memory(PageSource.ZERO), true);
        assertThat(Snapshot.read(precious).vmName()).isEqualTo("snap");
    }

    @Test
    void anEarlierSnapshotOrAnEmptyFileIsReplacedWithoutForce() throws Exception {
        Path file = dir.resolve("vm.snap");
        Snapshot.write(file, "first", memory(PageSource.ZERO), false);
        Snapshot.write(file, "second", memory(PageSource.ZERO), false);
        assertThat(Snapshot.read(file).vmName()).isEqualTo("second");
        Path empty = Files.createFile(dir.resolve("mktemp.snap"));
        Snapshot.write(empty, "third", memory(PageSource.ZERO), false);
        assertThat(Snapshot.read(empty).vmName()).isEqualTo("third");
    }

    @Test
    void aDirectoryOrDeviceIsNeverReplacedEvenWithForce() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        for (boolean force : new boolean[] {false, true}) {
            assertThatThrownBy(() -> Snapshot.write(sub, "snap", memory(PageSource.ZERO), force))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(sub + " is a directory: a snapshot is written to a new path or over a regular file");
        }
        assertThat(Files.isDirectory(sub)).isTrue();
        Path fifo = dir.resolve("pipe");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            assertThatThrownBy(() -> Snapshot.write(fifo, "snap", memory(PageSource.ZERO), true))
                    .hasMessage(fifo + " is a device, pipe or socket: a snapshot is written to a new path or over a regular file");
            assertThat(Files.isRegularFile(fifo)).isFalse();
        }
    }

    @Test
    void anEmptyPathIsRefused() {
        assertThatThrownBy(() -> Snapshot.write(Path.of(""), "snap", memory(PageSource.ZERO), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the snapshot file name is empty");
    }

    // --- item 3: temporaries

    @Test
    void aFailedSnapshotLeavesNoTemporaryAndThePreviousSnapshotIntact() throws Exception {
        Path file = dir.resolve("vm.snap");
        Snapshot.write(file, "good", memory(PageSource.ZERO), false);
        byte[] before = Files.readAllBytes(file);
        PagedGuestMemory lazy = memory(new FailingPageSource(new PatternPageSource(3), 0));
        assertThatThrownBy(() -> Snapshot.write(file, "bad", lazy, false)).isInstanceOf(PageSourceException.class)
                .hasMessageContaining("I/O error");
        assertThat(filesInDir()).containsExactly("vm.snap");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aTemporaryLeftByAKilledWriterIsRemovedByTheNextSnapshotToThatPath() throws Exception {
        Path file = dir.resolve("big.snap");
        Path stale = SnapshotFile.temporaryFor(file);
        Files.write(stale, new byte[3 * 4096]);   // what kill -9 mid-write leaves
        Snapshot.write(file, "snap", memory(PageSource.ZERO), false);
        assertThat(filesInDir()).containsExactly("big.snap");
    }

    @Test
    void aTemporaryInUseByAnotherWriterIsLeftAlone() throws Exception {
        Path file = dir.resolve("busy.snap");
        try (FileChannel other = FileChannel.open(SnapshotFile.temporaryFor(file), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); var lock = other.lock()) {
            assertThatThrownBy(() -> Snapshot.write(file, "snap", memory(PageSource.ZERO), false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("another snapshot to " + file + " is being written");
            assertThat(Files.exists(SnapshotFile.temporaryFor(file))).isTrue();
        }
    }

    // --- item 5: checksums

    @Test
    void aFlippedBitInAPageFailsThatPageWhenItIsRestored() throws Exception {
        PagedGuestMemory original = memory(new PatternPageSource(11));
        original.ensurePresent(DATA, DATA_PAGES * 4096L);
        Path file = dir.resolve("vm.snap");
        Snapshot.write(file, "snap", original, false);
        Snapshot.Region data = Snapshot.read(file).regions().get(1);
        long flipAt = data.dataOffset() + 5 * 4096 + 100;
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            c.read(b, flipAt);
            b.put(0, (byte) (b.get(0) ^ 0x10));
            c.write(b.rewind(), flipAt);
        }
        PageSource restored = Snapshot.read(file).dataSource(DATA);
        assertThat(qword(restored, DATA + 4 * 4096)).isEqualTo(PatternPageSource.qwordAt(11, DATA + 4 * 4096));
        assertThatThrownBy(() -> qword(restored, DATA + 5 * 4096)).isInstanceOf(PageSourceException.class)
                .hasMessageContaining("snapshot " + file + ": page 5 of region 'data'")
                .hasMessageContaining("fails its checksum");
        MemorySegment run = MemorySegment.ofArray(new byte[8 * 4096]);
        assertThatThrownBy(() -> restored.read(DATA, run)).as("a multi-page read with the bad page in it")
                .hasMessageContaining("page 5 of region 'data'");
    }

    @Test
    void aSnapshotTruncatedWhileRestoringFailsThePagesItLost() throws Exception {
        PagedGuestMemory original = memory(new PatternPageSource(4));
        original.ensurePresent(DATA, DATA_PAGES * 4096L);
        Path file = dir.resolve("vm.snap");
        Snapshot.write(file, "snap", original, false);
        Snapshot snap = Snapshot.read(file);
        PageSource restored = snap.dataSource(DATA);
        long cut = snap.regions().get(1).dataOffset() + 10 * 4096;
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(cut);
        }
        assertThat(qword(restored, DATA + 9 * 4096)).isEqualTo(PatternPageSource.qwordAt(4, DATA + 9 * 4096));
        assertThatThrownBy(() -> qword(restored, DATA + 10 * 4096)).isInstanceOf(PageSourceException.class)
                .hasMessageContaining(file + " now ends at byte " + cut);
    }

    @Test
    void aDamagedHeaderOrAnOldVersionIsRefused() throws Exception {
        Path file = dir.resolve("vm.snap");
        Snapshot.write(file, "snap", memory(new PatternPageSource(1)), false);
        Snapshot.Region ram = Snapshot.read(file).regions().getFirst();
        byte[] bytes = Files.readAllBytes(file);
        Path damaged = dir.resolve("damaged.snap");
        byte[] flipped = bytes.clone();
        flipped[100] ^= 1;   // in the region table or zero bitmaps: metadata
        Files.write(damaged, flipped);
        assertThatThrownBy(() -> Snapshot.read(damaged)).isInstanceOf(IOException.class)
                .hasMessage(damaged + ": the snapshot's header is damaged (checksum mismatch)");
        Path old = dir.resolve("old.snap");
        byte[] v1 = bytes.clone();
        ByteBuffer.wrap(v1).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1);
        Files.write(old, v1);
        assertThatThrownBy(() -> Snapshot.read(old)).hasMessage(old + ": snapshot format version 1 is not supported (this"
                + " Paravane reads versions 2 and 3, which checksum every page); take the snapshot again");
        assertThat(ram.size()).isEqualTo(1 << 20);
    }

    @Test
    void theCpuModelIsRecordedAndAVersion2FileReadsWithTheLegacyModel() throws Exception {
        Path file = dir.resolve("model.snap");
        CpuModel model = CpuModels.defaultModel(3);
        Snapshot.write(file, "snap", model, memory(new PatternPageSource(1)), false);
        Snapshot v3 = Snapshot.read(file);
        assertThat(v3.cpuModel()).isEqualTo(model);

        // The same file as version 2 wrote it: no model after the name, table offsets earlier, data where it was.
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int regions = in.getInt(12);
        int metadataLength = in.getInt(24);
        int nameEnd = 32 + 2 + Short.toUnsignedInt(in.getShort(32));
        int modelBytes = CpuModelCodec.size(model);
        byte[] v2 = bytes.clone();
        System.arraycopy(bytes, nameEnd + modelBytes, v2, nameEnd, metadataLength - nameEnd - modelBytes);
        ByteBuffer out = ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN);
        int at = nameEnd;
        for (int r = 0; r < regions; r++) {
            at += 2 + Short.toUnsignedInt(out.getShort(at)) + 24;    // name, address, size, data offset
            out.putLong(at, out.getLong(at) - modelBytes);            // zero-bitmap offset
            out.putLong(at + 8, out.getLong(at + 8) - modelBytes);    // checksum offset
            at += 16;
        }
        out.putInt(8, 2).putInt(24, metadataLength - modelBytes).putInt(28, 0);
        java.util.Arrays.fill(v2, metadataLength - modelBytes, metadataLength, (byte) 0);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v2, 0, metadataLength - modelBytes);
        out.putInt(28, (int) crc.getValue());
        Path old = dir.resolve("v2.snap");
        Files.write(old, v2);
        Snapshot read = Snapshot.read(old);
        assertThat(read.cpuModel()).isEqualTo(CpuModels.legacy(1));
        assertThat(read.regions()).usingRecursiveFieldByFieldElementComparator().isEqualTo(v3.regions());
        assertThat(qword(read.dataSource(DATA), DATA + 8)).isEqualTo(PatternPageSource.qwordAt(1, DATA + 8));
    }

    // --- item 8: a snapshot of memory still being restored lazily

    /** Counts reads and the pages they cover. */
    private static final class CountingSource implements PageSource {
        final PageSource delegate;
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger pages = new AtomicInteger();

        CountingSource(PageSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
            reads.incrementAndGet();
            pages.addAndGet((int) (destination.byteSize() / 4096));
            delegate.read(guestAddress, destination);
        }
    }

    @Test
    void absentPagesAreReadFromTheSourceAfterThePauseInChunksAndStayAbsentInTheVm() throws Exception {
        CountingSource source = new CountingSource(new PatternPageSource(7));
        PagedGuestMemory lazy = memory(source);
        lazy.ensurePresent(DATA + 10 * 4096, 4096);
        lazy.slice(DATA + 10 * 4096, 8).set(JAVA_LONG_UNALIGNED, 0, 0xFEEDL);   // the guest wrote a fetched page
        source.reads.set(0);
        source.pages.set(0);
        Path file = dir.resolve("lazy.snap");
        try (SnapshotWriter w = SnapshotWriter.begin(file, false, "lazy", CpuModels.defaultModel(1), lazy)) {
            assertThat(source.reads).as("while the VM is paused nothing is fetched").hasValue(0);
            w.finish();
        }
        assertThat(source.pages).as("each absent page read once").hasValue(DATA_PAGES - 1);
        assertThat(source.reads.get()).as("in chunks, not page by page").isLessThanOrEqualTo(2);
        assertThat(lazy.stats().presentPages() - 256).as("the VM's own lazy memory stays lazy").isEqualTo(1);
        PageSource restored = Snapshot.read(file).dataSource(DATA);
        assertThat(qword(restored, DATA + 10 * 4096)).isEqualTo(0xFEEDL);
        assertThat(qword(restored, DATA + 63 * 4096 + 8)).isEqualTo(PatternPageSource.qwordAt(7, DATA + 63 * 4096 + 8));
        assertThat(qword(restored, DATA)).isEqualTo(PatternPageSource.qwordAt(7, DATA));
    }
}
