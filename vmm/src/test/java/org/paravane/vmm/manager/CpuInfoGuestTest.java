package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.WaitPolicy;

/**
 * The guest {@code cpuinfo} prints every CPUID leaf it finds and XCR0: under the default model the output is the same
 * on every usable backend, and it is exactly what the model says for that vCPU.
 */
class CpuInfoGuestTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final VmManager manager = new VmManager(null, Map.of("waitPolicy", "off", "pageSource", "zero",
            "memoryMiB", 16, "maxVms", 8));
    private KvmBackend kvm;

    @AfterEach
    void stopAll() {
        manager.deactivate();
        if (kvm != null) {
            kvm.close();
        }
    }

    private VirtualizationBackend backend(String name) {
        if (name.equals(EmulatedBackend.NAME)) {
            return new EmulatedBackend();
        }
        kvm = new KvmBackend(KvmSettings.DEFAULTS);
        Assumptions.assumeTrue(kvm.usable(), () -> "KVM skipped: " + kvm.unusableReason());
        return kvm;
    }

    @ParameterizedTest
    @ValueSource(strings = {"emulated", "kvm"})
    void theGuestSeesExactlyTheDefaultModelOnEveryBackend(String backendName) throws Exception {
        VirtualizationBackend backend = backend(backendName);
        manager.addBackend(backend, Map.of(VirtualizationBackend.NAME, backendName, VirtualizationBackend.USABLE, true));
        VmDefinition def = new VmDefinition("cpuinfo", backendName, 2, 16, null, 0,
                List.of(new VmDefinition.Launch("cpuinfo", GuestImages.load("cpuinfo"), 0, -1, 1)), WaitPolicy.OFF,
                null, null, CpuModels.DEFAULT, null);
        ManagedVm vm = manager.run(def, KernelConfig.Console.NONE);
        assertThat(vm.awaitEnd(BOUND)).isTrue();
        assertThat(vm.state()).as("%s", vm.failure()).isEqualTo(ManagedVm.State.FINISHED);
        String output = vm.kernel().tasks().getFirst().output();
        CpuModel model = vm.cpuModel();
        assertThat(model).isEqualTo(CpuModels.defaultModel(2));
        // The guest kernel runs its tasks with CR4.OSXSAVE clear and the APIC enabled; which vCPU ran the task shows
        // in leaf 1's APIC id, and the expectation is built for that vCPU.
        int apicId = Integer.parseUnsignedInt(line(output, "cpuid 00000001.00").split(" ")[3], 16) >>> 24;
        assertThat(apicId).isBetween(0, 1);
        assertThat(output).isEqualTo(expected(model, apicId, 0, ControlRegisters.APIC_BASE_DEFAULT));
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(
                () -> new AssertionError("no line " + prefix + " in:\n" + output));
    }

    /** What {@code cpuinfo} prints for {@code model}: the same walk over the leaves, answered by the model. */
    static String expected(CpuModel model, int apicId, long cr4, long apicBase) {
        StringBuilder b = new StringBuilder();
        for (int first : new int[] {0, 0x4000_0000, 0x8000_0000}) {
            long max = model.answer(first, 0, apicId, cr4, apicBase)[0] & 0xFFFF_FFFFL;
            if (max < (first & 0xFFFF_FFFFL) || max > (first & 0xFFFF_FFFFL) + 0xFF) {
                show(b, model, first, 0, apicId, cr4, apicBase);
                continue;
            }
            for (long leaf = first & 0xFFFF_FFFFL; leaf <= max; leaf++) {
                int f = (int) leaf;
                if (f == 4 || f == 0x8000_001D || f == 0xB || f == 0x1F) {
                    for (int sub = 0; sub < 16; sub++) {
                        int[] r = show(b, model, f, sub, apicId, cr4, apicBase);
                        boolean end = f == 4 || f == 0x8000_001D ? (r[0] & 0x1F) == 0 : ((r[2] >> 8) & 0xFF) == 0;
                        if (end) {
                            break;
                        }
                    }
                } else if (f == 7) {
                    int subs = model.answer(7, 0, apicId, cr4, apicBase)[0];
                    for (int sub = 0; Integer.compareUnsigned(sub, subs) <= 0 && sub < 16; sub++) {
                        show(b, model, 7, sub, apicId, cr4, apicBase);
                    }
                } else if (f == 0xD) {
                    for (int sub = 0; sub < 64; sub++) {
                        show(b, model, 0xD, sub, apicId, cr4, apicBase);
                    }
                } else {
                    show(b, model, f, 0, apicId, cr4, apicBase);
                }
            }
        }
        boolean osxsave = (model.answer(1, 0, apicId, cr4, apicBase)[2] & (1 << 27)) != 0;
        b.append(osxsave ? "xcr0: (model)\n" : "xcr0: none (no OSXSAVE)\n");
        return b.toString();
    }

    private static int[] show(StringBuilder b, CpuModel model, int leaf, int sub, int apicId, long cr4, long apicBase) {
        int[] r = model.answer(leaf, sub, apicId, cr4, apicBase);
        b.append(String.format("cpuid %08x.%02x: %08x %08x %08x %08x\n", leaf, sub, r[0], r[1], r[2], r[3]));
        return r;
    }
}
