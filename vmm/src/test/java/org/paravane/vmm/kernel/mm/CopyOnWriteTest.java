package org.paravane.vmm.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.MemoryStats;
import org.paravane.api.memory.PageSource;

/** Forked address spaces share their pages copy-on-write: reference counts, write protection, copies, release. */
class CopyOnWriteTest {
    private static final long KERNEL = 2 << 20, RAM = 4 << 20, VA = 0x40_0000L;

    /** Plain RAM at guest-physical 0, every page present. */
    private static final class Ram implements GuestMemory {
        final MemorySegment bytes = Arena.ofAuto().allocate(RAM, 4096);

        @Override
        public List<MemoryRegion> regions() {
            return List.of();
        }

        @Override
        public PageSource source() {
            return PageSource.ZERO;
        }

        @Override
        public boolean contains(long gpa) {
            return gpa >= 0 && gpa < RAM;
        }

        @Override
        public boolean isPresent(long gpa) {
            return contains(gpa);
        }

        @Override
        public void ensurePresent(long gpa, long length) {
        }

        @Override
        public void install(long gpa, MemorySegment contents) {
            MemorySegment.copy(contents, 0, bytes, gpa, contents.byteSize());
        }

        @Override
        public MemorySegment slice(long gpa, long length) {
            return bytes.asSlice(gpa, length);
        }

        @Override
        public void forEachPresentPage(LongConsumer action) {
        }

        @Override
        public MemoryStats stats() {
            return null;
        }
    }

    private final Ram ram = new Ram();
    private final PhysicalPages pages = new PhysicalPages(ram, List.of(new PhysicalPages.Range(KERNEL, RAM - KERNEL)));

    private AddressSpace spaceWithTwoPages() throws Exception {
        AddressSpace parent = new AddressSpace(ram, pages, KERNEL, true);
        parent.mapPage(VA, "parent".getBytes(), true, true, false);
        parent.mapPage(VA + 4096, "read-only".getBytes(), true, false, false);
        return parent;
    }

    @Test
    void aForkSharesEveryPageReadOnlyAndAWriteCopiesItForTheWriterAlone() throws Exception {
        AddressSpace parent = spaceWithTwoPages();
        long gpa = parent.translate(VA, false);
        int free = pages.freePages();
        AddressSpace child = parent.forkCopy(va -> false);
        assertThat(pages.freePages()).as("only page tables were allocated").isGreaterThan(free - 8);
        assertThat(child.translate(VA, false)).isEqualTo(gpa);
        assertThat(pages.references(gpa)).isEqualTo(2);
        assertThat(parent.translate(VA, true)).as("write-protected in the parent").isEqualTo(-1);
        assertThat(child.translate(VA, true)).as("and in the child").isEqualTo(-1);
        assertThat(parent.isCopyOnWrite(VA)).isTrue();

        assertThat(child.copyOnWrite(VA)).isTrue();
        child.write(VA, "child!".getBytes(), 0, 6);
        assertThat(new String(child.read(VA, 6))).isEqualTo("child!");
        assertThat(new String(parent.read(VA, 6))).as("the parent keeps its page").isEqualTo("parent");
        assertThat(child.translate(VA, false)).isNotEqualTo(gpa);
        assertThat(pages.references(gpa)).isEqualTo(1);

        assertThat(parent.copyOnWrite(VA)).as("the last user writes its page in place").isTrue();
        assertThat(parent.translate(VA, true)).isEqualTo(gpa);
        parent.write(VA, "PARENT".getBytes(), 0, 6);
        assertThat(new String(child.read(VA, 6))).isEqualTo("child!");
    }

    @Test
    void aCopyOnWritePageStaysReadOnlyThroughMprotectAndPagesGoBackWithTheirLastUser() throws Exception {
        int free = pages.freePages();
        AddressSpace parent = spaceWithTwoPages();
        AddressSpace child = parent.forkCopy(va -> false);
        child.protect(VA + 4096, 4096, true, true, false);
        assertThat(child.translate(VA + 4096, true)).as("mprotect does not expose a shared page").isEqualTo(-1);
        assertThat(child.copyOnWrite(VA + 4096)).isTrue();
        assertThat(child.translate(VA + 4096, true)).isPositive();
        assertThat(parent.translate(VA + 4096, true)).isEqualTo(-1);
        parent.release();
        assertThat(new String(child.read(VA, 6))).as("the child's shared page outlives the parent").isEqualTo("parent");
        child.release();
        assertThat(pages.freePages()).isEqualTo(free);
    }

    @Test
    void sharedPagesStayWritableInBothSpaces() throws Exception {
        AddressSpace parent = spaceWithTwoPages();
        AddressSpace child = parent.forkCopy(va -> va == VA);
        assertThat(child.translate(VA, true)).isEqualTo(parent.translate(VA, true)).isPositive();
        child.write(VA, "shared".getBytes(), 0, 6);
        assertThat(new String(parent.read(VA, 6))).isEqualTo("shared");
        assertThat(child.isCopyOnWrite(VA + 4096)).isTrue();
        long gpa = parent.translate(VA, false);
        parent.release();
        assertThat(pages.references(gpa)).isEqualTo(1);
        child.release();
        assertThat(pages.references(gpa)).isZero();
    }

    @Test
    void aForkWithoutRamForItsPageTablesLeavesNothingBehind() throws Exception {
        AddressSpace parent = spaceWithTwoPages();
        int free = pages.freePages();
        java.util.List<AddressSpace> hogs = new java.util.ArrayList<>();
        assertThatThrownBy(() -> {
            while (true) {
                hogs.add(parent.forkCopy(va -> false));
            }
        }).isInstanceOf(PhysicalPages.OutOfGuestMemoryException.class);
        hogs.forEach(AddressSpace::release);
        assertThat(pages.freePages()).isEqualTo(free);
        assertThat(pages.references(parent.translate(VA, false))).isEqualTo(1);
    }
}
