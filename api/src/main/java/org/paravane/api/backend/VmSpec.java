package org.paravane.api.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
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
 * @param backendOptions settings for one backend's handling of this VM, each key named by its backend
 *                   ({@code emulated.translation=false}); a backend refuses an unknown or invalid key of its own
 *                   namespace and ignores the others, so the spec moves between backends unchanged. Sorted by key
 */
public record VmSpec(String name, int vcpus, List<MemoryRegion> regions, PageSource pageSource, boolean asyncPageFaults,
                     CpuModel cpuModel, Map<String, String> backendOptions) {

    /** A VM whose host may use async page faults, under the default CPU model. */
    public VmSpec(String name, int vcpus, List<MemoryRegion> regions, PageSource pageSource) {
        this(name, vcpus, regions, pageSource, true);
    }

    /** A VM under the default CPU model ({@link CpuModels#DEFAULT}). */
    public VmSpec(String name, int vcpus, List<MemoryRegion> regions, PageSource pageSource, boolean asyncPageFaults) {
        this(name, vcpus, regions, pageSource, asyncPageFaults, null);
    }

    /** A VM without backend options. */
    public VmSpec(String name, int vcpus, List<MemoryRegion> regions, PageSource pageSource, boolean asyncPageFaults,
                  CpuModel cpuModel) {
        this(name, vcpus, regions, pageSource, asyncPageFaults, cpuModel, Map.of());
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
        backendOptions = checkedOptions(name, backendOptions);
    }

    /** The same VM under another CPU model. */
    public VmSpec withCpuModel(CpuModel model) {
        return new VmSpec(name, vcpus, regions, pageSource, asyncPageFaults, Objects.requireNonNull(model, "model"),
                backendOptions);
    }

    /** The same VM with these backend options instead of its own. */
    public VmSpec withBackendOptions(Map<String, String> options) {
        return new VmSpec(name, vcpus, regions, pageSource, asyncPageFaults, cpuModel,
                Objects.requireNonNull(options, "options"));
    }

    /** The same VM with one more backend option ({@code key} replaced if it had it). */
    public VmSpec withBackendOption(String key, String value) {
        Map<String, String> options = new TreeMap<>(backendOptions);
        options.put(Objects.requireNonNull(key, "backend option key"), value);
        return withBackendOptions(options);
    }

    /**
     * The options of one backend, keys without the backend's prefix: {@code emulated.translation=false} is
     * {@code translation=false} for {@code "emulated"}. Sorted by key.
     */
    public SortedMap<String, String> backendOptions(String backend) {
        String prefix = backend + ".";
        SortedMap<String, String> own = new TreeMap<>();
        backendOptions.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                own.put(k.substring(prefix.length()), v);
            }
        });
        return Collections.unmodifiableSortedMap(own);
    }

    /** The options as an unmodifiable sorted copy, each key {@code <backend>.<name>} and each value given. */
    private static Map<String, String> checkedOptions(String vm, Map<String, String> options) {
        if (options == null || options.isEmpty()) {
            return Collections.emptySortedMap();
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        options.forEach((k, v) -> {
            int dot = k == null ? -1 : k.indexOf('.');
            if (dot <= 0 || dot == k.length() - 1) {
                throw new IllegalArgumentException("VM '" + vm + "': backend option '" + k + "' is not <backend>.<name>"
                        + " (e.g. emulated.translation)");
            }
            if (v == null) {
                throw new IllegalArgumentException("VM '" + vm + "': backend option '" + k + "' has no value");
            }
            sorted.put(k, v);
        });
        return Collections.unmodifiableSortedMap(sorted);
    }

    /** Total bytes of guest memory. */
    public long memorySize() {
        return regions.stream().mapToLong(MemoryRegion::size).sum();
    }
}
