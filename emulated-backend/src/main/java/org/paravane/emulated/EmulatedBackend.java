package org.paravane.emulated;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.backend.BackendCapabilities;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.CpuModel;
import org.paravane.emulated.cpu.Cpuid;
import org.paravane.emulated.cpu.translate.TranslationSettings;
import org.paravane.emulated.vstate.EmulatedVm;

/**
 * The software x86-64 CPU as a {@link VirtualizationBackend}: needs nothing from the host but memory, so it is always
 * usable. Host-absent guest pages go to the {@link AsyncPfHost} engine when one is registered (the best-ranked, and
 * VMs switch to a better one at their next instruction boundary); without one the vCPU threads fetch pages themselves.
 */
@Component(service = VirtualizationBackend.class, property = {
        VirtualizationBackend.NAME + "=" + EmulatedBackend.NAME,
        VirtualizationBackend.USABLE + ":Boolean=true"}, configurationPid = EmulatedBackend.PID)
@Designate(ocd = EmulatedConfiguration.class)
public final class EmulatedBackend implements VirtualizationBackend {

    public static final String NAME = "emulated";
    public static final String PID = "org.paravane.emulated";
    private static final System.Logger LOG = System.getLogger(EmulatedBackend.class.getName());
    /** Most vCPUs of one VM (each is a caller thread; the number only bounds bookkeeping). */
    public static final int MAX_VCPUS = 64;

    private final Set<EmulatedVm> vms = ConcurrentHashMap.newKeySet();
    private volatile AsyncPfHost engine;
    /** Translation settings for VMs created from now on (the defaults outside OSGi, system properties applied). */
    private volatile TranslationSettings translation = TranslationSettings.defaults();

    public EmulatedBackend() {
    }

    /** A backend with these translation settings (tests, benchmarks). */
    public EmulatedBackend(TranslationSettings translation) {
        this.translation = translation;
    }

    /**
     * Config Admin: takes the raw properties so that a bad value is logged by name and the previous settings stay
     * (a typed configuration would fail in Declarative Services with a stack trace).
     */
    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        // The component's own service properties come along with the configuration: not configuration keys.
        Map<String, Object> config = new java.util.HashMap<>(properties);
        config.remove(VirtualizationBackend.NAME);
        config.remove(VirtualizationBackend.USABLE);
        try {
            translation = TranslationSettings.of(config, TranslationSettings.defaults());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; keeping " + translation);
        }
    }

    public TranslationSettings translation() {
        return translation;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindAsyncPfHost(AsyncPfHost host) {
        engine = host;
        vms.forEach(vm -> vm.engineChanged(null));
    }

    public void unbindAsyncPfHost(AsyncPfHost host) {
        if (engine == host) {
            engine = null;
        }
        vms.forEach(vm -> vm.engineChanged(host));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendCapabilities capabilities() {
        AsyncPfHost e = engine;
        return new BackendCapabilities(false, false, true, true, true, MAX_VCPUS,
                "software x86-64 CPU (64-bit long mode; " + (translation.enabled() ? "hot blocks translated to "
                + "JVM bytecode after " + translation.threshold() + " runs" : "interpreted") + "); async PF: "
                        + (e == null ? "none bound (vCPU threads fetch absent pages)" : "Java host engine"));
    }

    @Override
    public Optional<CpuModel> supportedCpu() {
        return Optional.of(Cpuid.IMPLEMENTED);
    }

    @Override
    public VirtualMachine createVm(VmSpec spec) {
        if (spec.vcpus() > MAX_VCPUS) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name() + "' asks for "
                    + spec.vcpus() + " vCPUs; the emulated backend runs at most " + MAX_VCPUS);
        }
        List<String> missing = spec.cpuModel().featuresMissingFrom(Cpuid.IMPLEMENTED);
        if (!missing.isEmpty()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name() + "': the software "
                    + "CPU cannot present CPU model '" + spec.cpuModel().name() + "': it does not implement "
                    + String.join(", ", missing));
        }
        TranslationSettings settings = translation(spec);
        EmulatedVm[] self = new EmulatedVm[1];
        try {
            self[0] = new EmulatedVm(spec, NAME, () -> engine, () -> vms.remove(self[0]), settings);
        } catch (RuntimeException e) {
            throw new BackendException(BackendException.Reason.RESOURCES, "VM '" + spec.name() + "': cannot map "
                    + (spec.memorySize() >> 20) + " MiB of guest memory: " + e.getMessage(), null, e);
        }
        vms.add(self[0]);
        return self[0];
    }

    /**
     * The VM's translation settings: the configured ones with its {@code emulated.*} backend options on top (other
     * backends' options are theirs). An unknown or invalid option of ours refuses the VM, naming key and value.
     */
    private TranslationSettings translation(VmSpec spec) {
        TranslationSettings configured = translation;
        Map<String, String> own = new java.util.TreeMap<>();
        spec.backendOptions().forEach((key, value) -> {
            if (key.startsWith(NAME + ".")) {
                if (!TranslationSettings.KEYS.contains(key.substring(NAME.length() + 1))) {
                    throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name()
                            + "': unknown backend option " + key + "=" + value + " (the emulated backend's options: "
                            + String.join(", ", TranslationSettings.KEYS.stream().map(k -> NAME + "." + k).toList()) + ")");
                }
                own.put(key, value);
            }
        });
        try {
            return own.isEmpty() ? configured
                    : TranslationSettings.of("of VM '" + spec.name() + "' (backend options)", NAME + ".", own, configured);
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "emulated backend (" + vms.size() + " VMs)";
    }
}
