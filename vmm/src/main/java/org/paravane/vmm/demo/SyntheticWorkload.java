package org.paravane.vmm.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.ElfImage;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.manager.GuestImages;
import org.paravane.vmm.source.SourceSpec;

/**
 * Natapov's {@code bm -f N -w N} as Paravane guest programs: {@code scanner} tasks touch their slice of the lazily
 * restored data region (one work unit per page), {@code worker} tasks count work units in a loop.
 */
record SyntheticWorkload() implements Workload {

    @Override
    public String key() {
        return "synthetic";
    }

    @Override
    public String describe(AsyncPfExperiment.Options o) {
        return String.format(Locale.ROOT, "%d vCPUs, %d scanner tasks over lazily restored memory (%d us per page), %d worker"
                + " tasks, %.1f s per run", o.vcpus(), o.scanners(), o.latencyNanos() / 1000, o.workers(), o.runMillis() / 1000.0);
    }

    @Override
    public VmDefinition define(String name, String backend, WaitPolicy policy, AsyncPfExperiment.Options o)
            throws IOException, InvalidImageException {
        ElfImage scanner = GuestImages.load("scanner");
        ElfImage worker = GuestImages.load("worker");
        List<VmDefinition.Launch> launches = new ArrayList<>();
        for (int i = 0; i < o.scanners(); i++) {
            launches.add(new VmDefinition.Launch("scanner" + i, scanner, 1, i, o.scanners()));
        }
        for (int i = 0; i < o.workers(); i++) {
            launches.add(new VmDefinition.Launch("worker" + i, worker, 0, -1, 1));
        }
        SourceSpec source = new SourceSpec("pattern", "2010", o.latencyNanos(), 0);
        return new VmDefinition(name, backend, o.vcpus(), 64, source, o.bytesPerScanner() * o.scanners(), launches,
                policy, PreemptionModel.PREEMPTIBLE, o.sliceMicros());
    }

    @Override
    public long work(GuestKernel kernel) {
        return work(kernel, "worker");
    }

    @Override
    public long scanned(GuestKernel kernel) {
        return work(kernel, "scanner");
    }

    private static long work(GuestKernel kernel, String prefix) {
        return kernel.tasks().stream().filter(t -> t.name().startsWith(prefix)).mapToLong(kernel::workOf).sum();
    }
}
