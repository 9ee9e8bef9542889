package org.paravane.vmm.deploy;

import java.io.File;
import java.io.IOException;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.component.annotations.Component;

/**
 * Speaks for jars in the deploy folder that are not bundles. FileInstall silently skips a file none of its listeners
 * can handle, so a corrupt or half-built jar would go unnoticed; this listener claims exactly those files (valid bundles
 * still go to FileInstall's own installer) and logs what is wrong with each. Nothing is installed for them.
 */
@Component(service = ArtifactInstaller.class)
public class DeployFolderGuard implements ArtifactInstaller {
    private static final Logger LOG = Logger.getLogger(DeployFolderGuard.class.getName());

    /** Why {@code file} cannot be installed as a bundle, or empty when it can. */
    static Optional<String> defect(File file) {
        try (JarFile jar = new JarFile(file)) {
            Manifest m = jar.getManifest();
            if (m == null) {
                return Optional.of("the jar has no META-INF/MANIFEST.MF");
            }
            if (m.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                return Optional.of("its manifest has no Bundle-SymbolicName");
            }
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("not a readable jar: " + e.getMessage());
        }
    }

    @Override
    public boolean canHandle(File artifact) {
        return artifact.getName().endsWith(".jar") && artifact.isFile() && defect(artifact).isPresent();
    }

    @Override
    public void install(File artifact) {
        report(artifact);
    }

    @Override
    public void update(File artifact) {
        report(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        LOG.info(() -> "deploy: " + artifact + " is gone or fixed; it was never installed");
    }

    private static void report(File artifact) {
        LOG.log(Level.SEVERE, "deploy: {0} is not an OSGi bundle ({1}); not installed, everything else carries on",
                new Object[] {artifact, defect(artifact).orElse("it became valid while being read")});
    }
}
