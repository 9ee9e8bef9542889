package org.paravane.kvm;

import java.util.Hashtable;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.paravane.api.backend.BackendCapabilities;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.CpuModel;
import org.paravane.kvm.host.HostProbe;
import org.paravane.kvm.host.HostSupport;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.kvm.ioctls.Kvm;
import org.paravane.kvm.vstate.vm.KvmVm;

/**
 * The KVM {@link VirtualizationBackend}: probes the host once, then creates {@link KvmVm}s with the current settings.
 * On a host where KVM cannot work it still exists, unusable, with the reason.
 */
public final class KvmBackend implements VirtualizationBackend, AutoCloseable {
    public static final String NAME = "kvm";

    private record Host(KvmSettings settings, HostSupport support, Kvm kvm) {
        boolean usable() {
            return support.usable();
        }

        String reason() {
            return support.reason();
        }
    }

    private final Set<KvmVm> vms = ConcurrentHashMap.newKeySet();
    private volatile Host host;

    /** Probes the host with {@code settings}. */
    public KvmBackend(KvmSettings settings) {
        this.host = probe(settings);
    }

    private static Host probe(KvmSettings settings) {
        HostProbe.Result r = HostProbe.probe(settings);
        return new Host(settings, r.support(), r.kvm());
    }

    /**
     * Applies new settings to VMs created from now on; re-probes when they change what the probe found (kick signal,
     * async-PF mode).
     */
    public synchronized void reconfigure(KvmSettings settings) {
        Host old = host;
        boolean reprobe = old.kvm() == null || settings.kickSignal() != old.settings().kickSignal()
                || settings.asyncPageFaults() != old.settings().asyncPageFaults();
        if (reprobe) {
            host = probe(settings);
            if (old.kvm() != null) {
                old.kvm().close();
            }
        } else {
            host = new Host(settings, old.support(), old.kvm());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    public boolean usable() {
        return host.usable();
    }

    /** One line why the backend cannot work here (empty when it can). */
    public String unusableReason() {
        return host.usable() ? "" : host.reason();
    }

    public HostSupport hostSupport() {
        return host.support();
    }

    public KvmSettings settings() {
        return host.settings();
    }

    @Override
    public BackendCapabilities capabilities() {
        Host h = host;
        HostSupport s = h.support();
        if (!h.usable()) {
            return new BackendCapabilities(true, false, false, false, false, 0, "unusable: " + h.reason());
        }
        return new BackendCapabilities(true, s.kernelAsyncPf() && h.settings().asyncPageFaults() == KvmSettings.AsyncPfMode.AUTO,
                s.userfaultfd(), s.singleStep(), false, s.maxVcpus(), s.detail() + "; chunk " + h.settings().chunkBytes() / 1024
                + " KiB, memory mode " + h.settings().memoryMode());
    }

    @Override
    public Optional<CpuModel> supportedCpu() {
        Host h = host;
        return h.usable() ? Optional.of(h.support().hostCpu()) : Optional.empty();
    }

    /** KVM_GET_SUPPORTED_CPUID, with the host's own topology leaves as KVM reports them. */
    @Override
    public Optional<CpuModel> hostCpuModel(int vcpus) {
        return supportedCpu();
    }

    /**
     * The VM's {@code kvm.*} backend options: KVM has none yet, so any is refused (a misspelt option must not pass
     * silently); other backends' options are theirs. Checked before the host, since they are wrong on any host.
     */
    private static void checkOptions(VmSpec spec) {
        var own = spec.backendOptions(NAME);
        if (!own.isEmpty()) {
            var first = own.firstEntry();
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name()
                    + "': unknown backend option " + NAME + "." + first.getKey() + "=" + first.getValue()
                    + " (the KVM backend has no options)");
        }
    }

    /** The service properties: name, usability and, when unusable, why. */
    public Hashtable<String, Object> serviceProperties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(VirtualizationBackend.NAME, NAME);
        p.put(VirtualizationBackend.USABLE, usable());
        if (!usable()) {
            p.put(VirtualizationBackend.UNUSABLE_REASON, unusableReason());
        } else {
            p.put("kvm.hypervisor", host.support().hypervisor());
            p.put("kvm.asyncpf", host.support().kernelAsyncPf() ? "kernel" : "synchronous");
        }
        return p;
    }

    @Override
    public VirtualMachine createVm(VmSpec spec) {
        checkOptions(spec);
        Host h = host;
        if (!h.usable()) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "the KVM backend cannot run VMs here: " + h.reason());
        }
        synchronized (vms) {
            for (KvmVm vm : vms) {
                if (vm.spec().name().equals(spec.name())) {
                    throw new BackendException(BackendException.Reason.INVALID_REQUEST, "a VM named '" + spec.name()
                            + "' is already running on the KVM backend; VM names are unique");
                }
            }
            KvmVm[] self = new KvmVm[1];
            KvmVm vm = KvmVm.create(h.kvm(), h.support(), h.settings(), spec, NAME, () -> vms.remove(self[0]));
            self[0] = vm;
            vms.add(vm);
            return vm;
        }
    }

    /** Open VMs (for the shell and tests). */
    public Set<KvmVm> vms() {
        return Set.copyOf(vms);
    }

    /** Closes every VM this backend created and the KVM system fd. */
    @Override
    public synchronized void close() {
        for (KvmVm vm : Set.copyOf(vms)) {
            vm.close();
        }
        Host h = host;
        if (h.kvm() != null) {
            h.kvm().close();
        }
        host = new Host(h.settings(), HostSupport.unusable("the KVM backend was stopped"), null);
    }
}
