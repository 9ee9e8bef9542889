package org.paravane.vmm.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Brings a built-in bundle back when the deploy-folder jar that replaced it is removed. FileInstall does not install a
 * jar whose symbolic name and version are already installed: it updates that bundle, takes it over, and uninstalls it
 * when the jar goes, so removing the jar would take the built-in emulated backend (say) with it. A built-in bundle
 * (one the container started with) that was updated and is then uninstalled is installed again from its original
 * location and started. A built-in bundle a user uninstalls without such an update stays uninstalled.
 */
@Component(immediate = true)
public class BuiltInBundles implements SynchronousBundleListener {
    private static final Logger LOG = Logger.getLogger(BuiltInBundles.class.getName());

    private final BundleContext context;
    /** Locations of the bundles the container started with. */
    private final Set<String> builtIn = ConcurrentHashMap.newKeySet();
    /** Built-in bundles updated since the start (by FileInstall or felix:update): id to location. */
    private final Map<Long, String> replaced = new ConcurrentHashMap<>();

    @Activate
    public BuiltInBundles(BundleContext context) {
        this.context = context;
        context.addBundleListener(this);
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() != 0 && !isDeployed(b.getLocation())) {
                builtIn.add(b.getLocation());
            }
        }
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    /** FileInstall's own installs are file URLs of the deploy folder. */
    private boolean isDeployed(String location) {
        String dir = context.getProperty("felix.fileinstall.dir");
        return dir != null && location.contains(new java.io.File(dir).getAbsoluteFile().toURI().getPath());
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle b = event.getBundle();
        switch (event.getType()) {
            case BundleEvent.UPDATED -> {
                if (builtIn.contains(b.getLocation())) {
                    replaced.put(b.getBundleId(), b.getLocation());
                }
            }
            case BundleEvent.UNINSTALLED -> {
                String location = replaced.remove(b.getBundleId());
                if (location != null) {
                    String name = b.getSymbolicName();
                    Thread.ofVirtual().name("paravane-restore-" + name).start(() -> restore(name, location));
                }
            }
            default -> {
            }
        }
    }

    private void restore(String name, String location) {
        try (InputStream original = open(location)) {
            if (original == null) {
                LOG.warning("deploy: " + name + " was uninstalled with its deploy-folder jar and its built-in copy at "
                        + location + " cannot be read; install it again with felix:install and felix:start");
                return;
            }
            Bundle back = context.installBundle(location, original);
            back.start();
            LOG.info("deploy: the jar that had replaced " + name + " was removed; the built-in " + name + " "
                    + back.getVersion() + " is back");
        } catch (IOException | BundleException | IllegalStateException e) {
            LOG.log(Level.WARNING, "deploy: could not bring back the built-in " + name + " from " + location, e);
        }
    }

    /** A URL location (Pax Exam, felix:install), or a jar embedded in the launcher jar ({@code jar/x.jar}). */
    private static InputStream open(String location) throws IOException {
        try {
            return URI.create(location).toURL().openStream();
        } catch (IllegalArgumentException | java.net.MalformedURLException notAUrl) {
            return ClassLoader.getSystemClassLoader().getResourceAsStream(location);
        }
    }
}
