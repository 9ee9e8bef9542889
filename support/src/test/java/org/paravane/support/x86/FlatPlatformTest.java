package org.paravane.support.x86;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.support.memory.HostPages;
import org.paravane.support.memory.PagedGuestMemory;

class FlatPlatformTest {
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private PagedGuestMemory memory(long size) {
        return new PagedGuestMemory(new VmSpec("t", 1, List.of(new MemoryRegion("ram", 0, size, false)), PageSource.ZERO),
                new HostPages() {
                    public MemorySegment map(MemoryRegion r) {
                        return arena.allocate(r.size(), 4096);
                    }

                    public void fill(MemorySegment t, MemorySegment c) {
                        t.copyFrom(c);
                    }

                    public void fillZero(MemorySegment t) {
                        t.fill((byte) 0);
                    }

                    public void unmap(MemoryRegion r, MemorySegment h) {
                    }
                });
    }

    @Test
    void identityMapTranslatesEveryAddressToItself() {
        var m = memory(8 << 20);
        FlatPlatform p = FlatPlatform.write(m, 2, 8 << 20);
        PageTables t = p.pageTables();
        for (long a : new long[] {0, 0x1234, 0x1F_FFFF, 0x20_0000, 0x7F_FFF8}) {
            assertThat(t.translate(a)).as("0x%x", a).isEqualTo(a);
        }
        assertThat(t.translate(8 << 20)).isEqualTo(-1);
        assertThat(t.leaf(0x1000) & PageTables.US).isNotZero();
        assertThat(t.leaf(0x1000) & PageTables.PS).as("2 MiB pages where aligned").isNotZero();
    }

    @Test
    void fourKilobytePagesWhereLargePagesDoNotFit() {
        var m = memory(8 << 20);
        FlatPlatform p = FlatPlatform.write(m, 1, 8 << 20);
        p.pageTables().map(0x4000_0000L, 0x30_1000, 0x2000, PageTables.NX);
        assertThat(p.pageTables().translate(0x4000_1010L)).isEqualTo(0x30_2010);
        long leaf = p.pageTables().leaf(0x4000_0000L);
        assertThat(leaf & PageTables.PS).isZero();
        assertThat(leaf & PageTables.NX).isNotZero();
        assertThat(leaf & PageTables.US).isZero();
    }

    @Test
    void idtGatesPointAtTheirStubsAndStubsExit() throws Exception {
        var m = memory(1 << 20);
        FlatPlatform.write(m, 1, 1 << 20);
        MemorySegment idt = m.slice(FlatPlatform.IDT, 4096);
        long low = idt.get(JAVA_LONG_UNALIGNED, 14 * 16);
        long handler = (low & 0xFFFF) | ((low >>> 48) << 16);
        assertThat(handler).isEqualTo(TrapStubs.stub(FlatPlatform.STUBS, 14));
        assertThat((low >>> 16) & 0xFFFF).isEqualTo(Descriptors.KERNEL_CS);
        MemorySegment stub = m.slice(handler, 2);
        assertThat(stub.get(JAVA_BYTE, 0)).isEqualTo((byte) 0xE6);
        assertThat(FlatPlatform.vectorAt(handler)).isEqualTo(14);
        assertThat(FlatPlatform.vectorAt(TrapStubs.syscallEntry(FlatPlatform.STUBS))).isEqualTo(256);
        assertThat(FlatPlatform.vectorAt(handler + 2)).isEqualTo(-1);
    }

    @Test
    void userStateRunsAtCpl3WithUserSelectors() {
        var m = memory(1 << 20);
        FlatPlatform p = FlatPlatform.write(m, 1, 1 << 20);
        VcpuState s = p.state(0, 3, 0x40000, 0x80000, 0x202);
        assertThat(s.cpl()).isEqualTo(3);
        assertThat(s.segments().cs().selector()).isEqualTo(0x23);
        assertThat(s.segments().ss().selector()).isEqualTo(0x1b);
        assertThat(s.control().cr3()).isEqualTo(p.pageTables().root());
        assertThat(s.registers().rip()).isEqualTo(0x40000);
    }

    @Test
    void platformMustFitTheIdentityMap() {
        var m = memory(1 << 20);
        assertThatThrownBy(() -> FlatPlatform.write(m, 1, 0x1000)).hasMessageContaining("cover the platform");
        assertThatThrownBy(() -> FlatPlatform.write(m, 9, 1 << 20)).hasMessageContaining("1..8 vCPUs");
    }
}
