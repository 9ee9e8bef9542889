package org.paravane.difftest;

import java.util.Optional;
import java.util.ServiceLoader;
import org.paravane.api.backend.VirtualizationBackend;

/**
 * Finds backends for the differential tests outside OSGi: by class name in the system property
 * {@code difftest.<name>.class} (a public no-argument constructor), through {@link ServiceLoader} (a module lists its
 * implementation in {@code META-INF/services/org.paravane.api.backend.VirtualizationBackend} on the test class
 * path), or, for {@code kvm}, by constructing {@code org.paravane.kvm.KvmBackend} with its default settings when the
 * kvm-backend module is on the test class path (so plugging KVM in is one test dependency).
 */
public final class Backends {
    private Backends() {
    }

    public static Optional<VirtualizationBackend> find(String name) {
        String cls = System.getProperty("difftest." + name + ".class");
        if (cls != null && !cls.isBlank()) {
            try {
                return Optional.of((VirtualizationBackend) Class.forName(cls).getConstructor().newInstance());
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalStateException("difftest." + name + ".class=" + cls + " is not a VirtualizationBackend "
                        + "with a public no-argument constructor: " + e, e);
            }
        }
        for (VirtualizationBackend b : ServiceLoader.load(VirtualizationBackend.class)) {
            if (b.name().equals(name)) {
                return Optional.of(b);
            }
        }
        return name.equals("kvm") ? kvmWithDefaults() : Optional.empty();
    }

    /** {@code new KvmBackend(KvmSettings.DEFAULTS)}, when that class is on the class path. */
    private static Optional<VirtualizationBackend> kvmWithDefaults() {
        try {
            Class<?> backend = Class.forName("org.paravane.kvm.KvmBackend");
            Class<?> settings = Class.forName("org.paravane.kvm.host.KvmSettings");
            Object defaults = settings.getField("DEFAULTS").get(null);
            return Optional.of((VirtualizationBackend) backend.getConstructor(settings).newInstance(defaults));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("org.paravane.kvm.KvmBackend is on the class path but could not be built "
                    + "with KvmSettings.DEFAULTS: " + e, e);
        }
    }
}
