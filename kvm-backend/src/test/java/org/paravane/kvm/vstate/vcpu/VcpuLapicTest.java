package org.paravane.kvm.vstate.vcpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.paravane.kvm.ioctls.KvmLayouts;

class VcpuLapicTest {

    @Test
    void theHighestRequestedVectorIsFoundAcrossIrrWords() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lapic = arena.allocate(KvmLayouts.KVM_LAPIC_STATE);
            assertThat(VcpuLapic.highestRequested(lapic)).as("nothing requested").isEqualTo(-1);
            VcpuLapic.setBit(lapic, VcpuLapic.IRR, 0x31, true);
            assertThat(VcpuLapic.highestRequested(lapic)).isEqualTo(0x31);
            VcpuLapic.setBit(lapic, VcpuLapic.IRR, 0xEC, true);
            assertThat(VcpuLapic.highestRequested(lapic)).isEqualTo(0xEC);
            VcpuLapic.setBit(lapic, VcpuLapic.IRR, 0xFF, true);
            assertThat(VcpuLapic.highestRequested(lapic)).isEqualTo(0xFF);
            VcpuLapic.setBit(lapic, VcpuLapic.IRR, 0xFF, false);
            VcpuLapic.setBit(lapic, VcpuLapic.IRR, 0xEC, false);
            assertThat(VcpuLapic.highestRequested(lapic)).isEqualTo(0x31);
        }
    }

    @Test
    void exceptionVectorsAreNeverReportedAsRequested() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lapic = arena.allocate(KvmLayouts.KVM_LAPIC_STATE);
            VcpuLapic.setBit(lapic, VcpuLapic.IRR, 14, true);
            assertThat(VcpuLapic.highestRequested(lapic)).isEqualTo(-1);
        }
    }

    @Test
    void bitsLandInTheRegisterWordOfTheirVector() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lapic = arena.allocate(KvmLayouts.KVM_LAPIC_STATE);
            VcpuLapic.setBit(lapic, VcpuLapic.ISR, 0xEC, true);
            // ISR word 7 (vectors 224-255) at 0x170, bit 12
            assertThat(lapic.get(java.lang.foreign.ValueLayout.JAVA_INT, 0x170)).isEqualTo(1 << 12);
            assertThat(VcpuLapic.bit(lapic, VcpuLapic.ISR, 0xEC)).isTrue();
            assertThat(VcpuLapic.bit(lapic, VcpuLapic.IRR, 0xEC)).as("the IRR is a different register").isFalse();
            VcpuLapic.setBit(lapic, VcpuLapic.ISR, 0xED, true);
            VcpuLapic.setBit(lapic, VcpuLapic.ISR, 0xEC, false);
            assertThat(lapic.get(java.lang.foreign.ValueLayout.JAVA_INT, 0x170)).as("the neighbour stays").isEqualTo(1 << 13);
        }
    }
}
