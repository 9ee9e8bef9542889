package org.paravane.vmm.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.manager.EmulatedManagers;
import org.paravane.vmm.manager.VmManager;

/**
 * The experiment runner with the Linux programs' workload, on the software CPU outside OSGi (no guest page fault
 * handler, so every policy fetches synchronously here: the gain itself is the demo's to measure, through ShellIT and
 * {@code ./paravane demo}):
 * each run's workers progress, its scanners go through their data, and the table has the three rows.
 */
class AsyncPfExperimentTest {
    private static final Path BUSYBOX = Path.of(System.getProperty("paravane.busybox", "/bin/busybox"));

    private final VmManager manager = EmulatedManagers.create(Map.of("maxVms", 8));
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        EmulatedManagers.close(manager);
    }

    private List<AsyncPfExperiment.Result> run(Workload workload) throws Exception {
        var options = new AsyncPfExperiment.Options(2, 2, 2, 100_000, 1000, 2000, 16L << 20, 1);
        var experiment = new AsyncPfExperiment(manager, workload, new PrintStream(printed, true, StandardCharsets.UTF_8));
        List<AsyncPfExperiment.Result> results = experiment.run(EmulatedBackend.NAME, options);
        System.out.print(workload.describe(options) + "\n" + printed.toString(StandardCharsets.UTF_8)
                + ModeSummary.table(results));
        assertThat(results).extracting(AsyncPfExperiment.Result::policy)
                .containsExactly(WaitPolicy.OFF, WaitPolicy.HALT_EVERYWHERE, WaitPolicy.DECISION_TABLE);
        assertThat(results).allSatisfy(r -> {
            assertThat(r.work()).as("work of %s", r.policy()).isPositive();
            assertThat(r.scanned()).as("pages scanned in %s", r.policy()).isPositive();
        });
        assertThat(ModeSummary.table(results)).contains("async PF off", "halt everywhere", "decision table");
        assertThat(manager.vms()).as("every run's VM stopped and forgotten").isEmpty();
        return results;
    }

    @Test
    void theSyntheticWorkloadRunsThreeWays() throws Exception {
        run(new SyntheticWorkload());
    }

    @Test
    void busyboxScannersAndWorkersRunThreeWays() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(BUSYBOX), "skipped: no " + BUSYBOX + " (apt-get install busybox-static)");
        List<AsyncPfExperiment.Result> results = run(new ProgramsWorkload(BUSYBOX, ProgramsWorkload.Scanner.HASH));
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("failed");
        // A page costs a scanner its hash (as a 4 KiB block costs a worker, milliseconds on the software CPU) plus a
        // 100 us fetch: under every policy the scanners progress next to the workers, not starved by their reads
        // (in the timed part, the software CPU warm, about a fifth of the workers' rate).
        assertThat(results).allSatisfy(r -> assertThat(10 * r.scanned()).as("pages scanned against blocks hashed in %s",
                r.policy()).isGreaterThanOrEqualTo(r.work()));
    }

    @Test
    void busyboxDdScannersWaitOnTheirPages() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(BUSYBOX), "skipped: no " + BUSYBOX + " (apt-get install busybox-static)");
        List<AsyncPfExperiment.Result> results = run(new ProgramsWorkload(BUSYBOX, ProgramsWorkload.Scanner.READ));
        // Fetched synchronously here (no guest handler), a dd scanner's page costs it about its 100 us fetch: at most
        // one page per latency each, and it no longer keeps pace with a hash per page.
        assertThat(results).allSatisfy(r -> assertThat(r.pagesPerSecond()).as("pages/s in %s", r.policy())
                .isLessThanOrEqualTo(2 * 10_000.0));
    }
}
