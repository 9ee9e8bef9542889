package org.paravane.vmm.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployFolderGuardTest {
    @TempDir
    Path dir;

    private final DeployFolderGuard guard = new DeployFolderGuard();

    private File jar(String name, Manifest manifest) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(p);
                JarOutputStream jar = manifest == null ? new JarOutputStream(out) : new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new ZipEntry("a.txt"));
            jar.write('a');
        }
        return p.toFile();
    }

    private static Manifest manifest(String symbolicName) {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        return m;
    }

    @Test
    void leavesValidBundlesToFileInstall() throws IOException {
        File bundle = jar("good.jar", manifest("org.example.good"));
        assertThat(guard.canHandle(bundle)).isFalse();
        assertThat(DeployFolderGuard.defect(bundle)).isEmpty();
    }

    @Test
    void claimsWhatIsNotAZip() throws IOException {
        Path p = Files.writeString(dir.resolve("corrupt.jar"), "this is not a zip archive");
        assertThat(guard.canHandle(p.toFile())).isTrue();
        assertThat(DeployFolderGuard.defect(p.toFile())).hasValueSatisfying(d -> assertThat(d).startsWith("not a readable jar"));
    }

    @Test
    void claimsJarsThatAreNotBundles() throws IOException {
        assertThat(DeployFolderGuard.defect(jar("plain.jar", manifest(null)))).contains("its manifest has no Bundle-SymbolicName");
        assertThat(DeployFolderGuard.defect(jar("bare.jar", null))).contains("the jar has no META-INF/MANIFEST.MF");
    }

    @Test
    void ignoresOtherFiles() throws IOException {
        assertThat(guard.canHandle(Files.writeString(dir.resolve("org.paravane.vmm.cfg"), "x = 1").toFile())).isFalse();
        assertThat(guard.canHandle(dir.toFile())).isFalse();
    }

    @Test
    void logsWhatIsWrongNamingTheFile() throws IOException {
        File corrupt = Files.writeString(dir.resolve("corrupt.jar"), "junk").toFile();
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(DeployFolderGuard.class.getName());
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(r.getLevel() + " " + java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        try {
            guard.install(corrupt);
        } finally {
            log.removeHandler(h);
        }
        assertThat(lines).singleElement().asString().startsWith("SEVERE deploy: " + corrupt)
                .contains("is not an OSGi bundle (not a readable jar");
    }
}
