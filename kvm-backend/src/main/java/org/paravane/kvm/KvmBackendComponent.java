package org.paravane.kvm;

import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.kvm.host.KvmSettings;

/**
 * Registers the KVM backend. The service properties depend on what the host probe finds (usable or not, and why), so
 * the component registers the service itself rather than letting SCR do it with static properties.
 */
@Component(immediate = true, service = {}, configurationPid = KvmBackendComponent.PID)
@Designate(ocd = KvmConfiguration.class)
public final class KvmBackendComponent {
    public static final String PID = KvmSettings.PID;
    private static final System.Logger LOG = System.getLogger(KvmBackendComponent.class.getName());

    private final BundleContext context;
    private final KvmBackend backend;
    private final ServiceRegistration<VirtualizationBackend> registration;

    /**
     * Takes the raw properties, not a {@link KvmConfiguration}: Declarative Services would convert
     * {@code memoryMode=BOGUS} to the enum before this code runs and fail with a stack trace instead of a message.
     */
    @Activate
    public KvmBackendComponent(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        KvmSettings settings;
        try {
            settings = KvmSettings.of(properties, dataArea());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; using the defaults");
            settings = KvmSettings.DEFAULTS;
        }
        backend = new KvmBackend(settings);
        if (!backend.usable()) {
            LOG.log(System.Logger.Level.INFO, "KVM backend registered as unusable: " + backend.unusableReason());
        }
        registration = context.registerService(VirtualizationBackend.class, backend, backend.serviceProperties());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            backend.reconfigure(KvmSettings.of(properties, dataArea()));
        } catch (IllegalArgumentException e) {
            // A bad value must not take a working backend away: the previous settings stay in force.
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; keeping the previous configuration");
        }
        registration.setProperties(backend.serviceProperties());
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework unregisters services of a stopping bundle itself
        }
        backend.close();
    }

    private Path dataArea() {
        java.io.File f = context.getDataFile("working-sets");
        return f != null ? f.toPath() : KvmSettings.DEFAULTS.workingSetDir();
    }
}
