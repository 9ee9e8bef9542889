package org.paravane.vmm.demo;

import java.io.IOException;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.WaitPolicy;

/**
 * What the async page fault experiment runs: the VM of one run (scanners over lazily restored data next to CPU-bound
 * workers) and how its progress is read. The experiment itself (three policies, progress, table, gain) is one,
 * {@link AsyncPfExperiment}; the workloads differ only in their guests.
 */
sealed interface Workload permits SyntheticWorkload, ProgramsWorkload {

    /** A short name for headings and the gain line ({@code synthetic}, {@code programs}). */
    String key();

    /** The lines that say what runs, before the first backend's block. */
    String describe(AsyncPfExperiment.Options o);

    /** The VM of one run: its tasks go round-robin to the vCPUs, scanners first, so every vCPU runs both kinds. */
    VmDefinition define(String name, String backend, WaitPolicy policy, AsyncPfExperiment.Options o)
            throws IOException, InvalidImageException;

    /** Work units the workers did so far. */
    long work(GuestKernel kernel);

    /** Pages the scanners went through so far. */
    long scanned(GuestKernel kernel);

    /** Why the run cannot be trusted (a guest failed), or null. */
    default String problem(GuestKernel kernel) {
        return kernel.tasks().stream()
                .filter(t -> t.failure() != null || (t.exitCode() != null && t.exitCode() != 0)).findFirst()
                .map(t -> t.name() + " failed during the run: exit " + t.exitCode()
                        + (t.failure() == null ? "" : " (" + t.failure() + ")"))
                .orElse(null);
    }
}
