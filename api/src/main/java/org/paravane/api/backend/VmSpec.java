package org.paravane.api.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;

/**
 * What a VM is made of.
 *
 * @param name       unique among the VMs of a container; used in messages, thread names and the shell
 * @param vcpus      number of vCPUs, at least 1
 * @param regions    guest-physical memory, non-overlapping (sorted by address here)
 * @param pageSource where absent pages of lazy regions come from; {@link PageSource#ZERO} if none
 * @param asyncPageFaults whether the host may serve absent pages asynchronously (its side of async page faults);
 *                   false makes every fault synchronous in the faulting vCPU — the baseline async PF is measured against
 * @param cpuModel   the CPU the guest sees (CPUID, the XCR0 it may enable); the backend refuses a model it cannot
 *                   implement in full
 */
public record VmSpec(String name, int vcpus, List<MemoryRegion> regions, PageSource pageSource, boolean asyncPageFaults,
                     CpuModel cpuModel) {

    /** A VM whose host may use async page faults, under the default CPU model. */
    public VmSpec(String name, int vcpus, List<MemoryRegion> regions, PageSource pageSource) {
        this(name, vcpus, regions, pageSource, true);
    }

    /** A VM under the default CPU model ({@link CpuModels#DEFAULT}). */
    public VmSpec(String name, int vcpus, List<MemoryRegion> regions, PageSource pageSource, boolean asyncPageFaults) {
        this(name, vcpus, regions, pageSource, asyncPageFaults, null);
    }

    public VmSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("VM name '" + name + "' must be non-empty letters, digits, '.', '_' or '-'");
        }
        if (vcpus < 1) {
            throw new IllegalArgumentException("VM '" + name + "' needs at least one vCPU, got " + vcpus);
        }
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("VM '" + name + "' needs at least one memory region");
        }
        List<MemoryRegion> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(MemoryRegion::guestAddress));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1).overlaps(sorted.get(i))) {
                throw new IllegalArgumentException("VM '" + name + "': memory regions '" + sorted.get(i - 1).name()
                        + "' and '" + sorted.get(i).name() + "' overlap");
            }
        }
        regions = List.copyOf(sorted);
        pageSource = pageSource == null ? PageSource.ZERO : pageSource;
        cpuModel = cpuModel == null ? CpuModels.defaultModel(vcpus) : cpuModel;
    }

    /** The same VM under another CPU model. */
    public VmSpec withCpuModel(CpuModel model) {
        return new VmSpec(name, vcpus, regions, pageSource, asyncPageFaults, Objects.requireNonNull(model, "model"));
    }

    /** Total bytes of guest memory. */
    public long memorySize() {
        return regions.stream().mapToLong(MemoryRegion::size).sum();
    }
}
