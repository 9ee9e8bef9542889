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
