package org.paravane.vmm.linux.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.vmm.linux.mm.Mman.*;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

class MemoryMapTest extends MemoryMapTestBase {
    static final long IMAGE_END = 0x452000;
    static final long PAGE = PAGE_SIZE;

    record TestFile(String path, long device, long inode) implements MappedFile {
        @Override
        public int read(long offset, java.nio.ByteBuffer dst) {
            return 0;
        }
    }

    static final TestFile FILE = new TestFile("/bin/prog", 0x803, 1234);
    static final Backing READ_ONLY_FILE = new Backing.File(FILE, true, false);

    static void assertErrno(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(Errno.name(((ErrnoException) e).errno())).isEqualTo(Errno.name(errno)));
    }

    @Test
    void theStackSitsAtTheTopWithItsRlimitSize() {
        Vma stack = map.find(Layout.TASK_SIZE - 1);
        assertThat(stack.name()).isEqualTo("[stack]");
        assertThat(stack.end()).isEqualTo(Layout.TASK_SIZE);
        assertThat(stack.length()).isEqualTo(Layout.DEFAULT_RLIMIT_STACK);
        assertThat(stack.growsDown()).isTrue();
    }

    @Test
    void anonymousMappingsGrowDownFromTheMmapBase() throws Exception {
        long a = anon(3 * PAGE);
        long b = anon(PAGE);
        assertThat(a + 3 * PAGE).isEqualTo(map.layout().mmapBase());
        assertThat(b).isEqualTo(a - PAGE);
        assertThat(changes).containsExactly(
                new MapChange.Mapped(a, 3 * PAGE, PROT_READ | PROT_WRITE, false, Backing.ANONYMOUS, 0),
                new MapChange.Mapped(b, PAGE, PROT_READ | PROT_WRITE, false, Backing.ANONYMOUS, 0));
    }

    @Test
    void adjacentCompatibleAnonymousMappingsMerge() throws Exception {
        long a = anon(PAGE);
        long b = anon(PAGE);
        assertThat(map.find(a)).isEqualTo(map.find(b));
        assertThat(map.find(a).length()).isEqualTo(2 * PAGE);
    }

    @Test
    void lengthIsRoundedUpToPages() throws Exception {
        long a = anon(1);
        assertThat(map.find(a).length()).isEqualTo(PAGE);
    }

    @Test
    void zeroLengthIsEinval() {
        assertErrno(() -> anon(0), Errno.EINVAL);
    }

    @Test
    void unalignedOffsetIsEinval() {
        assertErrno(() -> map.mmap(0, PAGE, PROT_READ, MAP_PRIVATE, READ_ONLY_FILE, 100), Errno.EINVAL);
    }

    @Test
    void neitherPrivateNorSharedIsEinval() {
        assertErrno(() -> map.mmap(0, PAGE, PROT_READ, MAP_ANONYMOUS, null, 0), Errno.EINVAL);
    }

    @Test
    void sharedValidateWithUnknownFlagIsEopnotsupp() {
        assertErrno(() -> map.mmap(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000, null, 0),
                Errno.EOPNOTSUPP);
    }

    @Test
    void tooBigIsEnomem() {
        assertErrno(() -> anon(200L << 40), Errno.ENOMEM);
        assertErrno(() -> anon(-PAGE), Errno.ENOMEM);
    }

    @Test
    void hundredGibibytesFitsInTheAddressSpace() throws Exception {
        long a = anon(100L << 30);
        assertThat(map.find(a).length()).isEqualTo(100L << 30);
    }

    @Test
    void fileMappingNeedsAReadableFile() {
        assertErrno(() -> map.mmap(0, PAGE, PROT_READ, MAP_PRIVATE, new Backing.File(FILE, false, true), 0),
                Errno.EACCES);
    }

    @Test
    void sharedWritableMappingNeedsAWritableFile() {
        assertErrno(() -> map.mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, READ_ONLY_FILE, 0), Errno.EACCES);
    }

    @Test
    void privateWritableMappingOfAReadOnlyFileIsFine() throws Exception {
        long a = map.mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, READ_ONLY_FILE, 2 * PAGE);
        assertThat(map.find(a).fileOffset()).isEqualTo(2 * PAGE);
    }

    @Test
    void nonAnonymousWithoutAFileIsEbadf() {
        assertErrno(() -> map.mmap(0, PAGE, PROT_READ, MAP_PRIVATE, null, 0), Errno.EBADF);
    }

    @Test
    void fixedReplacesWhatWasThere() throws Exception {
        long a = anon(4 * PAGE);
        changes.clear();
        long b = map.mmap(a + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, READ_ONLY_FILE, 0);
        assertThat(b).isEqualTo(a + PAGE);
        assertThat(changes).containsExactly(new MapChange.Unmapped(a + PAGE, PAGE),
                new MapChange.Mapped(a + PAGE, PAGE, PROT_READ, false, READ_ONLY_FILE, 0));
        assertThat(map.vmas()).filteredOn(v -> v.start() >= a && v.end() <= a + 4 * PAGE).hasSize(3);
    }

    @Test
    void fixedUnalignedIsEinval() {
        assertErrno(() -> map.mmap(0x400001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0),
                Errno.EINVAL);
    }

    @Test
    void fixedBelowMmapMinAddrIsEperm() {
        assertErrno(() -> map.mmap(0x1000, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0),
                Errno.EPERM);
    }

    @Test
    void fixedBeyondUserSpaceIsEnomem() {
        assertErrno(() -> map.mmap(Layout.TASK_SIZE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0),
                Errno.ENOMEM);
    }

    @Test
    void fixedNoReplaceOverAMappingIsEexist() throws Exception {
        long a = anon(2 * PAGE);
        assertErrno(() -> map.mmap(a + PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                null, 0), Errno.EEXIST);
        long free = a - 16 * PAGE;
        assertThat(map.mmap(free, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, null, 0))
                .isEqualTo(free);
    }

    @Test
    void aFreeHintIsTaken() throws Exception {
        long hint = 0x10000000;
        assertThat(map.mmap(hint + 5, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0)).isEqualTo(hint + PAGE);
    }

    @Test
    void aTakenHintFallsBackToTheMmapArea() throws Exception {
        long a = anon(PAGE);
        long b = map.mmap(a, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertThat(b).isNotEqualTo(a);
        assertThat(map.find(a).prot()).isEqualTo(PROT_READ | PROT_WRITE);
    }

    @Test
    void stackAndNoreserveFlagsAreAccepted() throws Exception {
        long a = map.mmap(0, 16 * PAGE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, null, 0);
        assertThat(map.find(a)).isNotNull();
    }

    @Test
    void growsDownMappingsKeepTheGuardGapFree() throws Exception {
        long a = map.mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, null, 0);
        long b = anon(PAGE);
        assertThat(b + PAGE).isLessThanOrEqualTo(a - Layout.STACK_GUARD_GAP);
    }

    @Test
    void sharedAnonymousIsRecordedAsShared() throws Exception {
        long a = map.mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        assertThat(map.find(a).shared()).isTrue();
    }

    @Test
    void hugetlbWithoutReservedPagesIsEnomem() {
        assertErrno(() -> map.mmap(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, null, 0),
                Errno.ENOMEM);
    }

    @Test
    void noRoomIsEnomem() throws Exception {
        anon(Layout.TASK_SIZE / 2);
        assertErrno(() -> anon(Layout.TASK_SIZE / 2), Errno.ENOMEM);
    }
}
