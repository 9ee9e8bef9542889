package org.paravane.vmm.manager;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.SleeperTableFactory;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.TaskSpec;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.source.RegionPageSource;
import org.paravane.vmm.source.SnapshotWriter;

/**
 * Runs guest kernels on whatever backends are registered. Backends come and go while VMs run: when the backend of a
 * VM leaves, the VM moves to another usable backend with its complete state, or is parked in memory until one
 * appears. Defaults come from Config Admin (PID {@value VmmConfig#PID}); an invalid configuration is refused with a
 * log line and the previous one stays in force.
 */
@Component(service = VmManager.class, configurationPid = VmmConfig.PID)
@Designate(ocd = VmmConfig.class)
public class VmManager {
    private static final Logger LOG = Logger.getLogger(VmManager.class.getName());

    /** Guest-physical address of a VM's data region (4 GiB: above any RAM size the kernel uses). */
    public static final long DATA_BASE = 0x1_0000_0000L;

    private final BundleContext context;
    private final List<BackendEntry> backends = new CopyOnWriteArrayList<>();
    private final Map<String, ManagedVm> vms = new ConcurrentHashMap<>();
    private final AtomicInteger nextVm = new AtomicInteger(1);
    private final Object lifecycle = new Object();
    /**
     * Serializes where VMs run: moves when a backend leaves, parks, resumes when one comes. Without it a VM resumed on a
     * backend that is just leaving would keep running on that bundle's old classes.
     */
    private final Object placement = new Object();
    private volatile Settings settings = Settings.DEFAULTS;

    @Reference(target = "(" + PageFaultHandler.SIDE + "=guest)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PageFaultHandler guestHandler;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SleeperTableFactory sleeperTables;

    private record BackendEntry(VirtualizationBackend backend, String name, boolean usable, String reason, int ranking) {
    }

    /**
     * Takes the raw properties, not a {@link VmmConfig}: Declarative Services would convert {@code memoryMiB=abc} to an
     * int before this code runs and fail with a stack trace instead of the message {@link Settings} gives.
     */
    @Activate
    public VmManager(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties);
    }

    private void apply(Map<String, Object> properties) {
        try {
            settings = Settings.of(properties, backends.stream().map(BackendEntry::name).toList());
        } catch (IllegalArgumentException e) {
            LOG.warning(e.getMessage() + "; keeping the previous configuration");
        }
    }

