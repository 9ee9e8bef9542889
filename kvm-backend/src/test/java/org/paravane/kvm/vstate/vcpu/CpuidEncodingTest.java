package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.api.cpu.CpuFeature;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.cpu.CpuidLeaf;
import org.paravane.kvm.ioctls.KvmLayouts;

/** The CPU model as {@code struct kvm_cpuid2} (runs without /dev/kvm: only the encoding is checked). */
class CpuidEncodingTest {

    private static final long ENTRY = KvmLayouts.KVM_CPUID_ENTRY2.byteSize();
    private static final long HEADER = KvmLayouts.KVM_CPUID2.byteSize();

    private static int field(MemorySegment c, int entry, String name) {
        long off = KvmLayouts.KVM_CPUID_ENTRY2.byteOffset(PathElement.groupElement(name));
        return c.get(JAVA_INT, HEADER + entry * ENTRY + off);
    }

    @Test
    void everyLeafBecomesOneEntryWithItsApicIdAndIndexFlag() {
        CpuModel m = CpuModels.defaultModel(4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Cpuid.encode(m, 3, arena);
            List<CpuidLeaf> expected = m.leavesFor(3);
            assertThat(c.get(JAVA_INT, 0)).as("nent").isEqualTo(expected.size());
            assertThat(c.byteSize()).isEqualTo(HEADER + expected.size() * ENTRY);
            for (int i = 0; i < expected.size(); i++) {
                CpuidLeaf l = expected.get(i);
                assertThat(field(c, i, "function")).isEqualTo(l.function());
                assertThat(field(c, i, "index")).isEqualTo(l.index());
                assertThat(field(c, i, "flags")).as("leaf 0x%x", l.function()).isEqualTo(l.indexed() ? 1 : 0);
                assertThat(new int[] {field(c, i, "eax"), field(c, i, "ebx"), field(c, i, "ecx"), field(c, i, "edx")})
                        .containsExactly(l.registers());
                if (l.function() == 1) {
                    assertThat(field(c, i, "ebx") >>> 24).isEqualTo(3);
                }
                if (l.function() == 0xB) {
                    assertThat(field(c, i, "edx")).isEqualTo(3);
                }
            }
            assertThat(Cpuid.decode(c, m.name())).isEqualTo(new CpuModel(m.name(), expected, m.supportedXcr0()));
        }
    }

    @Test
    void leafDNeverOffersMoreXcr0ThanTheModel() {
        CpuModel m = withXsave(CpuModels.defaultModel(1), 0x7, 0x3);
        try (Arena arena = Arena.ofConfined()) {
            CpuModel written = Cpuid.decode(Cpuid.encode(m, 0, arena), "x");
            assertThat(written.leaf(0xD, 0).orElseThrow().eax()).isEqualTo(0x3);
            assertThat(written.supportedXcr0()).isEqualTo(0x3);
        }
    }

    @Test
    void xsaveWithoutLeafDIsRefused() {
        CpuModel m = CpuModels.defaultModel(1);
        List<CpuidLeaf> leaves = new ArrayList<>();
        for (CpuidLeaf l : m.leaves()) {
            leaves.add(l.function() == 1 ? new CpuidLeaf(1, 0, false, l.eax(), l.ebx(), l.ecx() | CpuFeature.XSAVE.mask(),
                    l.edx()) : l);
        }
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Cpuid.encode(new CpuModel("bad", leaves, 0x3), 0, arena))
                    .hasMessageContaining("XSAVE but lists no leaf 0xD");
        }
    }

    @Test
    void theHostModelKeepsIndexedLeavesAndItsXcr0() {
        CpuModel host = withXsave(CpuModels.defaultModel(2), 0x7, 0x7);
        try (Arena arena = Arena.ofConfined()) {
            CpuModel decoded = Cpuid.decode(Cpuid.encode(host, 0, arena), CpuModels.HOST);
            assertThat(decoded.supportedXcr0()).isEqualTo(0x7);
            assertThat(decoded.leaf(0x8000_001D, 3)).isPresent();
            assertThat(decoded.leaf(0x8000_001D, 3).orElseThrow().indexed()).isTrue();
            assertThat(host.featuresMissingFrom(decoded)).isEmpty();
            assertThat(CpuModels.defaultModel(1).featuresMissingFrom(decoded)).isEmpty();
        }
    }

    /** {@code m} with XSAVE, leaf 0xD.0 listing {@code leafXcr0}, and {@code supportedXcr0}. */
    private static CpuModel withXsave(CpuModel m, long leafXcr0, long supportedXcr0) {
        List<CpuidLeaf> leaves = new ArrayList<>();
        for (CpuidLeaf l : m.leaves()) {
            leaves.add(l.function() == 1 ? new CpuidLeaf(1, 0, false, l.eax(), l.ebx(), l.ecx() | CpuFeature.XSAVE.mask(),
                    l.edx()) : l);
        }
        leaves.add(new CpuidLeaf(0xD, 0, true, (int) leafXcr0, 0x340, 0x340, 0));
        return new CpuModel(m.name(), leaves, supportedXcr0);
    }
}
