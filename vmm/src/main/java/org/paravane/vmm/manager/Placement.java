package org.paravane.vmm.manager;

import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Constants;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.cpu.CpuModel;

/**
 * Where VMs run: the registered backends, the choice of one for a new VM, and every move — off a backend that leaves,
 * to a backend a user names, into a park when no usable backend is left and out of it when one comes. One lock
 * serializes all of it (see {@link ManagedVm} for the lock order): without it a VM resumed on a backend that is just
 * leaving would keep running on that bundle's old classes, and a VM created while a backend leaves could pick it.
 */
final class Placement {
    private static final Logger LOG = Logger.getLogger(Placement.class.getName());

    /** A registered backend service as its properties describe it. */
    record Backend(VirtualizationBackend service, String name, boolean usable, String reason, int ranking) {
        static Backend of(VirtualizationBackend service, Map<String, Object> props) {
            return new Backend(service, String.valueOf(props.get(VirtualizationBackend.NAME)),
                    Boolean.TRUE.equals(props.get(VirtualizationBackend.USABLE)),
                    String.valueOf(props.getOrDefault(VirtualizationBackend.UNUSABLE_REASON, "")),
                    props.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0);
        }
    }

    private final Object lock = new Object();
    private final List<Backend> backends = new CopyOnWriteArrayList<>();
    private final Supplier<Collection<ManagedVm>> vms;
    private final Supplier<String> defaultBackend;
    /** Test seam: runs when a leaving backend's VM was found running, before it is moved or parked. */
    private volatile Consumer<ManagedVm> beforeMovingOff = vm -> {
    };

    /**
     * @param vms            the manager's VMs as they are now
     * @param defaultBackend the configured default backend name, or "auto"
     */
    Placement(Supplier<Collection<ManagedVm>> vms, Supplier<String> defaultBackend) {
        this.vms = vms;
        this.defaultBackend = defaultBackend;
    }

    /** A backend was registered; a usable one resumes parked VMs (on a thread of its own, not in the caller's). */
    void added(Backend backend) {
        backends.add(backend);
        if (backend.usable()) {
            Thread.ofVirtual().name("paravane-unpark").start(this::unparkAll);
        }
    }

