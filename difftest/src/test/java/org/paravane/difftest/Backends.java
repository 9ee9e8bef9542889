package org.paravane.difftest;

import java.util.Optional;
import java.util.ServiceLoader;
import org.paravane.api.backend.VirtualizationBackend;

/**
 * Finds backends for the differential tests outside OSGi: through {@link ServiceLoader} (a module lists its
 * implementation in {@code META-INF/services/org.paravane.api.backend.VirtualizationBackend} on the test class
 * path), or by class name in the system property {@code difftest.<name>.class}. Either needs a public no-argument
 * constructor that leaves the backend ready to create VMs.
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
        return Optional.empty();
    }
}
