package org.paravane.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/** Provisioning shared by the Pax Exam suites: the reactor's own bundle jars, never copies of their classes. */
final class PaxExamSupport {
    private PaxExamSupport() {
    }

    /** The jar the build produced for {@code key} (a {@code bundle.*} system property set by failsafe). */
    static UrlProvisionOption file(String key) {
        String path = System.getProperty(key);
        if (path == null || !new File(path).isFile()) {
            throw new IllegalStateException("bundle '" + key + "' not found at " + path + " (run the build from the root: ./mvnw verify)");
        }
        return bundle(new File(path).toURI().toString());
    }

    /** The whole distribution: the container plus every Paravane bundle (KVM reports itself unusable where it is). */
    static Option distribution() {
        return composite(container(), file("bundle.vmm"), file("bundle.asyncpf-service"), file("bundle.asyncpf-halt-waiter"),
                file("bundle.emulated"), file("bundle.kvm"));
    }

    /** Whether /dev/kvm can be opened read-write here (the KVM steps of the suites need it). */
    static boolean kvmUsable() {
        java.io.File kvm = new java.io.File("/dev/kvm");
        return kvm.exists() && kvm.canRead() && kvm.canWrite();
    }

    /** Felix with SCR, Config Admin, Gogo runtime, Guava and the Paravane API. */
    static Option container() {
        return composite(
                cleanCaches(),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                junitBundles(),
                file("bundle.util.function"), file("bundle.util.promise"), file("bundle.service.component"),
                file("bundle.scr"), file("bundle.configadmin"), file("bundle.gogo.runtime"),
                file("bundle.failureaccess"), file("bundle.guava"),
                file("bundle.api"));
    }
}
