package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Living in a Felix container, each test in a fresh one with the project's real bundles: backends swapped under load,
 * the halt waiter swapped while vCPUs are halted in it, a soak of bundle stop/start/update cycles while VMs run, and
 * hot deploy plus bad input through a FileInstall deploy folder.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ContainerIT {
    private static final String EMULATED = "org.paravane.emulated-backend", KVM = "org.paravane.kvm-backend",
            HALT_WAITER = "org.paravane.asyncpf-halt-waiter";
    private static final Path DEPLOY = Path.of(System.getProperty("java.io.tmpdir"), "paravane-itest-deploy-" + ProcessHandle.current().pid());

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor processor;

    @Inject
    ConfigurationAdmin configAdmin;

    private ParavaneShell shell;

    @Configuration
    public Option[] config() throws Exception {
        Files.createDirectories(DEPLOY);
        return options(PaxExamSupport.distribution(), PaxExamSupport.file("bundle.fileinstall"),
                systemProperty("felix.fileinstall.dir").value(DEPLOY.toString()),
                systemProperty("felix.fileinstall.poll").value("100"),
                systemProperty("felix.fileinstall.noInitialDelay").value("true"),
                systemProperty("felix.fileinstall.log.level").value("2"));
    }

    @Before
    public void setUp() throws Exception {
        shell = new ParavaneShell(processor);
        awaitBackends(PaxExamSupport.kvmUsable() ? List.of("emulated", "kvm") : List.of("emulated"));
        // One page per KVM fault, as on the software CPU, so guests progress at the same pace on both.
        org.osgi.service.cm.Configuration kvm = configAdmin.getConfiguration("org.paravane.kvm", "?");
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("uffdChunkSize", 4096L);
        kvm.update(d);
    }

    @After
    public void tearDown() throws Exception {
        configAdmin.getConfiguration("org.paravane.kvm", "?").delete();
        try (var files = Files.list(DEPLOY)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void awaitBackends(List<String> names) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            String b = shell.exec("paravane:backends");
            if (names.stream().allMatch(n -> b.lines().anyMatch(l -> l.startsWith(n + " ") && l.contains(" yes ")))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("backends " + names + " not usable in 15 s:\n" + shell.exec("paravane:backends"));
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError(symbolicName + " is not installed"));
    }

    private static final String MIX = "scanner:1 worker:200 --vcpus 2 --memory 8M --data-size 1M";

    /** The scanner/worker mix at its own pace, on {@code backend}, as the VM {@code name} (detached). */
    private void startMix(String name, String backend, String source) throws Exception {
        String out = shell.exec("paravane:run " + MIX + " --source " + source + " --backend " + backend + " --name " + name + " --detach");
        assertTrue(out, out.contains("started"));
    }

    private Map<String, Map<String, Long>> referenceResults(String source) throws Exception {
        String name = "ref" + Math.abs(source.hashCode());
        shell.exec("paravane:run " + MIX + " --source " + source + " --backend emulated --name " + name + " --detach");
        shell.awaitEnd(name, 60_000);
        Map<String, Map<String, Long>> r = shell.results(name);
        r.values().forEach(m -> assertEquals("reference task exit", 0L, (long) m.get("exit")));
        return r;
    }

    /** Waits until the scanner of {@code vm} has scanned at least {@code pages} (the WORK column). */
    private void awaitScanned(String vm, long pages) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            for (String line : shell.exec("paravane:stats " + vm).lines().toList()) {
                String[] c = line.trim().split("\\s+");
                if (c.length > 5 && c[1].equals("scanner.elf") && Long.parseLong(c[5]) >= pages) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("scanner of " + vm + " did not reach " + pages + " pages");
    }

    @Test
    public void aVmSurvivesItsBackendsLeavingAndComingBackWithUnchangedResults() throws Exception {
        String source = "pattern:61,latency=8ms";
        Map<String, Map<String, Long>> expected = referenceResults("pattern:61");
        if (PaxExamSupport.kvmUsable()) {
            // kvm -> emulated -> kvm, by stopping and updating the bundles under it
            startMix("swap", "kvm", source);
            awaitScanned("swap", 8);
            bundle(KVM).stop();
            assertEquals("moved when KVM left", "emulated", shell.backend("swap"));
            assertEquals("running", shell.state("swap"));
            bundle(KVM).start();
            awaitBackends(List.of("emulated", "kvm"));
            awaitScanned("swap", 24);
            bundle(EMULATED).update();   // stop + start: the VM leaves the old revision for KVM
            assertEquals("moved when the emulated bundle was updated", "kvm", shell.backend("swap"));
        } else {
            // the only backend leaves: the VM is parked with its state, and resumes when the bundle is back
            startMix("swap", "emulated", source);
            awaitScanned("swap", 8);
            bundle(EMULATED).stop();
            assertEquals("parked", shell.state("swap"));
            bundle(EMULATED).start();
            awaitBackends(List.of("emulated"));
        }
        assertEquals("finished", shell.awaitEnd("swap", 60_000));
        assertEquals("results equal an unswapped run", expected, shell.results("swap"));
        String vms = shell.exec("paravane:vms");
        String row = vms.lines().filter(l -> l.startsWith("swap ")).findFirst().orElseThrow();
        assertTrue("the VM moved: " + row, Integer.parseInt(row.trim().split("\\s+")[7]) >= 1);   // MEMORY is "8 MiB"
    }

    @Test
    public void stoppingTheHaltWaiterWhileVcpusAreHaltedFallsBackToSynchronousFaults() throws Exception {
        // kscan(0) touches absent memory in a non-preemptible section: every async fault takes the halt wait.
        String reference = shell.exec("paravane:run kscan:0 --source pattern:71 --data-size 256K --backend emulated");
        String out = shell.exec("paravane:run kscan:0 --source pattern:71,latency=15ms --data-size 256K --backend emulated"
                + " --name halted --detach");
        assertTrue(out, out.contains("started"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (shell.asyncPfCounter("halted", "halt waits") < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertTrue("halt waits happened", shell.asyncPfCounter("halted", "halt waits") >= 2);
        bundle(HALT_WAITER).stop();
        String after = shell.exec("paravane:stats halted");
        assertTrue(after, after.contains("running"));
        Thread.sleep(100);   // faults meanwhile are synchronous: the guest handler falls back
        bundle(HALT_WAITER).start();
        assertEquals("finished", shell.awaitEnd("halted", 60_000));
        assertTrue("a halted wait was released by the leaving provider: " + shell.exec("paravane:stats halted"),
                shell.asyncPfCounter("halted", "released") >= 1);
        assertEquals(Long.valueOf(checksum(reference)), shell.results("halted").get("1:kscan.elf").get("checksum"));
    }

    private static long checksum(String runOutput) {
        String line = runOutput.lines().filter(l -> l.contains("reports checksum=0x")).findFirst()
                .orElseThrow(() -> new AssertionError("no checksum in " + runOutput));
        String hex = line.replaceAll(".*reports checksum=0x([0-9a-f]+).*", "$1");
        return Long.parseUnsignedLong(hex, 16);
    }

    @Test
    public void soakOfBundleCyclesWhileVmsRun() throws Exception {
        int cycles = Integer.getInteger("paravane.soak.cycles", 100);
        String source = "pattern:81,latency=2ms";
        Map<String, Map<String, Long>> expected = referenceResults("pattern:81");
        Runtime rt = Runtime.getRuntime();
        System.gc();
        int threadsBefore = Thread.getAllStackTraces().size();
        long fdsBefore = openFiles();
        long heapBefore = rt.totalMemory() - rt.freeMemory();

        List<String> backends = PaxExamSupport.kvmUsable() ? List.of("kvm", "emulated") : List.of("emulated");
        List<String> vms = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            vms.add("soak" + i);
            startMix("soak" + i, backends.get(i % backends.size()), source);
        }
        List<String> targets = PaxExamSupport.kvmUsable() ? List.of(EMULATED, KVM, HALT_WAITER) : List.of(EMULATED, HALT_WAITER);
        Random random = new Random(2010);
        for (int c = 0; c < cycles; c++) {
            Bundle b = bundle(targets.get(random.nextInt(targets.size())));
            switch (random.nextInt(3)) {
                case 0 -> b.stop();
                case 1 -> b.start();
                default -> b.update();
            }
        }
        for (String t : targets) {
            bundle(t).start();
        }
        awaitBackends(PaxExamSupport.kvmUsable() ? List.of("emulated", "kvm") : List.of("emulated"));
        for (String vm : vms) {
            assertEquals(vm + " finished", "finished", shell.awaitEnd(vm, 120_000));
            assertEquals(vm + " results equal an undisturbed run", expected, shell.results(vm));
        }
        shell.exec("paravane:vms");
        Thread.sleep(500);   // vCPU and watcher threads end after their VMs
        System.gc();
        int threadsAfter = Thread.getAllStackTraces().size();
        long fdsAfter = openFiles();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        System.out.printf("soak: %d cycles; threads %d -> %d, fds %d -> %d, heap %d -> %d MiB%n", cycles, threadsBefore,
                threadsAfter, fdsBefore, fdsAfter, heapBefore >> 20, heapAfter >> 20);
        assertTrue("no thread leak: " + threadsBefore + " -> " + threadsAfter, threadsAfter <= threadsBefore + 4);
        assertTrue("no fd leak: " + fdsBefore + " -> " + fdsAfter, fdsAfter <= fdsBefore + 4);
        assertTrue("heap back to baseline: " + (heapBefore >> 20) + " -> " + (heapAfter >> 20) + " MiB",
                heapAfter <= heapBefore + (48L << 20));
    }

    private static long openFiles() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    public void invalidCfgFilesAreRefusedWithKeyValueAndWhatIsAllowed() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            // FileInstall gives strings: DS would have failed converting them with a stack trace
            Files.writeString(DEPLOY.resolve("org.paravane.vmm.cfg"), "memoryMiB = abc\ndefaultBackend = qemu\n");
            Files.writeString(DEPLOY.resolve("org.paravane.kvm.cfg"), "memoryMode = BOGUS\nworkingSet = MAYBE\n");
            Files.writeString(DEPLOY.resolve("org.paravane.asyncpf.host.cfg"), "fetch.threads = many\n");
            String[] vmm = {"invalid configuration org.paravane.vmm", "defaultBackend = 'qemu' (allowed: auto, emulated, kvm",
                    "memoryMiB = 'abc' (allowed: 4..65536)", "keeping the previous configuration"};
            String[][] others = {
                    {"invalid configuration org.paravane.kvm", "memoryMode = 'BOGUS' (allowed: USERFAULTFD, FILE_MAPPING)",
                            "workingSet = 'MAYBE' (allowed: OFF, RECORD, PREFETCH)"},
                    {"invalid configuration org.paravane.asyncpf.host", "fetch.threads = 'many' (allowed: 1..1024)"}};
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline && !java.util.Arrays.stream(others).allMatch(logs::contains)) {
                Thread.sleep(50);
            }
            // The manager is a delayed component: it reports the configuration when it is modified or, if it was not in
            // use, when this run activates it.
            String run = shell.exec("paravane:run hello --backend emulated --name cfgprobe --detach");
            assertTrue(run, run.contains("started"));
            shell.awaitEnd("cfgprobe", 30_000);
            while (System.currentTimeMillis() < deadline && !logs.contains(vmm)) {
                Thread.sleep(50);
            }
            for (String[] line : others) {
                assertTrue(String.join(" ", line) + " in " + logs.lines(), logs.contains(line));
            }
            assertTrue(String.join(" ", vmm) + " in " + logs.lines(), logs.contains(vmm));
        }
        assertTrue("the previous RAM default stays in force", shell.exec("paravane:vms").lines()
                .anyMatch(l -> l.startsWith("cfgprobe ") && l.contains(" 64 MiB ")));
    }

    @Test
    public void hotDeployAndBadInputThroughTheDeployFolder() throws Exception {
        // the emulated backend leaves, then comes back as a jar dropped into deploy/
        Bundle installed = bundle(EMULATED);
        String location = new File(System.getProperty("bundle.emulated")).getAbsolutePath();
        installed.uninstall();
        String backends = shell.exec("paravane:backends");   // KVM stays listed, usable or not
        assertTrue(backends, backends.lines().noneMatch(l -> l.startsWith("emulated ")));
        if (!PaxExamSupport.kvmUsable()) {
            assertTrue(backends, backends.contains("no usable virtualization backend"));
        }
        Path jar = DEPLOY.resolve("emulated-backend.jar");
        Files.copy(Path.of(location), jar, StandardCopyOption.REPLACE_EXISTING);
        awaitBackends(List.of("emulated"));
        assertTrue(shell.exec("paravane:run hello --backend emulated").contains("hello, world"));

        startMix("deployed", "emulated", "pattern:91,latency=4ms");
        awaitScanned("deployed", 4);
        Files.copy(Path.of(location), jar, StandardCopyOption.REPLACE_EXISTING);   // replaced: FileInstall updates it
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));

        try (LogCapture logs = new LogCapture()) {
            // a corrupt bundle jar: named in the log, not installed, nothing else changes
            Files.write(DEPLOY.resolve("corrupt.jar"), "this is not a zip archive".getBytes(StandardCharsets.UTF_8));
            // an invalid configuration: refused with key, value and what is allowed; the previous one stays
            Files.writeString(DEPLOY.resolve("org.paravane.vmm.cfg"), "waitPolicy = sometimes\n");
            // bounded, not timed: on a loaded host FileInstall may first finish updating the jar above (a refresh)
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline
                    && !(logs.contains("waitPolicy = 'sometimes'") && logs.contains("corrupt.jar", "is not an OSGi bundle"))) {
                Thread.sleep(50);
            }
            assertTrue(logs.lines().toString(), logs.contains("corrupt.jar", "is not an OSGi bundle", "not a readable jar"));
            assertTrue(logs.lines().toString(), logs.contains("waitPolicy = 'sometimes'", "allowed: table, halt, off",
                    "keeping the previous configuration"));
        }
        assertTrue("the corrupt jar was not installed",
                Arrays.stream(context.getBundles()).noneMatch(b -> b.getLocation().contains("corrupt.jar")));
        String probe = shell.exec("paravane:run hello --backend emulated --name probe --detach");
        assertTrue(probe, probe.contains("started"));
        shell.awaitEnd("probe", 30_000);
        assertTrue("the previous wait policy stays in force", shell.exec("paravane:stats probe").contains("wait policy table"));

        // a valid configuration dropped in applies at once: a per-VM limit
        Files.writeString(DEPLOY.resolve("org.paravane.vmm.cfg"), "waitPolicy = halt\nmaxVcpus = 1\n");
        long applied = System.currentTimeMillis() + 15_000;
        String refused = "";
        while (System.currentTimeMillis() < applied && !refused.contains("maxVcpus")) {
            try {
                refused = shell.fails("paravane:run hello --backend emulated --vcpus 2");
            } catch (AssertionError notYetApplied) {
                Thread.sleep(50);
            }
        }
        assertTrue(refused, refused.contains("at most 1 vCPUs (the per-VM limit maxVcpus of org.paravane.vmm), got 2"));
        assertEquals("finished", shell.awaitEnd("deployed", 60_000));
        assertNotNull(shell.results("deployed").get("1:scanner.elf").get("checksum"));
        assertTrue("the container still runs guests", shell.exec("paravane:run hello --backend emulated").contains("hello, world"));

        Files.delete(jar);   // removed: FileInstall uninstalls it
        long deadline = System.currentTimeMillis() + 15_000;
        while (Arrays.stream(context.getBundles()).anyMatch(b -> EMULATED.equals(b.getSymbolicName()))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue("uninstalled with its jar", Arrays.stream(context.getBundles()).noneMatch(b -> EMULATED.equals(b.getSymbolicName())));
    }

    @Test
    public void removingAJarThatReplacedABuiltInBundleBringsTheBuiltInBack() throws Exception {
        Bundle builtIn = bundle(EMULATED);
        String location = builtIn.getLocation();
        long installedAt = builtIn.getLastModified();
        Path jar = DEPLOY.resolve("emulated-replacement.jar");
        Files.copy(Path.of(new File(System.getProperty("bundle.emulated")).getAbsolutePath()), jar, StandardCopyOption.REPLACE_EXISTING);
        // same symbolic name and version: FileInstall updates the built-in bundle instead of installing a second one
        long deadline = System.currentTimeMillis() + 15_000;
        while (builtIn.getLastModified() == installedAt && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue("FileInstall updated the built-in bundle with the jar", builtIn.getLastModified() != installedAt);
        awaitBackends(List.of("emulated"));

        Files.delete(jar);   // FileInstall uninstalls the bundle it took over; the built-in one comes back
        deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline && Arrays.stream(context.getBundles())
                .noneMatch(b -> EMULATED.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE && b.getBundleId() != builtIn.getBundleId())) {
            Thread.sleep(50);
        }
        Bundle back = bundle(EMULATED);
        assertTrue("the built-in emulated backend is back, from " + location + ", not gone with the jar",
                back.getBundleId() != builtIn.getBundleId() && back.getState() == Bundle.ACTIVE && back.getLocation().equals(location));
        awaitBackends(List.of("emulated"));
        assertTrue(shell.exec("paravane:run hello --backend emulated").contains("hello, world"));
    }
}
