package org.paravane.api.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuModelTest {

    private static final long APIC_ON = ControlRegisters.APIC_BASE_DEFAULT;

    private static String text(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return new String(b.array(), StandardCharsets.US_ASCII).replace("\0", "");
    }

    @Test
    void defaultModelAnnouncesEveryListedFeatureAndNoAvxOrXsave() {
        CpuModel m = CpuModels.defaultModel(1);
        for (CpuFeature f : CpuModels.DEFAULT_FEATURES) {
            assertThat(m.has(f)).as(f.name()).isTrue();
        }
        for (CpuFeature f : List.of(CpuFeature.AVX, CpuFeature.AVX2, CpuFeature.XSAVE, CpuFeature.OSXSAVE,
                CpuFeature.SSE4_2, CpuFeature.PDPE1GB, CpuFeature.APIC)) {
            assertThat(m.has(f)).as(f.name()).isFalse();
        }
        assertThat(m.supportedXcr0()).isZero();
        assertThat(m.name()).isEqualTo(CpuModels.DEFAULT);
    }

    @Test
    void vendorBrandAndSignature() {
        CpuModel m = CpuModels.defaultModel(2);
        int[] l0 = m.answer(0, 0, 0, 0, APIC_ON);
        assertThat(text(l0[1], l0[3], l0[2])).isEqualTo("AuthenticAMD");
        assertThat(l0[0]).isEqualTo(0xB);
        int[] l1 = m.answer(1, 0, 0, 0, APIC_ON);
        int family = ((l1[0] >> 8) & 0xF) + ((l1[0] >> 20) & 0xFF);
        assertThat(family).isEqualTo(0x17);
        StringBuilder brand = new StringBuilder();
        for (int f = 0x8000_0002; f <= 0x8000_0004; f++) {
            brand.append(text(m.answer(f, 0, 0, 0, APIC_ON)));
        }
        assertThat(brand.toString()).isEqualTo("Paravane virtual x86-64 CPU");
        int[] kvm = m.answer(0x4000_0000, 0, 0, 0, APIC_ON);
        assertThat(text(kvm[1], kvm[2], kvm[3])).isEqualTo("KVMKVMKVM");
        assertThat(m.answer(0x4000_0001, 0, 0, 0, APIC_ON)[0]).isEqualTo((1 << 4) | (1 << 14));
        assertThat(m.answer(0x8000_0000, 0, 0, 0, APIC_ON)[0]).isEqualTo(0x8000_001E);
    }

    @Test
    void apicIdsAreFilledPerVcpu() {
        CpuModel m = CpuModels.defaultModel(4);
        assertThat(m.answer(1, 0, 3, 0, APIC_ON)[1] >>> 24).isEqualTo(3);
        assertThat(m.answer(0xB, 0, 3, 0, APIC_ON)[3]).isEqualTo(3);
        assertThat(m.answer(0xB, 1, 2, 0, APIC_ON)[3]).isEqualTo(2);
        assertThat(m.answer(0x8000_001E, 0, 2, 0, APIC_ON)[0]).isEqualTo(2);
        assertThat(m.leavesFor(1)).filteredOn(l -> l.function() == 1).singleElement()
                .satisfies(l -> assertThat(l.ebx() >>> 24).isEqualTo(1));
        // The catalogue itself carries no APIC id.
        assertThat(m.leaf(1, 0).orElseThrow().ebx() >>> 24).isZero();
    }

    @Test
    void topologyAgreesWithTheVcpuCount() {
        for (int vcpus : new int[] {1, 2, 3, 8, 64}) {
            CpuModel m = CpuModels.defaultModel(vcpus);
            int bits = 32 - Integer.numberOfLeadingZeros(vcpus - 1);
            assertThat(m.answer(0xB, 1, 0, 0, APIC_ON)[1]).as("0xB cores, %d vCPUs", vcpus).isEqualTo(vcpus);
            assertThat(m.answer(0xB, 1, 0, 0, APIC_ON)[0]).isEqualTo(bits);
            assertThat(m.answer(0xB, 0, 0, 0, APIC_ON)[1]).isEqualTo(1);
            assertThat(m.answer(0x8000_0008, 0, 0, 0, APIC_ON)[2] & 0xFF).isEqualTo(vcpus - 1);
            // L3 (subleaf 3) is shared by all vCPUs, L1/L2 by one; leaf 4 and 0x8000001D say the same.
            for (int leaf : new int[] {4, 0x8000_001D}) {
                assertThat(((m.answer(leaf, 3, 0, 0, APIC_ON)[0] >> 14) & 0xFFF) + 1).isEqualTo(vcpus);
                assertThat(((m.answer(leaf, 2, 0, 0, APIC_ON)[0] >> 14) & 0xFFF) + 1).isEqualTo(1);
                assertThat(m.answer(leaf, 4, 0, 0, APIC_ON)[0] & 0x1F).as("no fifth cache").isZero();
            }
            assertThat(m.has(CpuFeature.HT)).isEqualTo(vcpus > 1);
        }
    }

    @Test
    void cacheSizesAgreeBetweenTheLeaves() {
        CpuModel m = CpuModels.defaultModel(2);
        int[] l3 = m.answer(0x8000_001D, 3, 0, 0, APIC_ON);
        long l3Bytes = (long) ((l3[1] >>> 22) + 1) * ((l3[1] & 0xFFF) + 1) * (l3[2] + 1L);
        assertThat(l3Bytes).isEqualTo(16L << 20);
        assertThat((m.answer(0x8000_0006, 0, 0, 0, APIC_ON)[3] >>> 18) * 512L * 1024).isEqualTo(l3Bytes);
        int[] l2 = m.answer(4, 2, 0, 0, APIC_ON);
        long l2Bytes = (long) ((l2[1] >>> 22) + 1) * ((l2[1] & 0xFFF) + 1) * (l2[2] + 1L);
        assertThat((m.answer(0x8000_0006, 0, 0, 0, APIC_ON)[2] >>> 16) * 1024L).isEqualTo(l2Bytes);
        int[] l1d = m.answer(0x8000_001D, 0, 0, 0, APIC_ON);
        long l1Bytes = (long) ((l1d[1] >>> 22) + 1) * ((l1d[1] & 0xFFF) + 1) * (l1d[2] + 1L);
        assertThat((m.answer(0x8000_0005, 0, 0, 0, APIC_ON)[2] >>> 24) * 1024L).isEqualTo(l1Bytes);
    }

    @Test
    void runTimeBitsFollowApicBaseAndCr4() {
        CpuModel m = CpuModels.defaultModel(1);
        assertThat(m.answer(1, 0, 0, 0, APIC_ON)[3] & CpuFeature.APIC.mask()).isNotZero();
        assertThat(m.answer(1, 0, 0, 0, 0)[3] & CpuFeature.APIC.mask()).isZero();
        // No XSAVE in the model: CR4.OSXSAVE cannot show.
        assertThat(m.answer(1, 0, 0, CpuModel.CR4_OSXSAVE, APIC_ON)[2] & CpuFeature.OSXSAVE.mask()).isZero();
        CpuModel xsave = withFeature(m, CpuFeature.XSAVE);
        assertThat(xsave.answer(1, 0, 0, CpuModel.CR4_OSXSAVE, APIC_ON)[2] & CpuFeature.OSXSAVE.mask()).isNotZero();
        assertThat(xsave.answer(1, 0, 0, 0, APIC_ON)[2] & CpuFeature.OSXSAVE.mask()).isZero();
    }

    @Test
    void unlistedLeavesAnswerZerosExceptTopologySubleaves() {
        CpuModel m = CpuModels.defaultModel(2);
        assertThat(m.answer(2, 0, 1, 0, APIC_ON)).containsExactly(0, 0, 0, 0);
        assertThat(m.answer(7, 1, 1, 0, APIC_ON)).containsExactly(0, 0, 0, 0);
        assertThat(m.answer(0x8000_0020, 0, 1, 0, APIC_ON)).containsExactly(0, 0, 0, 0);
        assertThat(m.answer(0xB, 7, 1, 0, APIC_ON)).containsExactly(0, 0, 7, 1);
    }

    @Test
    void missingFeaturesAreNamed() {
        CpuModel portable = CpuModels.defaultModel(1);
        CpuModel richer = withFeature(withFeature(portable, CpuFeature.AVX2), CpuFeature.SSE4_2);
        assertThat(portable.featuresMissingFrom(richer)).isEmpty();
        assertThat(richer.featuresMissingFrom(portable)).containsExactly("SSE4_2", "AVX2");
        CpuModel unnamedBit = withBit(portable, 7, 0, 1, 1 << 30);
        assertThat(unnamedBit.featuresMissingFrom(portable)).containsExactly("CPUID.(EAX=0x7,ECX=0):EBX[30]");
        CpuModel avxState = new CpuModel("x", portable.leaves(), 0x7);
        assertThat(avxState.featuresMissingFrom(portable)).containsExactly("XCR0.x87 state", "XCR0.SSE state",
                "XCR0.AVX state");
    }

    @Test
    void legacyModelIsTheOldSoftwareCpu() {
        CpuModel m = CpuModels.named(CpuModels.LEGACY, 1);
        int[] l0 = m.answer(0, 0, 0, 0, 0);
        assertThat(text(l0[1], l0[3], l0[2])).isEqualTo("ParavaneVCPU");
        assertThat(l0[0]).isEqualTo(7);
        assertThat(m.answer(1, 0, 0, 0, 0)).containsExactly(0x601, 0x10800, 0x80C02000, 0x0709A178);
        assertThat(m.answer(7, 0, 0, 0, 0)).containsExactly(0, 1 << 3, 1 << 22, 0);
        assertThat(m.answer(0x8000_0001, 0, 0, 0, 0)).containsExactly(0, 0, 0x21, 0x28100800);
        assertThat(m.has(CpuFeature.FPU)).isFalse();
        int[] kvm = m.answer(0x4000_0000, 0, 0, 0, 0);
        assertThat(text(kvm[1], kvm[3], kvm[2])).as("the old CPU's byte order, kept").isEqualTo("KVMKVMKVM");
    }

    @Test
    void catalogueRefusesUnknownNamesAndHost() {
        assertThatThrownBy(() -> CpuModels.named("pentium", 1)).hasMessageContaining("unknown CPU model 'pentium'")
                .hasMessageContaining(CpuModels.DEFAULT);
        assertThatThrownBy(() -> CpuModels.named(CpuModels.HOST, 1)).hasMessageContaining("only a backend");
        assertThatThrownBy(() -> CpuModels.defaultModel(0)).hasMessageContaining("1..255 vCPUs");
        assertThatThrownBy(() -> new CpuModel("dup", List.of(new CpuidLeaf(1, 0, false, 0, 0, 0, 0),
                new CpuidLeaf(1, 0, false, 1, 0, 0, 0)), 0)).hasMessageContaining("twice");
    }

    static CpuModel withFeature(CpuModel m, CpuFeature f) {
        return withBit(m, f.function(), f.index(), f.register().ordinal(), f.mask());
    }

    static CpuModel withBit(CpuModel m, int function, int index, int register, int mask) {
        List<CpuidLeaf> leaves = new ArrayList<>();
        for (CpuidLeaf l : m.leaves()) {
            if (l.function() == function && l.index() == index) {
                int[] r = l.registers();
                r[register] |= mask;
                l = new CpuidLeaf(l.function(), l.index(), l.indexed(), r[0], r[1], r[2], r[3]);
            }
            leaves.add(l);
        }
        return new CpuModel(m.name(), leaves, m.supportedXcr0());
    }
}
