package org.paravane.difftest;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.paravane.emulated.EmulatedBackend;

/**
 * The two CPUs of a differential test against the host: the processor this runs on ({@link NativeCpu}) and the
 * emulated backend's, opened before the class's first test and closed after its last; a class is skipped, saying
 * why, where the host CPU cannot serve. Register it as
 * {@code @RegisterExtension static final HostAndEmulated cpus = new HostAndEmulated();}.
 */
public final class HostAndEmulated implements BeforeAllCallback, AfterAllCallback {
    private NativeCpu host;
    private BackendCpu emulated;

    @Override
    public void beforeAll(ExtensionContext context) {
        String why = NativeCpu.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "host CPU reference unavailable: " + why);
        host = new NativeCpu();
        emulated = new BackendCpu(new EmulatedBackend());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (emulated != null) {
            emulated.close();
            emulated = null;
        }
        host = null;
    }

    public NativeCpu host() {
        return host;
    }

    public BackendCpu emulated() {
        return emulated;
    }

    /** Where the emulated CPU differs from the host CPU on these cases. */
    public List<Differ.Mismatch> differences(List<TestCase> cases) {
        return Differ.mismatches(cases, host, emulated);
    }
}
