package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendCapabilities;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.CpuFeature;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.cpu.CpuidLeaf;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.WaitPolicy;

/** A VM's CPU model: chosen by name when it is created, kept on every move, and a move that would lose a feature refused. */
class CpuModelChoiceTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** The software CPU, claiming to lack RDSEED: a backend the default model cannot move to. */
    private static final class WithoutRdseed implements VirtualizationBackend {
        final EmulatedBackend delegate = new EmulatedBackend();

        @Override
        public String name() {
            return "limited";
        }

        @Override
        public BackendCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public Optional<CpuModel> supportedCpu() {
            CpuModel all = delegate.supportedCpu().orElseThrow();
            List<CpuidLeaf> leaves = new ArrayList<>();
            for (CpuidLeaf l : all.leaves()) {
                leaves.add(l.function() == 7 && l.index() == 0 ? new CpuidLeaf(7, 0, true, l.eax(),
                        l.ebx() & ~CpuFeature.RDSEED.mask(), l.ecx(), l.edx()) : l);
            }
            return Optional.of(new CpuModel("limited", leaves, all.supportedXcr0()));
        }

        @Override
        public VirtualMachine createVm(VmSpec spec) {
            return delegate.createVm(spec);
        }
    }

    private final VmManager manager = new VmManager(null, Map.of("waitPolicy", "off", "pageSource", "zero",
            "memoryMiB", 16, "maxVms", 8, "defaultBackend", "emulated"));
    private final EmulatedBackend emulated = new EmulatedBackend();

    CpuModelChoiceTest() {
        manager.addBackend(emulated, Map.of(VirtualizationBackend.NAME, EmulatedBackend.NAME, VirtualizationBackend.USABLE, true));
    }

    @AfterEach
    void stopAll() {
        manager.deactivate();
    }

    private ManagedVm run(String name, String backend, String cpu, int vcpus) throws Exception {
        VmDefinition def = new VmDefinition(name, backend, vcpus, 16, null, 0,
                List.of(new VmDefinition.Launch("worker", GuestImages.load("worker"), 0, -1, 1)), WaitPolicy.OFF, null,
                null, cpu, null);
        return manager.run(def, KernelConfig.Console.NONE);
    }

    @Test
    void aVmGetsTheConfiguredModelForItsVcpuCountAndTheKernelKnowsIt() throws Exception {
        ManagedVm vm = run("plain", null, null, 2);
        assertThat(vm.cpuModel()).isEqualTo(CpuModels.defaultModel(2));
        assertThat(vm.kernel().configuration().cpuModel()).isEqualTo(vm.cpuModel());
        ManagedVm legacy = run("old", null, CpuModels.LEGACY, 1);
        assertThat(legacy.cpuModel()).isEqualTo(CpuModels.legacy(1));
    }

    @Test
    void hostOnTheSoftwareCpuAndUnknownNamesAreRefusedByName() {
        assertThatThrownBy(() -> run("h", EmulatedBackend.NAME, CpuModels.HOST, 1))
                .hasMessageContaining("CPU model 'host'").hasMessageContaining("backend 'emulated' has none");
        assertThatThrownBy(() -> run("p", EmulatedBackend.NAME, "pentium", 1))
                .hasMessageContaining("unknown CPU model 'pentium'");
    }

    @Test
    void aMoveKeepsTheModelAndAMoveToABackendLackingAFeatureIsRefusedNamingIt() throws Exception {
        ManagedVm vm = run("mover", null, null, 1);
        CpuModel before = vm.cpuModel();
        EmulatedBackend second = new EmulatedBackend();
        manager.addBackend(second, Map.of(VirtualizationBackend.NAME, "emulated2", VirtualizationBackend.USABLE, true));
        manager.migrate("mover", "emulated2");
        assertThat(vm.backend()).isEqualTo("emulated2");
        assertThat(vm.cpuModel()).isEqualTo(before);

        WithoutRdseed limited = new WithoutRdseed();
        manager.addBackend(limited, Map.of(VirtualizationBackend.NAME, "limited", VirtualizationBackend.USABLE, true));
        assertThatThrownBy(() -> manager.migrate("mover", "limited"))
                .hasMessage("VM 'mover' cannot move to limited: its CPU model 'paravane-1' has RDSEED, which limited"
                        + " cannot present");
        assertThat(vm.backend()).isEqualTo("emulated2");
        assertThat(vm.state()).isEqualTo(ManagedVm.State.RUNNING);
        manager.stop("mover");
        assertThat(vm.awaitEnd(BOUND)).isTrue();
    }
}
