package org.paravane.emulated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.emulated.cpu.translate.TranslationSettings;
import org.paravane.emulated.cpu.translate.Translator;
import org.paravane.emulated.testing.Kernels;
import org.paravane.emulated.testing.TestVm;
import org.paravane.emulated.vstate.EmulatedVcpu;

/** A VM's {@code emulated.*} backend options: on top of the backend's configuration, for that VM only, checked. */
class EmulatedBackendOptionsTest {

    private static VmSpec spec(Map<String, String> options) {
        return new VmSpec("opts", 1, List.of(new MemoryRegion("ram", 0, 1 << 20, false)), PageSource.ZERO)
                .withBackendOptions(options);
    }

    private static BackendException refused(EmulatedBackend backend, Map<String, String> options) {
        try (var vm = backend.createVm(spec(options))) {
            throw new AssertionError("VM with " + options + " was made: " + vm);
        } catch (BackendException e) {
            assertThat(e.reason()).isEqualTo(BackendException.Reason.INVALID_REQUEST);
            return e;
        }
    }

    @Test
    void anUnknownOptionOfTheEmulatedBackendIsRefusedNamingKeyValueAndTheKnownKeys() {
        BackendException e = refused(new EmulatedBackend(), Map.of("emulated.translate", "false"));
        assertThat(e).hasMessageContaining("VM 'opts'").hasMessageContaining("emulated.translate=false")
                .hasMessageContaining("emulated.translation, emulated.translationThreshold, emulated.codeCacheKiB");
        assertThat(refused(new EmulatedBackend(), Map.of("emulated.x.target", "1")))
                .as("not taken for a Declarative Services key").hasMessageContaining("emulated.x.target=1");
    }

    @Test
    void badValuesAreRefusedNamingEachKeyWithItsValue() {
        BackendException e = refused(new EmulatedBackend(), Map.of("emulated.translation", "maybe",
                "emulated.translationThreshold", "-1", "emulated.codeCacheKiB", "lots"));
        assertThat(e).hasMessageContaining("VM 'opts'")
                .hasMessageContaining("emulated.translation = 'maybe' (allowed: true or false)")
                .hasMessageContaining("emulated.translationThreshold = '-1'")
                .hasMessageContaining("emulated.codeCacheKiB = 'lots'");
    }

    @Test
    void aRefusedVmLeavesTheBackendAsItWas() {
        EmulatedBackend backend = new EmulatedBackend(new TranslationSettings(true, 5, 64));
        refused(backend, Map.of("emulated.translationThreshold", "x"));
        assertThat(backend.translation()).isEqualTo(new TranslationSettings(true, 5, 64));
        assertThat(backend.toString()).contains("0 VMs");
        try (var vm = backend.createVm(spec(Map.of()))) {
            assertThat(backend.toString()).contains("1 VMs");
        }
    }

    @Test
    void anotherBackendsOptionsAreIgnored() {
        try (var vm = new EmulatedBackend().createVm(spec(Map.of("kvm.anything", "at all", "qemu.x", "1")))) {
            assertThat(vm.spec().backendOptions()).containsOnlyKeys("kvm.anything", "qemu.x");
        }
    }

    @Test
    void oneVmInterpretsWhileAnotherTranslatesOnTheSameBackend() {
        EmulatedBackend backend = new EmulatedBackend(new TranslationSettings(true, 64, 1024));
        try (TestVm interpreted = new TestVm(backend, 1, 16 << 20, PageSource.ZERO, false,
                Map.of("emulated.translation", "false"));
             TestVm eager = new TestVm(backend, 1, 16 << 20, PageSource.ZERO, false,
                     Map.of("emulated.translationThreshold", "0"));
             TestVm configured = new TestVm(backend, 1, 16 << 20, PageSource.ZERO, false)) {
            for (TestVm t : List.of(interpreted, eager, configured)) {
                t.load(TestVm.CODE, Kernels.build(2, 3));
                Vcpu v = t.start(0, 3, TestVm.CODE);
                assertThat(t.runToResult(v)).isEqualTo(Kernels.expected(2, 3));
            }
            assertThat(stats(interpreted)).as("no translator at all").isNull();
            Translator.Stats now = stats(eager), hot = stats(configured);
            assertThat(now.failed()).isZero();
            assertThat(now.translated()).as("every block at its first run, threshold 0").isGreaterThan(hot.translated());
            assertThat(backend.translation()).as("the backend's own settings").isEqualTo(new TranslationSettings(true, 64, 1024));
            assertThat(backend.capabilities().detail()).contains("after 64 runs");
        }
    }

    private static Translator.Stats stats(TestVm t) {
        return ((EmulatedVcpu) t.vcpu(0)).translationStats();
    }
}
