package org.paravane.vmm.manager;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
import org.paravane.api.asyncpf.SleeperTableFactory;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.build.VmBuilder;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.linux.fs.Console;

/**
 * Runs guest kernels on whatever backends are registered. Backends come and go while VMs run: when the backend of a
 * VM leaves, the VM moves to another usable backend with its complete state, or is parked in memory until one
 * appears ({@link Placement}). A VM is made by {@link VmBuilder} and owns its life ({@link ManagedVm}); this component
 * wires the services, holds the configuration and the table of VMs. Defaults come from Config Admin (PID
 * {@value VmmConfig#PID}); an invalid configuration is refused with a log line and the previous one stays in force.
 */
@Component(service = VmManager.class, configurationPid = VmmConfig.PID)
@Designate(ocd = VmmConfig.class)
public class VmManager {
    private static final Logger LOG = Logger.getLogger(VmManager.class.getName());

    /** Lines of console output kept per VM (see {@link ConsoleLog}). */
    static final int CONSOLE_LINES = 1000;

    private final BundleContext context;
    private final Map<String, ManagedVm> vms = new ConcurrentHashMap<>();
    private final AtomicInteger nextVm = new AtomicInteger(1);
    private volatile Settings settings = Settings.DEFAULTS;
    private final Placement placement = new Placement(vms::values, () -> settings.defaultBackend());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PageFaultHandler guestHandler;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SleeperTableFactory sleeperTables;

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
            settings = Settings.of(properties, placement.registeredNames());
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
        placement.added(Placement.Backend.of(backend, props));
    }

    void removeBackend(VirtualizationBackend backend) {
        placement.leaving(backend);
    }

    /** Names of the registered backends with whether each is usable, for messages. */
    public String describeBackends() {
        return placement.describe();
    }

    public List<String> usableBackends() {
        return placement.usableNames();
    }

    /**
     * Creates and starts a VM running {@code def}'s tasks.
     *
     * @throws IllegalArgumentException for a definition that cannot run (unknown backend, bad size, too many VMs)
     * @throws BackendException         when the backend cannot create the VM
     */
    public ManagedVm run(VmDefinition def, KernelConfig.Console console) throws IOException {
        Settings s = settings;
        s.checkLimits(def);
        VmBuilder builder = new VmBuilder(s.vmDefaults(), sleeperTables, () -> guestHandler);
        // Under the placement lock: the name and the count hold until the VM is in the table.
        return placement.placeNew(def.backend(), backend -> {
            long active = vms.values().stream().filter(ManagedVm::isActive).count();
            if (active >= s.maxVms()) {
                throw new IllegalArgumentException("already " + active + " VMs running (maxVms = " + s.maxVms() + ")");
            }
            String name = def.name() != null ? def.name() : automaticName();
            ManagedVm same = vms.get(name);
            if (same != null && same.isActive()) {
                throw new IllegalArgumentException("a VM named '" + name + "' is already running");
            }
            ConsoleLog log = new ConsoleLog(CONSOLE_LINES);
            VmBuilder.BuiltVm built = builder.build(name, logged(def, log, settings.maxProcesses()), backend.service(), (task, text) -> {
                log.write(text);   // kept also while nobody watches (detached VMs)
                console.write(task, text);
            });
            ManagedVm vm = new ManagedVm(name, def, built.kernel(), backend.name(), built.sourceDescription(), log);
            vms.put(name, vm);
            ServiceRegistration<PageSource> source = registerSource(vm, built.dataSource());
            vm.ended().thenRun(() -> {
                if (source != null) {
                    unregister(source);
                }
                log.close();
                VmHistory.beyond(vms.values(), settings.historySize()).forEach(old -> vms.remove(old.name(), old));
            });
            vm.start();
            return vm;
        });
    }

    /**
     * {@code def} with its Linux processes' stdout and stderr also written to {@code log} (for a detached VM, only
     * there), as the output of Paravane tasks is; a long write costs the log a scan, not a copy. Its processes are
     * limited to the manager's {@code maxProcesses}.
     */
    private static VmDefinition logged(VmDefinition def, ConsoleLog log, int maxProcesses) {
        if (def.linux() == null) {
            return def;
        }
        Console c = def.linux().console();
        OutputStream toLog = log.stream();
        Console teed = new Console(c.in(), new TeeOutputStream(c.out(), toLog), new TeeOutputStream(c.err(), toLog),
                c.terminal(), c.rows(), c.columns());
        return new VmDefinition(def.name(), def.backend(), def.vcpus(), def.memoryMiB(), def.dataSource(), def.dataBytes(),
                def.tasks(), def.waitPolicy(), def.preemption(), def.timeSliceMicros(), def.cpuModel(),
                new LinuxOptions(def.linux().files(), teed, def.linux().servedFiles(), maxProcesses), def.backendOptions());
    }

    /** vm1, vm2, ...: skips names a user gave ({@code --name vm60}) or an earlier VM still listed has. */
    private String automaticName() {
        String name;
        do {
            name = "vm" + nextVm.getAndIncrement();
        } while (vms.containsKey(name));
        return name;
    }

    /** The VM's page source as a service, so the wiring shows which source feeds which VM. */
    private ServiceRegistration<PageSource> registerSource(ManagedVm vm, PageSource source) {
        if (source == PageSource.ZERO || context == null) {
            return null;   // nothing to show, or no registry: a manager made outside OSGi (tests)
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

    private static void unregister(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
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
        vm(name).end(ManagedVm.State.STOPPED, null);
    }

    /**
     * Asks a running VM to end (its ABI decides how: Linux processes get SIGTERM) and stops it at once if it has not
     * ended within {@code grace}, so a program that ignores the request is still stopped; the VM's end state
     * (FINISHED when its programs ended by themselves).
     */
    public ManagedVm.State shutdown(String name, Duration grace) throws InterruptedException {
        ManagedVm vm = vm(name);
        if (!vm.isActive()) {
            throw new IllegalArgumentException("VM '" + name + "' has already ended (" + vm.state() + ")");
        }
        if (!vm.kernel().requestTermination() || !vm.awaitEnd(grace)) {
            vm.end(ManagedVm.State.STOPPED, null);
        }
        return vm.awaitEnd();
    }

    /** Forgets {@code name} if it has ended (its outputs and stats go with it). */
    public void forget(String name) {
        ManagedVm vm = vms.get(name);
        if (vm != null && !vm.isActive()) {
            vms.remove(name, vm);
        }
    }

    /** Forgets VMs that have ended ({@code paravane:vms --clear}); the number forgotten. */
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
        placement.migrate(vm(name), backendName);
    }

    /**
     * Writes the VM's memory to {@code file}. The vCPUs are paused only while the present pages are copied; pages the VM
     * has not fetched yet are then read from its page source, in parallel chunks, while it runs on.
     *
     * @param force replace {@code file} even when it is a regular file that is not a snapshot
     * @return the size of the snapshot file
     */
    public long snapshot(String name, Path file, boolean force) throws IOException, InterruptedException {
        return vm(name).snapshot(file, force);
    }

    /** Test seam: where VMs run. */
    Placement placement() {
        return placement;
    }

    @Deactivate
    void deactivate() {
        for (ManagedVm vm : vms.values()) {
            vm.end(ManagedVm.State.STOPPED, null);
        }
    }

}
