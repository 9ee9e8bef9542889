package org.paravane.vmm.linux.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.mm.MemoryMapTest.PAGE;
import static org.paravane.vmm.linux.mm.MemoryMapTest.assertErrno;
import static org.paravane.vmm.linux.mm.Mman.*;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

class RemapAdviseBrkTest extends MemoryMapTestBase {

    @Test
    void mremapShrinksInPlace() throws Exception {
        long a = anon(4 * PAGE);
        changes.clear();
        assertThat(map.mremap(a, 4 * PAGE, PAGE, 0, 0)).isEqualTo(a);
        assertThat(changes).containsExactly(new MapChange.Unmapped(a + PAGE, 3 * PAGE));
    }

    @Test
    void mremapGrowsInPlaceWhenTheSpaceAboveIsFree() throws Exception {
        long a = map.mmap(0x20000000, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        changes.clear();
        assertThat(map.mremap(a, PAGE, 3 * PAGE, 0, 0)).isEqualTo(a);
        assertThat(map.find(a).length()).isEqualTo(3 * PAGE);
        assertThat(changes).containsExactly(
                new MapChange.Mapped(a + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, false, Backing.ANONYMOUS, 0));
    }

    @Test
    void mremapThatCannotGrowInPlaceNeedsMayMove() throws Exception {
        long a = anon(PAGE);
        long blocker = map.mmap(a + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        assertThat(blocker).isEqualTo(a + PAGE);
        assertErrno(() -> map.mremap(a, PAGE, 2 * PAGE, 0, 0), Errno.ENOMEM);
        changes.clear();
        long moved = map.mremap(a, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
        assertThat(moved).isNotEqualTo(a);
        assertThat(map.find(a)).isNull();
        assertThat(map.find(moved).length()).isEqualTo(2 * PAGE);
        assertThat(changes).startsWith(new MapChange.Moved(a, moved, PAGE));
    }

    @Test
    void mremapFixedMovesToTheGivenAddress() throws Exception {
        long a = anon(PAGE);
        long target = 0x30000000;
        assertThat(map.mremap(a, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target)).isEqualTo(target);
        assertThat(map.find(target)).isNotNull();
        assertThat(map.find(a)).isNull();
    }

    @Test
    void mremapArgumentErrors() throws Exception {
        long a = anon(2 * PAGE);
        assertErrno(() -> map.mremap(a, PAGE, 2 * PAGE, 0x80, 0), Errno.EINVAL);
        assertErrno(() -> map.mremap(a, PAGE, 2 * PAGE, MREMAP_FIXED, 0x30000000), Errno.EINVAL);
        assertErrno(() -> map.mremap(a + 1, PAGE, 2 * PAGE, 0, 0), Errno.EINVAL);
        assertErrno(() -> map.mremap(a, PAGE, 0, 0, 0), Errno.EINVAL);
        assertErrno(() -> map.mremap(a, 0, PAGE, MREMAP_MAYMOVE, 0), Errno.EINVAL);
        assertErrno(() -> map.mremap(a, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a + PAGE / 2), Errno.EINVAL);
        assertErrno(() -> map.mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a + PAGE), Errno.EINVAL);
    }

    @Test
    void mremapOfUnmappedOrSpanningIsEfault() throws Exception {
        long a = anon(PAGE);
        assertErrno(() -> map.mremap(0x20000000, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0), Errno.EFAULT);
        assertErrno(() -> map.mremap(a, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE, 0), Errno.EFAULT);
    }

    @Test
    void madviseDontneedReportsEveryPieceToDrop() throws Exception {
        long a = map.mmap(0x20000000, PAGE, PROT_READ, MAP_PRIVATE, MemoryMapTest.READ_ONLY_FILE, 4 * PAGE);
        long b = map.mmap(a + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        changes.clear();
        map.madvise(a, 2 * PAGE, MADV_DONTNEED);
        assertThat(changes).containsExactly(
                new MapChange.Discarded(a, PAGE, false, MemoryMapTest.READ_ONLY_FILE, 4 * PAGE),
                new MapChange.Discarded(b, PAGE, false, Backing.ANONYMOUS, 0));
    }

    @Test
    void madviseDontneedOnSharedMemorySaysSo() throws Exception {
        long a = map.mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        changes.clear();
        map.madvise(a, PAGE, MADV_DONTNEED);
        map.madvise(a, PAGE, MADV_REMOVE);
        assertThat(changes).containsExactly(new MapChange.Discarded(a, PAGE, true, Backing.ANONYMOUS, 0),
                new MapChange.Discarded(a, PAGE, true, Backing.ANONYMOUS, 0));
    }

    @Test
    void madviseOverAHoleIsEnomem() throws Exception {
        long a = anon(3 * PAGE);
        map.munmap(a + PAGE, PAGE);
        changes.clear();
        assertErrno(() -> map.madvise(a, 3 * PAGE, MADV_DONTNEED), Errno.ENOMEM);
        assertThat(changes).hasSize(2);
    }

    @Test
    void madviseArgumentErrors() throws Exception {
        long a = anon(PAGE);
        assertErrno(() -> map.madvise(a, PAGE, 999), Errno.EINVAL);
        assertErrno(() -> map.madvise(a + 1, PAGE, MADV_DONTNEED), Errno.EINVAL);
        assertErrno(() -> map.madvise(a, PAGE, MADV_REMOVE), Errno.EINVAL);
        long f = map.mmap(0, PAGE, PROT_READ, MAP_PRIVATE, MemoryMapTest.READ_ONLY_FILE, 0);
        assertErrno(() -> map.madvise(f, PAGE, MADV_FREE), Errno.EINVAL);
    }

    @Test
    void madviseHintsChangeNothing() throws Exception {
        long a = anon(PAGE);
        changes.clear();
        map.madvise(a, PAGE, MADV_WILLNEED);
        map.madvise(a, 0, MADV_DONTNEED);
        assertThat(changes).isEmpty();
    }

    @Test
    void brkStartsAfterTheImageAndGrows() {
        long start = map.brk();
        assertThat(start).isEqualTo(MemoryMapTest.IMAGE_END);
        assertThat(map.brk(0)).isEqualTo(start);
        assertThat(map.brk(start + 100)).isEqualTo(start + 100);
        Vma heap = map.find(start);
        assertThat(heap.name()).isEqualTo("[heap]");
        assertThat(heap.end()).isEqualTo(start + PAGE);
        assertThat(map.brk(start + 3 * PAGE)).isEqualTo(start + 3 * PAGE);
        assertThat(map.find(start).end()).isEqualTo(start + 3 * PAGE);
    }

    @Test
    void brkShrinksButNeverBelowItsStart() {
        long start = map.brk();
        map.brk(start + 4 * PAGE);
        changes.clear();
        assertThat(map.brk(start + PAGE)).isEqualTo(start + PAGE);
        assertThat(changes).containsExactly(new MapChange.Unmapped(start + PAGE, 3 * PAGE));
        assertThat(map.brk(start - PAGE)).isEqualTo(start + PAGE);
    }

    @Test
    void brkIntoAnotherMappingReturnsTheOldBreak() throws Exception {
        long start = map.brk();
        map.mmap(start + 4 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
        assertThat(map.brk(start + 2 * PAGE)).isEqualTo(start + 2 * PAGE);
        assertThat(map.brk(start + 4 * PAGE)).isEqualTo(start + 2 * PAGE);
        assertThat(map.brk(start + 8 * PAGE)).isEqualTo(start + 2 * PAGE);
    }

    @Test
    void brkBeyondRlimitDataReturnsTheOldBreak() {
        MemoryMap limited = new MemoryMap(Layout.fixed(MemoryMapTest.IMAGE_END, Layout.DEFAULT_RLIMIT_STACK),
                2 * PAGE, changes::add);
        long start = limited.brk();
        assertThat(limited.brk(start + 3 * PAGE)).isEqualTo(start);
    }
}
