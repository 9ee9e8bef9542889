package org.paravane.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.kvm.host.KvmSettings;

/** A VM's backend options on KVM: its own namespace ({@code kvm.*}) checked on any host, the others' ignored. */
class KvmBackendOptionsTest {

    private static VmSpec spec(Map<String, String> options) {
        return new VmSpec("kvm-opts", 1, List.of(new MemoryRegion("ram", 0, 1 << 20, false)), PageSource.ZERO)
                .withBackendOptions(options);
    }

    @Test
    void aKvmOptionIsRefusedByKeyAndValueEvenWhereKvmIsUnusable() {
        try (KvmBackend b = new KvmBackend(KvmSettings.DEFAULTS)) {
            assertThatThrownBy(() -> b.createVm(spec(Map.of("kvm.irqchip", "off", "emulated.translation", "false"))))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.reason()).isEqualTo(BackendException.Reason.INVALID_REQUEST);
                        assertThat(e.getMessage()).contains("VM 'kvm-opts'").contains("kvm.irqchip=off")
                                .contains("has no options");
                    });
        }
    }

    @Test
    void theEmulatedBackendsOptionsAreIgnored() {
        try (KvmBackend b = new KvmBackend(KvmSettings.DEFAULTS)) {
            VmSpec spec = spec(Map.of("emulated.translation", "false", "emulated.translationThreshold", "0"));
            if (!b.usable()) {
                assertThatThrownBy(() -> b.createVm(spec)).as("refused for the host only, not for the options")
                        .isInstanceOfSatisfying(BackendException.class,
                                e -> assertThat(e.reason()).isEqualTo(BackendException.Reason.UNAVAILABLE));
                return;
            }
            try (VirtualMachine vm = b.createVm(spec)) {
                assertThat(vm.spec().backendOptions()).containsEntry("emulated.translation", "false");
            }
        }
    }
}
