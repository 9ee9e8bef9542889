package org.paravane.vmm.build;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.SleeperTableFactory;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.TaskSpec;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.ServedFileSpec;
import org.paravane.vmm.source.RegionPageSource;

/**
 * Builds a VM from its {@link VmDefinition}: the {@link MemoryLayout} (RAM around the 32-bit hole, the data region and
 * its page source above the RAM), the backend's VM, the guest's sleeper table, the guest kernel and its tasks, launched but not yet
 * started. What fails halfway is released again.
 */
public final class VmBuilder {

    /**
     * A VM ready to start.
     *
     * @param kernel            its guest kernel, tasks launched
     * @param dataSource        where the data region's pages come from ({@link PageSource#ZERO} without one)
     * @param sourceDescription the data source for people, or "-"
     */
    public record BuiltVm(GuestKernel kernel, PageSource dataSource, String sourceDescription) {
    }

    private final VmDefaults defaults;
    private final SleeperTableFactory sleeperTables;
    private final Supplier<PageFaultHandler> guestHandler;

    /**
     * @param sleeperTables the sleeper tables service as it is now, or null (the guest then runs without async PF)
     * @param guestHandler  the guest-side fault handler service as it is whenever the guest asks (may return null)
     */
    public VmBuilder(VmDefaults defaults, SleeperTableFactory sleeperTables, Supplier<PageFaultHandler> guestHandler) {
        this.defaults = defaults;
        this.sleeperTables = sleeperTables;
        this.guestHandler = guestHandler;
    }

    /**
     * Builds VM {@code name} of {@code def} on {@code backend}.
     *
     * @throws IllegalArgumentException for a definition that cannot run (no size for its data, slices too small)
     * @throws BackendException         when the backend cannot create the VM
     * @throws IOException              when the data region's source cannot be opened
     */
    public BuiltVm build(String name, VmDefinition def, VirtualizationBackend backend, KernelConfig.Console console)
            throws IOException {
        long ramBytes = (long) defaults.memoryMiB(def) << 20;
        PageSource source = PageSource.ZERO;
        long dataBytes = 0;
        if (def.linux() == null && def.tasks().stream().anyMatch(l -> l.linux() != null)) {
            throw new IllegalArgumentException("a VM running Linux processes needs their file system view (VmDefinition.linux)");
        }
        if (def.dataSource() != null) {
            dataBytes = def.dataBytes() > 0 ? def.dataBytes() : def.dataSource().contentLength();
            if (dataBytes <= 0) {
                throw new IllegalArgumentException("data region size is needed for page source " + def.dataSource()
                        + " (give --data-size)");
            }
        }
        List<ServedFileSpec> served = def.linux() == null ? List.of() : def.linux().servedFiles();
        long ownData = (dataBytes + GuestMemory.PAGE_SIZE - 1) & -(long) GuestMemory.PAGE_SIZE;
        long servedBytes = 0;
        for (ServedFileSpec f : served) {
            servedBytes += f.pageBytes();
        }
        MemoryLayout layout = MemoryLayout.of(ramBytes, ownData + servedBytes);
        String sourceDescription = "-";
        LinuxOptions linux = def.linux();
        if (ownData + servedBytes > 0) {
            // The data region: the definition's own data first, then each lazily served file's pages.
            MemoryRegion region = layout.regions().getLast();
            List<RegionPageSource.Range> ranges = new ArrayList<>();
            List<String> described = new ArrayList<>();
            long at = region.guestAddress();
            if (dataBytes > 0) {
                PageSource data = def.dataSource().open(at);
                ranges.add(new RegionPageSource.Range(at, ownData, data));
                described.add(data.describe());
                at += ownData;
            }
            List<ServedFileSpec> placed = new ArrayList<>();
            for (ServedFileSpec f : served) {
                ServedFileSpec p = f.placedAt(at);
                if (p.size() > 0) {
                    PageSource data = f.source().open(at);
                    ranges.add(new RegionPageSource.Range(at, f.pageBytes(), data));
                    described.add(f.guestPath() + ": " + data.describe());
                }
                placed.add(p);
                at += f.pageBytes();
            }
            if (at < region.end()) {
                ranges.add(new RegionPageSource.Range(at, region.end() - at, PageSource.ZERO));   // the rounding
            }
            source = new RegionPageSource(ranges);
            sourceDescription = described.size() == 1 ? described.getFirst() : described.toString();
            if (linux != null) {
                linux = linux.withServedFiles(placed);
            }
        }
        CpuModel cpuModel = cpuModel(def, backend);
        KernelConfig config = new KernelConfig(def.preemption() != null ? def.preemption() : defaults.preemption(),
                def.waitPolicy() != null ? def.waitPolicy() : defaults.waitPolicy(),
                def.timeSliceMicros() != null ? def.timeSliceMicros() : defaults.timeSliceMicros(), console, cpuModel,
                linux);
        // "off" is the baseline: the host does no async page faults for this VM at all.
        VmSpec spec = new VmSpec(name, def.vcpus(), layout.regions(), source, config.waitPolicy() != WaitPolicy.OFF,
                cpuModel, def.backendOptions());
        VirtualMachine vm = backend.createVm(spec);
        SleeperTableFactory tables = sleeperTables;
        SleeperTable table = tables == null ? null : tables.create(name);
        try {
            GuestKernel kernel = new GuestKernel(vm, config, table, guestHandler);
            for (VmDefinition.Launch l : def.tasks()) {
                kernel.launch(l.linux() != null ? TaskSpec.linuxProcess(l.name(), l.linux())
                        : new TaskSpec(l.name(), l.image(), l.argument(), dataMapping(l, layout.dataBase(), dataBytes)));
            }
            return new BuiltVm(kernel, source, sourceDescription);
        } catch (RuntimeException e) {
            if (table != null) {
                table.close();
            }
            vm.close();
            throw e;
        }
    }

