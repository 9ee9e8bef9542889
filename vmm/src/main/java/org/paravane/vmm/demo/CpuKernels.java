package org.paravane.vmm.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.paravane.api.backend.VcpuStats;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.manager.GuestImages;
import org.paravane.vmm.manager.ManagedVm;
import org.paravane.vmm.manager.VmManager;

/**
 * The five CPU-bound kernels (ALU, sieve, fib, CRC-32, and n-body in double precision; guests/src/cpu_*.c) as guest
 * programs, each timed by the guest
 * itself. Instruction counts come from a backend that counts them (the software CPU); a hardware backend's time for
 * the same image and argument turns them into native MIPS.
 */
final class CpuKernels {

    /** Program and argument of each kernel, sized for a few hundred milliseconds on the software CPU. */
    static final List<String[]> KERNELS = List.of(new String[] {"cpu_alu", "3000000"}, new String[] {"cpu_sieve", "10"},
            new String[] {"cpu_fib", "1"}, new String[] {"cpu_crc", "10"}, new String[] {"cpu_nbody", "2000"});

    /** One kernel's run: guest-measured nanoseconds, retired instructions (-1 when the backend cannot count), checksum. */
    record Run(String kernel, long nanos, long instructions, long checksum) {
        double mips() {
            return instructions <= 0 ? Double.NaN : instructions / (nanos / 1e3);
        }
    }

    private CpuKernels() {
    }

    /**
     * Each kernel with its argument (passes, steps, iterations) times {@code scale}: as much work times scale, in VMs
     * with these backend options.
     */
    static List<Run> run(VmManager manager, String backend, Map<String, String> backendOptions, int scale)
            throws IOException, InvalidImageException, InterruptedException {
        List<Run> runs = new ArrayList<>();
        for (String[] k : KERNELS) {
            var image = GuestImages.load(k[0]);
            VmDefinition def = new VmDefinition("mips-" + backend + "-" + k[0], backend, 1, 16, null, 0,
                    List.of(new VmDefinition.Launch(k[0], image, Long.parseLong(k[1]) * scale, -1, 1)), null, null, 100_000L)
                    .withBackendOptions(backendOptions);
            ManagedVm vm = manager.run(def, KernelConfig.Console.NONE);
            try {
                vm.awaitEnd();
            } catch (InterruptedException e) {
                manager.stop(vm.name());
                manager.forget(vm.name());
                throw e;
            }
            Task t = vm.kernel().tasks().getFirst();
            if (vm.state() != ManagedVm.State.FINISHED || !Integer.valueOf(0).equals(t.exitCode())) {
                throw new IllegalStateException(k[0] + " on " + backend + " did not finish: " + vm.state()
                        + (t.failure() != null ? " (" + t.failure() + ")" : vm.failure() != null ? " (" + vm.failure() + ")" : ""));
            }
            long instructions = vm.vcpuStats().stream().mapToLong(VcpuStats::instructions).reduce(0, (a, b) -> a < 0 || b < 0 ? -1 : a + b);
            runs.add(new Run(k[0], t.reports().getOrDefault("nanos", 1L), instructions, t.reports().getOrDefault("checksum", 0L)));
            manager.forget(vm.name());
        }
        return runs;
    }
}