    /**
     * A backend is leaving (its bundle stops): its VMs move to another usable backend, or park when there is none.
     * Runs before the service goes, so its VMs are still usable until this returns.
     */
    void leaving(VirtualizationBackend service) {
        synchronized (lock) {
            Backend gone = backends.stream().filter(e -> e.service() == service).findFirst().orElse(null);
            if (gone == null) {
                return;
            }
            backends.remove(gone);
            boolean interrupted = false;
            for (ManagedVm vm : vms.get()) {
                if (vm.state() == ManagedVm.State.RUNNING && vm.backend().equals(gone.name())) {
                    beforeMovingOff.accept(vm);
                    interrupted |= !moveOff(vm, gone);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();   // after every VM had its turn
            }
        }
    }

    /** Moves or parks {@code vm}; a VM that cannot be moved fails. False when interrupted. */
    private boolean moveOff(ManagedVm vm, Backend gone) {
        Optional<Backend> target = pick(null);   // another instance of the same name will do
        if (target.isPresent() && !missingCpuFeatures(vm, target.get()).isEmpty()) {
            LOG.warning("VM " + vm.name() + " cannot move to " + target.get().name() + ", which lacks "
                    + missingCpuFeatures(vm, target.get()) + " of its CPU model; it is parked instead");
            target = Optional.empty();
        }
        try {
            if (target.isPresent()) {
                vm.migrate(target.get().name(), target.get().service());
            } else {
                vm.park();
            }
            return true;
        } catch (RuntimeException | InterruptedException e) {
            vm.fail("backend " + gone.name() + " left and the VM could not be moved: " + e.getMessage(), e);
            return !(e instanceof InterruptedException);
        }
    }

    /**
     * Picks the backend for a new VM ({@code name}, or the default when null) and calls {@code create} with it under
     * the placement lock, so a backend that leaves meanwhile sees the new VM.
     */
    <T> T placeNew(String name, Creation<T> create) throws IOException {
        synchronized (lock) {
            Backend backend = pick(name).orElseThrow(() -> new IllegalArgumentException(
                    name == null ? "no usable backend (" + describe() + ")"
                            : "backend '" + name + "' is not available or not usable (" + describe() + ")"));
            return create.on(backend);
        }
    }

    /** The features of {@code vm}'s CPU model that {@code target} cannot present (all of them when it cannot say). */
    private static List<String> missingCpuFeatures(ManagedVm vm, Backend target) {
        CpuModel model = vm.cpuModel();
        return target.service().supportedCpu().map(model::featuresMissingFrom)
                .orElse(List.of("every feature (the backend reports no CPU)"));
    }

    /** Moves a running VM to the backend named {@code backendName}. */
    void migrate(ManagedVm vm, String backendName) throws InterruptedException {
        synchronized (lock) {
            Backend target = pick(backendName).orElseThrow(() -> new IllegalArgumentException(
                    "backend '" + backendName + "' is not available or not usable (" + describe() + ")"));
            if (vm.state() == ManagedVm.State.RUNNING && target.name().equals(vm.backend())) {
                throw new IllegalArgumentException("VM '" + vm.name() + "' already runs on " + target.name());
            }
            List<String> missing = missingCpuFeatures(vm, target);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("VM '" + vm.name() + "' cannot move to " + target.name() + ": its CPU model '"
                        + vm.cpuModel().name() + "' has " + String.join(", ", missing) + ", which " + target.name()
                        + " cannot present");
            }
            if (!vm.migrate(target.name(), target.service())) {
                throw new IllegalArgumentException("VM '" + vm.name() + "' is " + vm.state() + ", not running");
            }
        }
    }

    private void unparkAll() {
        synchronized (lock) {
            for (ManagedVm vm : vms.get()) {
                if (vm.state() != ManagedVm.State.PARKED) {
                    continue;
                }
                Optional<Backend> target = pick(null);
                if (target.isEmpty()) {
                    return;
                }
                try {
                    vm.unpark(target.get().name(), target.get().service());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "VM " + vm.name() + " could not resume on " + target.get().name(), e);
                }
            }
        }
    }

    /** The usable backend named {@code name}, the configured default, or any usable one (hardware first). */
    private Optional<Backend> pick(String name) {
        List<Backend> usable = backends.stream().filter(Backend::usable)
                .sorted(Comparator.comparingInt(Backend::ranking).reversed()).toList();
        String wanted = name != null ? name : defaultBackend.get();
        if (!wanted.equals("auto")) {
            Optional<Backend> exact = usable.stream().filter(e -> e.name().equals(wanted)).findFirst();
            if (exact.isPresent() || name != null) {
                return exact;
            }
        }
        return usable.stream().filter(e -> e.service().capabilities().hardwareAccelerated()).findFirst()
                .or(() -> usable.stream().findFirst());
    }

    /** Names of the registered backends with whether each is usable, for messages. */
    String describe() {
        if (backends.isEmpty()) {
            return "no backend is registered";
        }
        return backends.stream().map(e -> e.name() + (e.usable() ? "" : " (unusable: " + e.reason() + ")"))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Names of the registered backends, usable or not. */
    List<String> registeredNames() {
        return backends.stream().map(Backend::name).distinct().toList();
    }

    List<String> usableNames() {
        return backends.stream().filter(Backend::usable).map(Backend::name).distinct().toList();
    }

    /** What {@link #placeNew} does with the backend it picked. */
    @FunctionalInterface
    interface Creation<T> {
        T on(Backend backend) throws IOException;
    }

    /** Test seam: {@code hook} runs between finding a leaving backend's VM running and moving or parking it. */
    void beforeMovingOff(Consumer<ManagedVm> hook) {
        beforeMovingOff = hook;
    }
}