    public Settings settings() {
        return settings;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addBackend(VirtualizationBackend backend, Map<String, Object> props) {
        BackendEntry entry = new BackendEntry(backend, String.valueOf(props.get(VirtualizationBackend.NAME)),
                Boolean.TRUE.equals(props.get(VirtualizationBackend.USABLE)),
                String.valueOf(props.getOrDefault(VirtualizationBackend.UNUSABLE_REASON, "")),
                props.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0);
        backends.add(entry);
        if (entry.usable()) {
            Thread.ofVirtual().name("paravane-unpark").start(this::unparkAll);
        }
    }

    void removeBackend(VirtualizationBackend backend) {
        synchronized (placement) {
            moveOff(backend);
        }
    }

    private void moveOff(VirtualizationBackend backend) {
        BackendEntry gone = backends.stream().filter(e -> e.backend() == backend).findFirst().orElse(null);
        if (gone == null) {
            return;
        }
        backends.remove(gone);
        // Runs while the backend's bundle stops: its VMs are still usable until this returns.
        for (ManagedVm vm : vms.values()) {
            if (vm.state == ManagedVm.State.RUNNING && vm.backend.equals(gone.name())) {
                Optional<BackendEntry> target = pick(null);   // another instance of the same name will do
                try {
                    if (target.isPresent()) {
                        migrate(vm, target.get());
                    } else {
                        park(vm);
                    }
                } catch (RuntimeException | InterruptedException e) {
                    fail(vm, "backend " + gone.name() + " left and the VM could not be moved: " + e.getMessage(), e);
                }
            }
        }
    }

    /** The usable backend named {@code name}, the configured default, or any usable one. */
    private Optional<BackendEntry> pick(String name) {
        List<BackendEntry> usable = backends.stream().filter(BackendEntry::usable)
                .sorted(Comparator.comparingInt(BackendEntry::ranking).reversed()).toList();
        String wanted = name != null ? name : settings.defaultBackend();
        if (!wanted.equals("auto")) {
            Optional<BackendEntry> exact = usable.stream().filter(e -> e.name().equals(wanted)).findFirst();
            if (exact.isPresent() || name != null) {
                return exact;
            }
        }
        return usable.stream().filter(e -> e.backend().capabilities().hardwareAccelerated()).findFirst()
                .or(() -> usable.stream().findFirst());
    }

    /** Names of the registered backends with whether each is usable, for messages. */
    public String describeBackends() {
        if (backends.isEmpty()) {
            return "no backend is registered";
        }
        return backends.stream().map(e -> e.name() + (e.usable() ? "" : " (unusable: " + e.reason() + ")"))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    public List<String> usableBackends() {
        return backends.stream().filter(BackendEntry::usable).map(BackendEntry::name).distinct().toList();
    }

    /**
     * Creates and starts a VM running {@code def}'s tasks.
     *
     * @throws IllegalArgumentException for a definition that cannot run (unknown backend, bad size, too many VMs)
     * @throws BackendException         when the backend cannot create the VM
     */
    public ManagedVm run(VmDefinition def, KernelConfig.Console console) throws IOException {
        synchronized (placement) {   // a backend leaving now must see this VM, or this VM must not pick it
            return runLocked(def, console);
        }
    }

    private ManagedVm runLocked(VmDefinition def, KernelConfig.Console console) throws IOException {
        Settings s = settings;
        synchronized (lifecycle) {
            long active = vms.values().stream().filter(ManagedVm::isActive).count();
            if (active >= s.maxVms()) {
                throw new IllegalArgumentException("already " + active + " VMs running (maxVms = " + s.maxVms() + ")");
            }
        }
        String name = def.name() != null ? def.name() : "vm" + nextVm.getAndIncrement();
        if (vms.containsKey(name) && vms.get(name).isActive()) {
            throw new IllegalArgumentException("a VM named '" + name + "' is already running");
        }
        BackendEntry backend = pick(def.backend()).orElseThrow(() -> new IllegalArgumentException(
                def.backend() == null ? "no usable backend (" + describeBackends() + ")"
                        : "backend '" + def.backend() + "' is not available or not usable (" + describeBackends() + ")"));
        int memoryMiB = def.memoryMiB() != null ? def.memoryMiB() : s.memoryMiB();
        if (memoryMiB < 4 || memoryMiB > s.maxMemoryMiB()) {
            throw new IllegalArgumentException("memory must be 4 MiB .. " + s.maxMemoryMiB() + " MiB (the per-VM limit maxMemoryMiB of "
                    + VmmConfig.PID + "), got " + memoryMiB + " MiB");
        }
        if (def.vcpus() > s.maxVcpus()) {
            throw new IllegalArgumentException("a VM may have at most " + s.maxVcpus() + " vCPUs (the per-VM limit maxVcpus of "
                    + VmmConfig.PID + "), got " + def.vcpus());
        }
        List<MemoryRegion> regions = new ArrayList<>();
        regions.add(new MemoryRegion("ram", 0, (long) memoryMiB << 20, false));
        PageSource source = PageSource.ZERO;
        long dataBytes = 0;
        String sourceDescription = "-";
        if (def.dataSource() != null) {
            long own = def.dataSource().contentLength();
            dataBytes = def.dataBytes() > 0 ? def.dataBytes() : own;
            if (dataBytes <= 0) {
                throw new IllegalArgumentException("data region size is needed for page source " + def.dataSource()
                        + " (give --data-size)");
            }
            long size = (dataBytes + (2 << 20) - 1) & -(2L << 20);
            regions.add(new MemoryRegion("data", DATA_BASE, size, true));
            PageSource data = def.dataSource().open(DATA_BASE);
            source = new RegionPageSource(List.of(new RegionPageSource.Range(DATA_BASE, size, data)));
            sourceDescription = data.describe();
        }
        KernelConfig config = new KernelConfig(def.preemption() != null ? def.preemption() : s.preemption(),
                def.waitPolicy() != null ? def.waitPolicy() : s.waitPolicy(),
                def.timeSliceMicros() != null ? def.timeSliceMicros() : s.timeSliceMicros(), console);
        // "off" is the baseline: the host does no async page faults for this VM at all.
        VmSpec spec = new VmSpec(name, def.vcpus(), regions, source, config.waitPolicy() != WaitPolicy.OFF);
        VirtualMachine vm = backend.backend().createVm(spec);
        SleeperTableFactory tables = sleeperTables;
        SleeperTable table = tables == null ? null : tables.create(name);
        GuestKernel kernel;
        try {
            kernel = new GuestKernel(vm, config, table, () -> guestHandler);
            for (VmDefinition.Launch l : def.tasks()) {
                TaskSpec.DataMapping mapping = null;
                if (l.dataSlice() >= 0 && dataBytes > 0) {
                    if (l.slices() == 1) {
                        mapping = new TaskSpec.DataMapping(DATA_BASE, (dataBytes + 4095) & -4096L, dataBytes);
                    } else {
                        long slice = (dataBytes / l.slices()) & -4096L;
                        if (slice == 0) {
                            throw new IllegalArgumentException("data region of " + dataBytes + " bytes is too small for "
                                    + l.slices() + " slices of whole pages");
                        }
                        mapping = new TaskSpec.DataMapping(DATA_BASE + slice * l.dataSlice(), slice, slice);
                    }
                }
                kernel.launch(new TaskSpec(l.name(), l.image(), l.argument(), mapping));
            }
        } catch (RuntimeException e) {
            if (table != null) {
                table.close();
            }
            vm.close();
            throw e;
        }
        ManagedVm managed = new ManagedVm(name, def, kernel, backend.name(), sourceDescription);
        vms.put(name, managed);
        managed.sourceRegistration = registerSource(managed, source);
        kernel.start();
        Thread.ofVirtual().name("paravane-" + name + "-watch").start(() -> watch(managed));
        return managed;
    }

    /** The VM's page source as a service, so the wiring shows which source feeds which VM. */
    private org.osgi.framework.ServiceRegistration<PageSource> registerSource(ManagedVm vm, PageSource source) {
        if (source == PageSource.ZERO) {
            return null;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PageSource.NAME, vm.name() + "-data");
        props.put("vm.name", vm.name());
        props.put("source.description", vm.pageSource());
        try {
            return context.registerService(PageSource.class, source, props);
        } catch (IllegalStateException e) {
            return null;   // the bundle is stopping
        }
    }

    /** Ends the VM when its tasks are done or its guest panicked. */
    private void watch(ManagedVm vm) {
        try {
            while (vm.isActive()) {
                GuestKernel kernel = vm.kernel();
                if (kernel.panicReport() != null) {
                    fail(vm, "guest panic: " + kernel.panicReport(), null);
                    return;
                }
                if (vm.state == ManagedVm.State.RUNNING && kernel.tasks().stream()
                        .allMatch(t -> t.state() == org.paravane.vmm.kernel.Task.State.EXITED)) {
                    end(vm, ManagedVm.State.FINISHED, null);
                    return;
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fail(ManagedVm vm, String why, Throwable cause) {
        LOG.log(Level.SEVERE, "VM " + vm.name() + ": " + why, cause);
        end(vm, ManagedVm.State.FAILED, why);
    }

    /** Stops the kernel, releases the backend's VM, keeps the record (outputs, stats). */
    private void end(ManagedVm vm, ManagedVm.State state, String failure) {
        synchronized (vm) {   // not while it moves or parks (see migrate)
            endLocked(vm, state, failure);
        }
    }

    private void endLocked(ManagedVm vm, ManagedVm.State state, String failure) {
        synchronized (lifecycle) {
            if (!vm.isActive()) {
                return;
            }
            vm.failure = failure;
            vm.state = state;
            vm.ended = Instant.now();
        }
        vm.kernel().stop();   // also closes the guest's sleeper table: no waiter outlives the VM
        if (vm.parked == null) {
            try {
                vm.finalVcpuStats = vm.kernel().vm().vcpus().stream().map(v -> v.stats()).toList();
                vm.finalMemoryStats = vm.kernel().vm().memory().stats();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "final stats of VM " + vm.name(), e);
            }
        }
        MachineImage parked = vm.parked;
        if (parked != null) {
            parked.close();
            vm.parked = null;
        } else {
            try {
                vm.kernel().vm().close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing VM " + vm.name(), e);
            }
        }
        if (vm.sourceRegistration != null) {
            try {
                vm.sourceRegistration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }

    public Collection<ManagedVm> vms() {
        return vms.values().stream().sorted(Comparator.comparing(ManagedVm::name)).toList();
    }

    public ManagedVm vm(String name) {
        ManagedVm vm = vms.get(name);
        if (vm == null) {
            throw new IllegalArgumentException("no VM named '" + name + "'" + (vms.isEmpty() ? "" : " (VMs: "
                    + String.join(", ", vms.keySet().stream().sorted().toList()) + ")"));
        }
        return vm;
    }

    public void stop(String name) {
        end(vm(name), ManagedVm.State.STOPPED, null);
    }

    /** Forgets {@code name} if it has ended (its outputs and stats go with it). */
    public void forget(String name) {
        ManagedVm vm = vms.get(name);
        if (vm != null && !vm.isActive()) {
            vms.remove(name, vm);
        }
    }

    /** Forgets VMs that have ended. */
    public int prune() {
        int n = 0;
        for (ManagedVm vm : List.copyOf(vms.values())) {
            if (!vm.isActive() && vms.remove(vm.name(), vm)) {
                n++;
            }
        }
        return n;
    }

    /** Moves a running VM to {@code backendName} with its complete state. */
    public void migrate(String name, String backendName) throws InterruptedException {
        synchronized (placement) {
            migrateLocked(name, backendName);
        }
    }

    private void migrateLocked(String name, String backendName) throws InterruptedException {
        ManagedVm vm = vm(name);
        BackendEntry target = pick(backendName).orElseThrow(() -> new IllegalArgumentException(
                "backend '" + backendName + "' is not available or not usable (" + describeBackends() + ")"));
        if (!migrate(vm, target)) {
            throw new IllegalArgumentException("VM '" + name + "' is " + vm.state + ", not running");
        }
    }

    /**
     * Moves {@code vm} to {@code target}; false when it is no longer running. Every change of where a VM is, and its
     * end, holds the VM's monitor: a VM whose tasks finish while it moves ends after the move, never halfway through.
     */
    private boolean migrate(ManagedVm vm, BackendEntry target) throws InterruptedException {
        synchronized (vm) {
            if (vm.state != ManagedVm.State.RUNNING) {
                return false;
            }
            GuestKernel kernel = vm.kernel();
            vm.state = ManagedVm.State.MIGRATING;
            kernel.pause();
            VirtualMachine old = kernel.vm();
            try (MachineImage image = MachineImage.capture(old)) {
                VirtualMachine moved = image.restore(target.backend());
                kernel.replaceVm(moved);
                old.close();
                vm.backend = target.name();
                vm.migrations++;
                LOG.info("VM " + vm.name() + " moved to backend " + target.name() + " (" + image.presentBytes() / 1024
                        + " KiB of present memory)");
            } finally {
                vm.state = ManagedVm.State.RUNNING;
                kernel.resume();
            }
            return true;
        }
    }

    /** No usable backend left: keep the VM's state in memory until one appears. */
    private void park(ManagedVm vm) throws InterruptedException {
        synchronized (vm) {
            if (vm.state != ManagedVm.State.RUNNING) {
                return;   // it ended meanwhile
            }
            vm.kernel().pause();
            VirtualMachine old = vm.kernel().vm();
            vm.parked = MachineImage.capture(old);
            old.close();
            vm.state = ManagedVm.State.PARKED;
            LOG.warning("VM " + vm.name() + " is parked: its backend " + vm.backend + " left and no other usable backend"
                    + " is registered; it resumes when one appears");
        }
    }

    private void unparkAll() {
        synchronized (placement) {
            unparkAllLocked();
        }
    }

    private void unparkAllLocked() {
        for (ManagedVm vm : vms.values()) {
            if (vm.state != ManagedVm.State.PARKED) {
                continue;
            }
            synchronized (vm) {
                Optional<BackendEntry> target = pick(null);
                MachineImage image = vm.parked;
                if (target.isEmpty() || image == null || vm.state != ManagedVm.State.PARKED) {
                    continue;
                }
                try {
                    vm.kernel().replaceVm(image.restore(target.get().backend()));
                    vm.parked = null;
                    image.close();
                    vm.backend = target.get().name();
                    vm.migrations++;
                    vm.state = ManagedVm.State.RUNNING;
                    vm.kernel().resume();
                    LOG.info("VM " + vm.name() + " resumed on backend " + vm.backend);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "VM " + vm.name() + " could not resume on " + target.get().name(), e);
                }
            }
        }
    }

    /**
     * Writes the VM's memory to {@code file}. The vCPUs are paused only while the present pages are copied; pages the VM
     * has not fetched yet are then read from its page source, in parallel chunks, while it runs on.
     *
     * @param force replace {@code file} even when it is a regular file that is not a snapshot
     * @return the size of the snapshot file
     */
    public long snapshot(String name, Path file, boolean force) throws IOException, InterruptedException {
        ManagedVm vm = vm(name);
        SnapshotWriter writer;
        synchronized (vm) {
            if (vm.state != ManagedVm.State.RUNNING) {
                throw new IllegalArgumentException("VM '" + name + "' is " + vm.state + "; only a running VM can be snapshot");
            }
            vm.kernel().pause();
            try {
                writer = SnapshotWriter.begin(file, force, name, vm.kernel().vm().memory());
            } finally {
                vm.kernel().resume();
            }
        }
        try (writer) {
            return writer.finish();
        }
    }

    @Deactivate
    void deactivate() {
        for (ManagedVm vm : vms.values()) {
            end(vm, ManagedVm.State.STOPPED, null);
        }
    }

}
