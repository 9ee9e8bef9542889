package org.paravane.vmm.demo;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.concurrent.Callable;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.paravane.api.backend.VirtualizationBackend;

/**
 * Runs a piece of the demo with the software CPU's bytecode translator switched on or off, through its Config Admin
 * configuration (PID {@value #PID}, key {@code translation}), and puts the configuration back afterwards. The backend
 * applies the setting to the VMs created from then on, so VMs created meanwhile by others are switched too; the
 * switch is known to have taken effect when the backend's capabilities say so ("interpreted").
 */
final class TranslationSwitch {
    static final String PID = "org.paravane.emulated";
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    private final ConfigurationAdmin configAdmin;
    private final VirtualizationBackend emulated;

    TranslationSwitch(ConfigurationAdmin configAdmin, VirtualizationBackend emulated) {
        this.configAdmin = configAdmin;
        this.emulated = emulated;
    }

    /** Whether VMs created now translate. */
    boolean translating() {
        return !emulated.capabilities().detail().contains("interpreted");
    }

    /** {@code body}'s result, with translation {@code on} for the VMs it creates. */
    <T> T with(boolean on, Callable<T> body) throws Exception {
        if (translating() == on) {
            return body.call();
        }
        Configuration c = configAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> before = c.getProperties();
        Hashtable<String, Object> switched = copy(before);
        switched.put("translation", String.valueOf(on));
        c.update(switched);
        try {
            await(on);
            return body.call();
        } finally {
            c.update(copy(before));   // no configuration before: an empty one, which means the defaults
            await(!on);
        }
    }

    private void await(boolean on) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (translating() != on) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the software CPU did not switch its translation " + (on ? "on" : "off")
                        + " within 10 s through Config Admin (" + PID + "); its capabilities say: "
                        + emulated.capabilities().detail());
            }
            Thread.sleep(20);
        }
    }

    private static Hashtable<String, Object> copy(Dictionary<String, Object> d) {
        Hashtable<String, Object> copy = new Hashtable<>();
        if (d != null) {
            for (Enumeration<String> keys = d.keys(); keys.hasMoreElements(); ) {
                String k = keys.nextElement();
                copy.put(k, d.get(k));
            }
        }
        return copy;
    }
}
