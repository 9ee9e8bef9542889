package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.vstate.EmulatedVcpu;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.WaitPolicy;

/** A VM definition's backend options reach the backend's VM, are checked there, and move with the VM. */
class BackendOptionsTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final VmManager manager = new VmManager(null, Map.of("waitPolicy", "off", "pageSource", "zero",
            "memoryMiB", 16, "maxVms", 8, "defaultBackend", "emulated"));

    BackendOptionsTest() {
        manager.addBackend(new EmulatedBackend(), Map.of(VirtualizationBackend.NAME, EmulatedBackend.NAME,
                VirtualizationBackend.USABLE, true));
    }

    @AfterEach
    void stopAll() {
        manager.deactivate();
    }

    private ManagedVm run(String name, Map<String, String> options) throws Exception {
        VmDefinition def = new VmDefinition(name, null, 1, 16, null, 0,
                List.of(new VmDefinition.Launch("worker", GuestImages.load("worker"), 0, -1, 1)), WaitPolicy.OFF, null,
                null, null, null, options);
        return manager.run(def, KernelConfig.Console.NONE);
    }

    /** Whether the VM's first vCPU has a translator (the software CPU makes none for a VM that interprets). */
    private static boolean translates(ManagedVm vm) {
        return ((EmulatedVcpu) vm.kernel().vm().vcpu(0)).translationStats() != null;
    }

    @Test
    void aVmInterpretsByItsOptionWhileTheOthersTranslateAndKeepsItsOptionOnAMove() throws Exception {
        ManagedVm interpreted = run("interpreted", Map.of("emulated.translation", "false"));
        ManagedVm plain = run("plain", Map.of());
        assertThat(interpreted.kernel().vm().spec().backendOptions()).containsEntry("emulated.translation", "false");
        assertThat(translates(interpreted)).isFalse();
        assertThat(translates(plain)).isTrue();

        manager.addBackend(new EmulatedBackend(), Map.of(VirtualizationBackend.NAME, "emulated2",
                VirtualizationBackend.USABLE, true));
        manager.migrate("interpreted", "emulated2");
        assertThat(interpreted.backend()).isEqualTo("emulated2");
        assertThat(translates(interpreted)).as("the option moved with the VM").isFalse();
        manager.stop("interpreted");
        manager.stop("plain");
        assertThat(interpreted.awaitEnd(BOUND) && plain.awaitEnd(BOUND)).isTrue();
    }

    @Test
    void aBadOptionRefusesTheVmNamingKeyAndValue() {
        assertThatThrownBy(() -> run("bad", Map.of("emulated.translationThreshold", "soon")))
                .isInstanceOf(BackendException.class).hasMessageContaining("VM 'bad'")
                .hasMessageContaining("emulated.translationThreshold = 'soon'");
        assertThat(manager.vms()).as("nothing left behind").isEmpty();
    }
}
