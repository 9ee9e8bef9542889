package org.paravane.vmm.linux.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.mm.MemoryMapTest.PAGE;
import static org.paravane.vmm.linux.mm.MemoryMapTest.assertErrno;
import static org.paravane.vmm.linux.mm.Mman.*;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

class UnmapProtectTest extends MemoryMapTestBase {

    @Test
    void munmapInTheMiddleSplitsTheArea() throws Exception {
        long a = anon(3 * PAGE);
        changes.clear();
        map.munmap(a + PAGE, PAGE);
        assertThat(changes).containsExactly(new MapChange.Unmapped(a + PAGE, PAGE));
        assertThat(map.find(a).end()).isEqualTo(a + PAGE);
        assertThat(map.find(a + PAGE)).isNull();
        assertThat(map.find(a + 2 * PAGE).start()).isEqualTo(a + 2 * PAGE);
    }

    @Test
    void munmapOfAFileAreaKeepsTheOffsetsOfThePieces() throws Exception {
        long a = map.mmap(0, 4 * PAGE, PROT_READ, MAP_PRIVATE, MemoryMapTest.READ_ONLY_FILE, 8 * PAGE);
        map.munmap(a, PAGE);
        assertThat(map.find(a + PAGE).fileOffset()).isEqualTo(9 * PAGE);
    }

    @Test
    void munmapOfNothingIsFine() throws Exception {
        map.munmap(0x20000000, PAGE);
        assertThat(changes).isEmpty();
    }

    @Test
    void munmapUnalignedOrEmptyIsEinval() {
        assertErrno(() -> map.munmap(0x20000001, PAGE), Errno.EINVAL);
        assertErrno(() -> map.munmap(0x20000000, 0), Errno.EINVAL);
        assertErrno(() -> map.munmap(Layout.TASK_SIZE, 2 * PAGE), Errno.EINVAL);
    }

    @Test
    void munmapAcrossAreasRemovesEachPiece() throws Exception {
        long a = anon(2 * PAGE);
        long b = map.mmap(a - PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        changes.clear();
        map.munmap(b, 3 * PAGE);
        assertThat(changes).containsExactly(new MapChange.Unmapped(b, PAGE), new MapChange.Unmapped(a, 2 * PAGE));
    }

    @Test
    void mprotectSplitsAndMergesBack() throws Exception {
        long a = anon(3 * PAGE);
        map.mprotect(a + PAGE, PAGE, PROT_NONE);
        assertThat(map.find(a + PAGE).prot()).isEqualTo(PROT_NONE);
        assertThat(map.find(a).end()).isEqualTo(a + PAGE);
        map.mprotect(a + PAGE, PAGE, PROT_READ | PROT_WRITE);
        assertThat(map.find(a).length()).isEqualTo(3 * PAGE);
    }

    @Test
    void mprotectReportsTheChange() throws Exception {
        long a = anon(2 * PAGE);
        changes.clear();
        map.mprotect(a, 2 * PAGE, PROT_READ);
        assertThat(changes).containsExactly(new MapChange.Protected(a, 2 * PAGE, PROT_READ));
    }

    @Test
    void mprotectOverAHoleIsEnomemAfterChangingWhatCameBefore() throws Exception {
        long a = anon(3 * PAGE);
        map.munmap(a + PAGE, PAGE);
        assertErrno(() -> map.mprotect(a, 3 * PAGE, PROT_READ), Errno.ENOMEM);
        assertThat(map.find(a).prot()).isEqualTo(PROT_READ);
        assertThat(map.find(a + 2 * PAGE).prot()).isEqualTo(PROT_READ | PROT_WRITE);
    }

    @Test
    void mprotectOfUnmappedStartIsEnomem() {
        assertErrno(() -> map.mprotect(0x20000000, PAGE, PROT_READ), Errno.ENOMEM);
    }

    @Test
    void mprotectUnalignedOrUnknownProtIsEinval() throws Exception {
        long a = anon(PAGE);
        assertErrno(() -> map.mprotect(a + 1, PAGE, PROT_READ), Errno.EINVAL);
        assertErrno(() -> map.mprotect(a, PAGE, 0x40), Errno.EINVAL);
    }

    @Test
    void mprotectOfZeroLengthDoesNothing() throws Exception {
        map.mprotect(0x20000000, 0, PROT_READ);
        assertThat(changes).isEmpty();
    }

    @Test
    void mprotectWritableOnASharedReadOnlyFileIsEacces() throws Exception {
        long a = map.mmap(0, PAGE, PROT_READ, MAP_SHARED, MemoryMapTest.READ_ONLY_FILE, 0);
        assertErrno(() -> map.mprotect(a, PAGE, PROT_READ | PROT_WRITE), Errno.EACCES);
    }

    @Test
    void growsDownProtectNeedsAGrowsDownArea() throws Exception {
        long a = anon(PAGE);
        assertErrno(() -> map.mprotect(a, PAGE, PROT_READ | PROT_GROWSDOWN), Errno.EINVAL);
    }
}
