package org.paravane.vmm.source;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.paravane.testkit.ArenaHostPages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.persist.Snapshot;
import org.paravane.support.memory.PagedGuestMemory;

class FileAndSnapshotTest {
    @TempDir
    Path dir;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void fileBytesAppearAtTheirAddressAndThePastEndIsZero() throws Exception {
        Path f = dir.resolve("data.bin");
        byte[] bytes = new byte[5000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        Files.write(f, bytes);
        try (FilePageSource s = FilePageSource.whole(f, 0x4000_0000L)) {
            MemorySegment page = MemorySegment.ofArray(new long[512]);
            s.read(0x4000_1000L, page);
            assertThat(page.get(JAVA_BYTE, 0)).isEqualTo((byte) 4096);
            assertThat(page.get(JAVA_BYTE, 5000 - 4096 - 1)).isEqualTo((byte) 4999);
            assertThat(page.get(JAVA_BYTE, 5000 - 4096)).isZero();
            assertThat(s.isZero(0x4000_1000L)).isFalse();
            assertThat(s.isZero(0x4000_2000L)).isTrue();
            assertThatThrownBy(() -> s.read(0x3000_0000L, page)).hasMessageContaining("below the start");
        }
    }

    @Test
    void aFileTruncatedAfterItWasOpenedFailsThePageInsteadOfReadingZeros() throws Exception {
        Path f = dir.resolve("src.bin");
        byte[] bytes = new byte[3 * 4096];
        java.util.Arrays.fill(bytes, (byte) 0x5A);
        Files.write(f, bytes);
        try (FilePageSource s = FilePageSource.whole(f, 0)) {
            try (var c = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                c.truncate(4096 + 100);
            }
            MemorySegment page = MemorySegment.ofArray(new long[512]);
            s.read(0, page);
            assertThat(page.get(JAVA_BYTE, 4095)).isEqualTo((byte) 0x5A);
            assertThatThrownBy(() -> s.read(4096, page)).isInstanceOf(org.paravane.api.memory.PageSourceException.class)
                    .hasMessageContaining("page 0x1000").hasMessageContaining(f + " now ends at byte 4196")
                    .hasMessageContaining("12288 bytes it had when it was opened");
            assertThatThrownBy(() -> s.read(2 * 4096, page)).hasMessageContaining("now ends at byte 4196");
            assertThat(s.isZero(2 * 4096)).as("a truncated page is not a zero page").isFalse();
        }
    }

    private PagedGuestMemory memory(PageSource source) {
        return new PagedGuestMemory(new VmSpec("snap", 1, List.of(new MemoryRegion("ram", 0, 1 << 20, false),
                new MemoryRegion("data", 0x1_0000_0000L, 64 * 4096, true)), source), new ArenaHostPages(arena));
    }

    @Test
    void snapshotRestoresTheDataRegionLazilyAndKnowsItsZeroPages() throws Exception {
        PagedGuestMemory original = memory(new PatternPageSource(11));
        original.slice(0x1000, 8).set(JAVA_LONG_UNALIGNED, 0, 0xFEEDL);
        Path file = dir.resolve("vm.snap");
        Snapshot.write(file, "snap", original, false);
        Snapshot snap = Snapshot.read(file);
        assertThat(snap.vmName()).isEqualTo("snap");
        assertThat(snap.regions()).extracting(Snapshot.Region::name).containsExactly("ram", "data");
        assertThat(snap.dataBytes()).isEqualTo(64 * 4096);
        PageSource restored = snap.dataSource(0x1_0000_0000L);
        MemorySegment page = MemorySegment.ofArray(new long[512]);
        restored.read(0x1_0000_3000L, page);
        assertThat(page.get(JAVA_LONG_UNALIGNED, 8)).isEqualTo(PatternPageSource.qwordAt(11, 0x1_0000_3008L));
        assertThat(restored.isZero(0x1_0000_3000L)).isFalse();
        assertThat(snap.regions().getFirst().zeroPages().get(5)).as("untouched RAM is recorded as zero").isTrue();
        assertThat(snap.regions().getFirst().zeroPages().get(1)).isFalse();
    }

    @Test
    void aFileThatIsNotASnapshotIsRefused() throws IOException {
        Path f = dir.resolve("junk");
        Files.writeString(f, "this is not a snapshot at all, just some text");
        assertThatThrownBy(() -> Snapshot.read(f)).hasMessageContaining("is not a Paravane snapshot");
    }
}
