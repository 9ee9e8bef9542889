package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The VMM in the distribution's Felix, driven through the paravane:* commands as a user would: guest programs on every
 * backend, the VM lifecycle (vms, stats, migrate, snapshot and a lazy restore from it, stop), Config Admin defaults
 * changed at run time, and clear errors for bad input.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VmmIT {

    @Inject
    CommandProcessor processor;

    @Inject
    ConfigurationAdmin configAdmin;

    private ParavaneShell shell;

    @Configuration
    public Option[] config() {
        return options(PaxExamSupport.distribution());
    }

    @Before
    public void shell() throws Exception {
        shell = ParavaneShell.whenListed(processor, "emulated");
    }

    private List<String> backends() {
        List<String> b = new ArrayList<>(List.of("emulated"));
        if (PaxExamSupport.kvmUsable()) {
            b.add("kvm");
        }
        return b;
    }

    @Test
    public void guestProgramsRunWithTheSameResultsOnEveryBackend() throws Exception {
        String expected = null;
        for (String backend : backends()) {
            String hello = shell.exec("paravane:run hello --backend " + backend);
            assertTrue(hello, hello.contains("hello, world from task 1"));
            assertTrue(hello, hello.contains("on " + backend + ": finished"));
            String mix = shell.exec("paravane:run scanner:1 worker:30 kscan:0 --vcpus 2 --source pattern:11 --data-size 384K"
                    + " --backend " + backend);
            String results = mix.lines().filter(l -> l.startsWith("task ")).reduce("", (a, b) -> a + b + "\n");
            assertTrue(mix, results.contains("exited with 0; reports checksum="));
            if (expected == null) {
                expected = results;
            } else {
                assertEquals("the same results on " + backend, expected, results);
            }
        }
    }

    @Test
    public void lifecycleThroughTheShell() throws Exception {
        String started = shell.exec("paravane:run scanner:1 worker:0 --vcpus 2 --source pattern:21,latency=2ms --data-size 256K"
                + " --name life --detach --backend emulated");
        assertTrue(started, started.contains("VM life started on emulated"));
        assertEquals("running", shell.state("life"));
        String vms = shell.exec("paravane:vms");
        assertTrue(vms, vms.contains("life") && vms.contains("pattern(seed 21), latency 2000 us"));
        String stats = shell.exec("paravane:stats life");
        assertTrue(stats, stats.contains("VM life on emulated, running") && stats.contains("async PF:"));

        for (String target : backends().reversed()) {
            if (target.equals(shell.backend("life"))) {   // only one backend here: a move to where it is is refused
                assertEquals("VM 'life' already runs on " + target, shell.fails("paravane:migrate life " + target));
                continue;
            }
            String moved = shell.exec("paravane:migrate life " + target);
            assertTrue(moved, moved.contains("VM life now runs on " + target));
            assertEquals(target, shell.backend("life"));
        }
        File snapshot = File.createTempFile("paravane-life", ".snap");
        String saved = shell.exec("paravane:snapshot life " + snapshot);
        assertTrue(saved, saved.contains("saved to " + snapshot));
        assertTrue(shell.exec("paravane:kill life").contains("VM life stopped"));
        assertEquals("stopped", shell.state("life"));

        // The snapshot's data region, restored lazily, holds what the scanner scanned (its slice: the first half).
        String direct = shell.exec("paravane:run scanner:1 --source pattern:21 --data-size 128K --backend emulated");
        String restored = shell.exec("paravane:run scanner:1 --source snapshot:" + snapshot + " --data-size 128K --backend emulated");
        assertEquals(checksumLine(direct), checksumLine(restored));
        Files.delete(snapshot.toPath());
    }

    private static void assertContains(String actual, String expected) {
        assertTrue("expected '" + expected + "' in: " + actual, actual.contains(expected));
    }

    private static String checksumLine(String runOutput) {
        return runOutput.lines().filter(l -> l.startsWith("task ") && l.contains("checksum=")).findFirst()
                .orElseThrow(() -> new AssertionError("no checksum in: " + runOutput));
    }

    @Test
    public void configAdminChangesTheDefaultsOfNewVms() throws Exception {
        org.osgi.service.cm.Configuration cfg = configAdmin.getConfiguration("org.paravane.vmm", "?");
        try (LogCapture logs = new LogCapture()) {
            set(cfg, Map.of("defaultBackend", "emulated", "waitPolicy", "halt", "preemption", "non-preemptible"));
            awaitDefault("halt");
            String run = shell.exec("paravane:run scanner:1 --source pattern:3 --data-size 64K --name cfg1 --detach");
            assertTrue(run, run.contains("on emulated"));
            shell.awaitEnd("cfg1", 30_000);
            String stats = shell.exec("paravane:stats cfg1");
            assertTrue(stats, stats.contains("wait policy halt, non_preemptible kernel"));

            set(cfg, Map.of("defaultBackend", "emulated", "waitPolicy", "sometimes"));
            long deadline = System.currentTimeMillis() + 10_000;
            while (!logs.contains("waitPolicy = 'sometimes'") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(logs.lines().toString(), logs.contains("invalid configuration org.paravane.vmm", "waitPolicy = 'sometimes'",
                    "allowed: table, halt, off", "keeping the previous configuration"));
            shell.exec("paravane:run hello --name cfg2 --detach");
            shell.awaitEnd("cfg2", 30_000);
            assertTrue("the previous policy stays in force", shell.exec("paravane:stats cfg2").contains("wait policy halt"));
        } finally {
            cfg.delete();
        }
    }

    private static void set(org.osgi.service.cm.Configuration cfg, Map<String, Object> values) throws Exception {
        Dictionary<String, Object> d = new Hashtable<>(values);
        cfg.update(d);
    }

    private void awaitDefault(String policy) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            shell.exec("paravane:run hello --name probe --detach");
            shell.awaitEnd("probe", 30_000);
            boolean applied = shell.exec("paravane:stats probe").contains("wait policy " + policy);
            if (applied) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("configuration not applied in 10 s");
    }

    @Test
    public void statsShowEachTasksSystemCallsByName() throws Exception {
        shell.exec("paravane:run --name calls --detach --backend emulated hello");
        long deadline = System.currentTimeMillis() + 60_000;
        while (!"finished".equals(shell.state("calls")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        String stats = shell.exec("paravane:stats calls");
        assertContains(stats, "TOP CALLS BY TIME");
        assertTrue(stats, stats.lines().anyMatch(l -> l.matches("1\\s+2\\s+.*\\bwrite 1x.*") && l.contains("exit 1x")));
    }

    @Test
    public void badInputGetsAClearErrorAndNothingElseIsLost() throws Exception {
        String keep = shell.exec("paravane:run worker:0 --name survivor --detach --backend emulated");
        assertTrue(keep, keep.contains("started"));
        File notElf = File.createTempFile("not-an-image", ".elf");
        Files.writeString(notElf.toPath(), "#!/bin/sh\n" + "echo this is a shell script, not a guest image\n".repeat(4));
        assertContains(shell.fails("paravane:run " + notElf), "not an ELF executable (a #! script");
        assertContains(shell.fails("paravane:run no-such-program"), "no program 'no-such-program'");
        assertContains(shell.fails("paravane:run hello --backend nosuch"), "backend 'nosuch' is not available");
        assertContains(shell.fails("paravane:run scanner --source tape:x"), "unknown kind 'tape'");
        assertContains(shell.fails("paravane:run hello --memory lots"), "--memory 'lots' is not a size");
        assertContains(shell.fails("paravane:stats nosuchvm"), "no VM named 'nosuchvm'");
        String failing = shell.fails("paravane:run scanner:1 --source pattern,fail-after=0 --data-size 64K --backend emulated");
        assertTrue(failing, failing.contains("could not be provided") && failing.contains("I/O error"));
        assertEquals("the other VM is unharmed", "running", shell.state("survivor"));
        shell.exec("paravane:kill survivor");
        Files.delete(notElf.toPath());
    }
}
