package org.paravane.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;

class KvmBackendTest {

    @Test
    void aUsableBackendDescribesItself() {
        KvmBackend b = KvmTestSupport.backend();
        assertThat(b.serviceProperties()).containsEntry(VirtualizationBackend.USABLE, true)
                .doesNotContainKey(VirtualizationBackend.UNUSABLE_REASON);
        assertThat(b.capabilities().hardwareAccelerated()).isTrue();
        assertThat(b.capabilities().instructionCounting()).isFalse();
        assertThat(b.capabilities().maxVcpus()).isPositive();
        assertThat(b.capabilities().detail()).contains("async PF").contains("lazy memory");
        System.out.println("KVM backend: " + b.capabilities());
    }

    @Test
    void badVmSpecsAreRefusedWithAClearReason() {
        KvmBackend b = KvmTestSupport.backend();
        assertThatThrownBy(() -> b.createVm(KvmTestSupport.spec("many", b.capabilities().maxVcpus() + 1, PageSource.ZERO)))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("vCPUs").contains(String.valueOf(b.capabilities().maxVcpus()));
                });
        long beyond = 1L << b.hostSupport().physicalAddressBits();
        assertThatThrownBy(() -> b.createVm(new VmSpec("far", 1, List.of(new MemoryRegion("far", beyond, 4096, false)), null)))
                .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.getMessage()).contains("'far'").contains("address space"));
        if (b.hostSupport().kernelAsyncPf()) {
            assertThatThrownBy(() -> b.createVm(new VmSpec("apic", 1, List.of(new MemoryRegion("mmio", 0xFEC00000L, 0x201000, true)),
                    KvmTestSupport.ADDRESS_PATTERN))).isInstanceOfSatisfying(BackendException.class,
                    e -> assertThat(e.getMessage()).contains("local APIC").contains("'mmio'"));
        }
        try (VirtualMachine first = b.createVm(KvmTestSupport.spec("twice", 1, PageSource.ZERO))) {
            assertThatThrownBy(() -> b.createVm(KvmTestSupport.spec("twice", 1, PageSource.ZERO)))
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.getMessage()).contains("'twice'").contains("unique"));
            assertThat(first.backendName()).isEqualTo("kvm");
        }
        try (VirtualMachine again = b.createVm(KvmTestSupport.spec("twice", 1, PageSource.ZERO))) {
            assertThat(again.isClosed()).isFalse();
        }
    }
}
