package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.util.Dictionary;
import java.util.Hashtable;
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
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The shell as a new user meets it: usage lines for missing arguments, units for durations, clear messages for
 * arguments that are not numbers and moves that go nowhere, automatic names that never collide, a bounded history of
 * ended VMs, the console output of detached VMs, and a foreground run that a timeout ends.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT {

    @Inject
    BundleContext context;

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

    @Test
    public void aCommandWithoutItsArgumentsPrintsItsUsage() throws Exception {
        assertEquals("usage: paravane:stats <vm> (paravane:vms lists the VMs)", shell.fails("paravane:stats"));
        assertTrue(shell.fails("paravane:migrate"), shell.fails("paravane:migrate").startsWith("usage: paravane:migrate <vm> <backend>"));
        assertTrue(shell.fails("paravane:migrate vm1").startsWith("usage: paravane:migrate <vm> <backend>"));
        assertTrue(shell.fails("paravane:snapshot").startsWith("usage: paravane:snapshot <vm> <file>"));
        assertTrue(shell.fails("paravane:console").startsWith("usage: paravane:console [--follow] <vm>"));
    }

    @Test
    public void stopStaysFelixsBundleCommandAndKillStopsAVm() throws Exception {
        assertNull("no paravane:stop to shadow Felix's stop <bundle>",
                context.getServiceReferences((String) null, "(&(osgi.command.scope=paravane)(osgi.command.function=stop))"));
        shell.exec("paravane:run --detach --name victim --backend emulated worker:0");
        assertEquals("VM victim stopped", shell.exec("paravane:kill victim"));
        assertEquals("stopped", shell.state("victim"));
    }

    @Test
    public void theDemoTakesDurationsWithUnits() throws Exception {
        String out = shell.exec("paravane:demo --backend emulated --latency 100us --time 200ms --slice 1ms --no-mips");
        assertTrue(out, out.contains("(100 us per page)"));
        assertTrue(out, out.contains("0.2 s per run"));
        assertTrue(out, out.contains("gain (synthetic, emulated)"));
        assertTrue(out, out.contains("gain (busybox-dd, emulated)") && out.contains("gain (busybox-sha256sum, emulated)")
                || out.contains("experiment with Linux programs skipped"));
        String refused = shell.fails("paravane:demo --backend emulated --latency fast");
        assertTrue(refused, refused.contains("--latency 'fast' is not a duration like 100us, 3ms, 2s or 1m"));
    }

    @Test
    public void theDemosMipsTableRunsTheInterpreterByVmOptionLeavingTheConfigurationAlone() throws Exception {
        String before = emulatedConfiguration();
        String out = shell.exec("paravane:demo --backend emulated --experiment synthetic --rounds 1 --latency 100us"
                + " --time 200ms --slice 1ms");
        assertTrue(out, out.matches("(?s).*kernel +M instr +interpreter +translator +\\(1st run\\) +transl/interp\n  cpu_alu .*"));
        assertEquals("the software CPU's configuration as it was (no change, not even put back)", before,
                emulatedConfiguration());
        String backends = shell.exec("paravane:backends");
        assertTrue(backends, backends.contains("hot blocks translated") && !backends.contains("interpreted"));
    }

    /** The configuration of PID org.paravane.emulated with its change count, or "none". */
    private String emulatedConfiguration() throws Exception {
        org.osgi.service.cm.Configuration[] found = configAdmin.listConfigurations("(service.pid=org.paravane.emulated)");
        if (found == null) {
            return "none";
        }
        Dictionary<String, Object> p = found[0].getProperties();
        java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
        if (p != null) {
            for (String k : java.util.Collections.list(p.keys())) {
                sorted.put(k, p.get(k));
            }
        }
        return "change " + found[0].getChangeCount() + ": " + sorted;
    }

    @Test
    public void aVmTakesBackendOptionsFromTheShellAndABadOneIsRefusedByName() throws Exception {
        String out = shell.exec("paravane:run --backend emulated --option emulated.translation=false"
                + " -o emulated.translationThreshold=0 -o kvm.ignored=here hello");
        assertTrue(out, out.contains("exited with 0"));
        shell.exec("paravane:run --detach --name optioned --backend emulated -o emulated.translation=false worker:0");
        String stats = shell.exec("paravane:stats optioned");
        assertTrue(stats, stats.contains("backend options: emulated.translation=false"));
        shell.exec("paravane:kill optioned");
        String unknown = shell.fails("paravane:run --backend emulated -o emulated.translate=off hello");
        assertTrue(unknown, unknown.contains("unknown backend option emulated.translate=off")
                && unknown.contains("emulated.translationThreshold"));
        String bad = shell.fails("paravane:run --backend emulated -o emulated.translationThreshold=-1 hello");
        assertTrue(bad, bad.contains("emulated.translationThreshold = '-1'"));
        String malformed = shell.fails("paravane:run --backend emulated -o translation=false hello");
        assertTrue(malformed, malformed.contains("--option: 'translation=false' is not backend.key=value"));
    }

    /** A Linux test program of guests/linux as the guests module built it. */
    static String linuxProgram(String name) {
        java.io.File f = new java.io.File(System.getProperty("paravane.root", ".."), "guests/target/classes/guests/linux/" + name);
        assertTrue("built by the guests module: " + f, f.isFile());
        return f.getAbsolutePath();
    }

    @Test
    public void aLinuxProgramRunsWithItsArgumentsAndEndsWithItsExitStatus() throws Exception {
        String out = shell.exec("paravane:run --backend emulated " + linuxProgram("args") + " one 'two words' -n --backend");
        assertTrue(out, out.contains("argv[1]=one\nargv[2]=two words\nargv[3]=-n\nargv[4]=--backend\n"));
        assertTrue(out, out.contains("args: ok"));
        assertFalse("nothing but the program's output for status 0: " + out, out.contains("exit status"));
        String killed = shell.exec("paravane:run --backend emulated " + linuxProgram("faults") + " segv");
        assertTrue(killed, killed.contains("fault: segv") && killed.contains("killed by SIGSEGV"));
        assertTrue(killed, killed.contains("exit status 139"));
    }

    @Test
    public void aDetachedLinuxProgramsOutputGoesToItsConsoleAndItsCallsToStats() throws Exception {
        String started = shell.exec("paravane:run --detach --name lx --backend emulated " + linuxProgram("args") + " a b");
        assertTrue(started, started.contains("VM lx started"));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!"finished".equals(shell.state("lx")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        String console = shell.exec("paravane:console lx");
        assertTrue(console, console.contains("argv[1]=a") && console.contains("argv[2]=b") && console.contains("args: ok"));
        String stats = shell.exec("paravane:stats lx");
        assertTrue(stats, stats.contains("TOP CALLS BY TIME"));
        assertTrue("task 1's calls named as Linux names them: " + stats, stats.lines().anyMatch(l -> l.matches(
                "1\\s+\\d+\\s+.*\\b(write|brk|exit_group|arch_prctl|set_tid_address|uname|newfstatat|mprotect|getrandom"
                        + "|prlimit64|readlinkat|rseq|set_robust_list|readlink|ioctl) \\d+x.*")));
    }

    @Test
    public void anImageArgumentThatIsNotANumberIsNamed() throws Exception {
        String refused = shell.fails("paravane:run hello:abc");
        assertTrue(refused, refused.contains("must be a whole number, like hello:3; got 'abc'"));
        assertTrue(shell.exec("paravane:run hello:7 --backend emulated").contains("hello, world"));
    }

    @Test
    public void theCpuModelIsChosenByNameAndShownInTheStats() throws Exception {
        String out = shell.exec("paravane:run --backend emulated --cpu paravane-0 cpuinfo");
        assertTrue(out, out.contains("cpuid 00000000.00: 00000007 61726150 55504356 656e6176"));   // "ParavaneVCPU"
        shell.exec("paravane:run --detach --name modelled --backend emulated --cpu paravane-1 worker:0");
        String stats = shell.exec("paravane:stats modelled");
        assertTrue(stats, stats.contains("CPU model paravane-1"));
        shell.exec("paravane:kill modelled");
        String refused = shell.fails("paravane:run --backend emulated --cpu host hello");
        assertTrue(refused, refused.contains("CPU model 'host'") && refused.contains("backend 'emulated' has none"));
        assertTrue(shell.fails("paravane:run --cpu pentium hello").contains("unknown CPU model 'pentium'"));
    }

    @Test
    public void migratingToTheBackendAVmIsOnSaysItIsAlreadyThere() throws Exception {
        shell.exec("paravane:run --detach --name stay --backend emulated worker:0");
        assertEquals("VM 'stay' already runs on emulated", shell.fails("paravane:migrate stay emulated"));
        assertEquals("running", shell.state("stay"));
        shell.exec("paravane:kill stay");
    }

    @Test
    public void automaticNamesSkipTheNamesUsersGave() throws Exception {
        String first = shell.exec("paravane:run --detach --backend emulated worker:0");
        int n = Integer.parseInt(first.replaceAll("(?s).*VM vm(\\d+) started.*", "$1"));
        shell.exec("paravane:run --detach --backend emulated --name vm" + (n + 1) + " worker:0");
        String next = shell.exec("paravane:run --detach --backend emulated worker:0");
        assertTrue(next, next.contains("VM vm" + (n + 2) + " started"));
        for (int i = 0; i < 3; i++) {
            shell.exec("paravane:kill vm" + (n + i));
        }
    }

    @Test
    public void endedVmsAreKeptUpToTheHistorySizeAndCanBeCleared() throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.paravane.vmm", "?");
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("historySize", 2);
        c.update(d);
        try {
            // the configuration applies asynchronously: run until a VM drops out of the list
            long deadline = System.currentTimeMillis() + 15_000;
            int i = 0;
            while (shell.state("old0") != null && System.currentTimeMillis() < deadline || i < 4) {
                shell.exec("paravane:run --detach --backend emulated --name old" + i + " hello");
                shell.awaitEnd("old" + i, 30_000);
                i++;
            }
            assertNull("the oldest ended VM is forgotten:\n" + shell.exec("paravane:vms"), shell.state("old0"));
            assertEquals("finished", shell.state("old" + (i - 1)));
            assertEquals("finished", shell.state("old" + (i - 2)));
            assertNull(shell.state("old" + (i - 3)));
            String cleared = shell.exec("paravane:vms --clear");
            assertTrue(cleared, cleared.matches("(?s)\\d+ ended VMs? forgotten"));
            assertNull(shell.state("old" + (i - 1)));
        } finally {
            c.delete();
        }
    }

    @Test
    public void aDetachedVmsConsoleIsKeptAndCanBeFollowed() throws Exception {
        shell.exec("paravane:run --detach --backend emulated --name said hello");
        shell.awaitEnd("said", 30_000);
        String console = shell.exec("paravane:console said");
        assertTrue(console, console.contains("hello, world from task 1"));

        shell.exec("paravane:run --detach --backend emulated --name greeter cpu_fib:1 hello");
        String followed = shell.exec("paravane:console --follow greeter");   // returns when the VM ends
        assertTrue(followed, followed.contains("hello, world from task 2"));
        assertTrue(followed, followed.endsWith("VM greeter finished"));
    }

    @Test
    public void aForegroundRunEndsAtItsTimeoutAndTheContainerCarriesOn() throws Exception {
        shell.exec("paravane:run --detach --backend emulated --name bystander worker:0");
        String stopped = shell.fails("paravane:run --backend emulated --name endless --timeout 300ms worker:0");
        assertTrue(stopped, stopped.contains("VM endless was stopped by --timeout 300 ms; the container and other VMs keep running"));
        assertFalse("the stopped foreground VM is not left running", "running".equals(shell.state("endless")));
        assertEquals("running", shell.state("bystander"));
        shell.exec("paravane:kill bystander");
    }
}