    /**
     * The CPU model of a new VM: the one it names, else the one its snapshot source was taken under, else the
     * configured default. A catalogue model is built for the VM's vCPU count; {@code host} comes from the backend, or
     * from the snapshot as it was recorded.
     */
    private CpuModel cpuModel(VmDefinition def, VirtualizationBackend backend) throws IOException {
        String name = def.cpuModel();
        if (name == null && def.dataSource() != null) {
            Optional<CpuModel> recorded = def.dataSource().cpuModel();
            if (recorded.isPresent() && recorded.get().name().equals(CpuModels.HOST)) {
                return recorded.get();
            }
            name = recorded.map(CpuModel::name).orElse(null);
        }
        if (name == null) {
            name = defaults.cpuModel();
        }
        if (name.equals(CpuModels.HOST)) {
            return backend.hostCpuModel(def.vcpus()).orElseThrow(() -> new IllegalArgumentException("CPU model 'host' is"
                    + " the host's CPU as KVM passes it through; backend '" + backend.name() + "' has none (choose --backend"
                    + " kvm, or one of " + CpuModels.NAMES + ")"));
        }
        return CpuModels.named(name, def.vcpus());
    }

    /** The part of the data region ({@code dataBytes} long at {@code dataBase}) task {@code l} sees, or null for none. */
    private static TaskSpec.DataMapping dataMapping(VmDefinition.Launch l, long dataBase, long dataBytes) {
        if (l.dataSlice() < 0 || dataBytes == 0) {
            return null;
        }
        if (l.slices() == 1) {
            return new TaskSpec.DataMapping(dataBase, (dataBytes + 4095) & -4096L, dataBytes);
        }
        long slice = (dataBytes / l.slices()) & -4096L;
        if (slice == 0) {
            throw new IllegalArgumentException("data region of " + dataBytes + " bytes is too small for "
                    + l.slices() + " slices of whole pages");
        }
        return new TaskSpec.DataMapping(dataBase + slice * l.dataSlice(), slice, slice);
    }
}
