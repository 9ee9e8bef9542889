package org.paravane.vmm.manager;

import java.util.Map;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.emulated.EmulatedBackend;

/** A manager outside OSGi with the software CPU as its one backend, as DS would wire it, for tests of other packages. */
public final class EmulatedManagers {
    private EmulatedManagers() {
    }

    public static VmManager create(Map<String, Object> properties) {
        VmManager manager = new VmManager(null, properties);
        manager.addBackend(new EmulatedBackend(), Map.of(VirtualizationBackend.NAME, EmulatedBackend.NAME,
                VirtualizationBackend.USABLE, true));
        return manager;
    }

    /** Stops every VM and lets go of the manager's threads. */
    public static void close(VmManager manager) {
        manager.deactivate();
    }
}
