package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * busybox's own test suite (see {@link BusyboxSuite}) natively and as a guest on the software CPU, over the same root
 * folder: the table of passed/failed/skipped cases per applet is printed side by side, and the guest must pass every
 * case the native run passes, except the known differences of {@code busybox-suite-differences.txt}. By default the
 * quick applets run ({@link BusyboxSuite#QUICK}); {@code -Dparavane.busybox.applets=all} (or a comma list) for more.
 */
class BusyboxTestSuiteTest {
    private static final long TIMEOUT_SECONDS = Long.getLong("paravane.busybox.timeout", 3600);

    @TempDir
    Path root;

    @Test
    void theHarnessRunsEveryChosenAppletNatively() throws Exception {
        Path busybox = LinuxPrograms.realProgram("busybox");
        Path testsuite = BusyboxSuite.testsuite();
        List<String> applets = BusyboxSuite.applets(testsuite);
        BusyboxSuite.layOut(root, busybox, testsuite, applets);
        Map<String, BusyboxSuite.Applet> nat = BusyboxSuite.parse(BusyboxSuite.runNative(root));
        System.out.print(BusyboxSuite.table(applets, nat, null));
        assertThat(nat.keySet()).as("applets that ran").containsExactlyElementsOf(applets);
        assertThat(nat.values()).allSatisfy(a -> {
            assertThat(a.finished()).as("%s finished", a.name()).isTrue();
            assertThat(a.passed().size() + a.failed().size() + a.skipped()).as("cases of %s", a.name()).isPositive();
        });
        assertThat(nat.values().stream().mapToInt(a -> a.passed().size()).sum()).as("passed natively").isGreaterThan(100);
    }

    @Test
    void theGuestPassesWhatTheNativeRunPasses() throws Exception {
        Path busybox = LinuxPrograms.realProgram("busybox");
        Path testsuite = BusyboxSuite.testsuite();
        List<String> applets = BusyboxSuite.applets(testsuite);
        BusyboxSuite.layOut(root, busybox, testsuite, applets);
        // both sides at once (the guest's writes stay in its memory, so the native run sees the root unchanged)
        CompletableFuture<String> nativeRun = CompletableFuture.supplyAsync(() -> {
            try {
                return BusyboxSuite.runNative(root);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        LinuxPrograms.Run run;
        try (GuestStack s = GuestStack.emulated(); OutputStream log = BusyboxSuite.guestLog()) {
            run = LinuxPrograms.start(s, "busybox-suite", busybox, List.of("sh", "/bb/suite.sh"), root, new byte[0], log)
                    .await(TIMEOUT_SECONDS);
        }
        Map<String, BusyboxSuite.Applet> nat = BusyboxSuite.parse(nativeRun.join());
        Map<String, BusyboxSuite.Applet> guest = BusyboxSuite.parse(run.stdout());
        System.out.print(BusyboxSuite.table(applets, nat, guest));
        System.out.printf("busybox testsuite as a guest: %.1f s%n", run.nanos() / 1e9);
        Set<String> known = BusyboxSuite.knownDifferences();
        List<String> worse = new ArrayList<>();
        for (BusyboxSuite.Applet a : nat.values()) {
            BusyboxSuite.Applet g = guest.get(a.name());
            for (String passed : a.passed()) {
                boolean guestPassed = g != null && g.passed().contains(passed);
                if (!guestPassed && !known.contains(a.name() + "\t" + passed)) {
                    worse.add(a.name() + "\t" + passed);
                }
            }
        }
        assertThat(worse).as("cases that pass natively but not as a guest (guest run: %s)", run).isEmpty();
    }
}
