package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
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
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.PageFaultHandler;

/**
 * The async-PF providers leave while guest tasks wait on their tokens, then come back (issue 11): the whole
 * {@code asyncpf-service} bundle (host engine, guest handler, schedule waiter and tables at once), then the host engine
 * alone and the guest-side handler alone (their DS components disabled through {@link ServiceComponentRuntime}).
 * Every task finishes with the results of an undisturbed run; nothing hangs, nothing panics. On the software CPU
 * (KVM brings its own host side and is not usable everywhere).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class AsyncPfDepartureIT {
    private static final String SERVICE_BUNDLE = "org.paravane.asyncpf-service";
    private static final String ENGINE = "org.paravane.asyncpf.host";
    private static final String GUEST_HANDLER = "org.paravane.asyncpf.guest.GuestFaultHandler";
    /** Two scanners sleep on tokens (schedule waits) while a worker keeps the vCPU busy. */
    private static final String SCANNERS = "scanner:1 scanner:1 worker:100 --vcpus 1 --memory 8M --data-size 512K --backend emulated";
    /**
     * A kernel-mode scan in a non-preemptible section: every async fault is a halt wait, so the task never leaves its
     * vCPU and is still running (halted in the handler's wait) when the handler goes.
     */
    private static final String KERNEL_SCAN = "kscan:0 --vcpus 1 --memory 8M --data-size 256K --backend emulated";
    private static final String SEED = "pattern:83";

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor processor;

    @Inject
    ServiceComponentRuntime scr;

    private ParavaneShell shell;

    @Configuration
    public Option[] config() {
        return options(PaxExamSupport.distribution());
    }

    @Before
    public void setUp() throws Exception {
        shell = new ParavaneShell(processor);
        long deadline = System.currentTimeMillis() + 15_000;
        while (!shell.exec("paravane:backends").lines().anyMatch(l -> l.startsWith("emulated ") && l.contains(" yes "))) {
            assertTrue("the emulated backend is usable in 15 s", System.currentTimeMillis() < deadline);
            Thread.sleep(20);
        }
        await(AsyncPfHost.class);
        await(PageFaultHandler.class);
    }

    @Test
    public void theServiceBundleStopsWhileTasksWaitAndStartsAgain() throws Exception {
        Bundle service = bundle(SERVICE_BUNDLE);
        departAndReturn("bundle", SCANNERS, "schedule waits", this::slowestScanner, service::stop, () -> {
            service.start();
            await(AsyncPfHost.class);
            await(PageFaultHandler.class);
        });
    }

    @Test
    public void theHostEngineAloneLeavesWhileTasksWaitAndComesBack() throws Exception {
        ComponentDescriptionDTO engine = component(ENGINE);
        departAndReturn("engine", SCANNERS, "schedule waits", this::slowestScanner,
                () -> scr.disableComponent(engine).getValue(), () -> {
            scr.enableComponent(engine).getValue();
            await(AsyncPfHost.class);
        });
    }

    @Test
    public void theGuestHandlerAloneLeavesWhileTasksWaitAndComesBack() throws Exception {
        ComponentDescriptionDTO handler = component(GUEST_HANDLER);
        departAndReturn("handler", KERNEL_SCAN, "halt waits", this::pagesPresent,
                () -> scr.disableComponent(handler).getValue(), () -> {
            scr.enableComponent(handler).getValue();
            await(PageFaultHandler.class);
        });
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** How far a VM's guest has got, by some measure that only grows while it progresses. */
    @FunctionalInterface
    private interface Progress {
        long of(String vm) throws Exception;
    }

    /**
     * Runs the mix over slow memory, takes the provider away once both scanners have slept on tokens, lets the VM run
     * without it for a while, brings it back, and compares every task's exit code and reports with an undisturbed run.
     */
    private void departAndReturn(String name, String mix, String waits, Progress progress, Step leave, Step comeBack)
            throws Exception {
        Map<String, Map<String, Long>> expected = reference(name, mix);
        String vm = "leave-" + name;
        String out = shell.exec("paravane:run " + mix + " --source " + SEED + ",latency=10ms --name " + vm + " --detach");
        assertTrue(out, out.contains("started"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (shell.asyncPfCounter(vm, waits) < 2) {
            assertTrue("the tasks waited on tokens (" + waits + "): " + shell.exec("paravane:stats " + vm),
                    System.currentTimeMillis() < deadline);
            Thread.sleep(5);
        }

        leave.run();
        String during = shell.exec("paravane:stats " + vm);
        assertTrue(during, during.contains("running"));
        awaitProgress(vm, progress, 4);   // the guest goes on without the provider
        comeBack.run();

        assertEquals("finished", shell.awaitEnd(vm, 120_000));
        assertEquals("results equal an undisturbed run", expected, shell.results(vm));
    }

    private Map<String, Map<String, Long>> reference(String name, String mix) throws Exception {
        String vm = "ref-" + name;
        shell.exec("paravane:run " + mix + " --source " + SEED + " --name " + vm + " --detach");
        assertEquals("finished", shell.awaitEnd(vm, 60_000));
        Map<String, Map<String, Long>> r = shell.results(vm);
        r.forEach((task, m) -> assertEquals(task + " exits 0 in the reference run", 0L, (long) m.get("exit")));
        return r;
    }

    /** Waits until {@code progress} of {@code vm} has grown by {@code steps}, or the VM has finished. */
    private void awaitProgress(String vm, Progress progress, long steps) throws Exception {
        long start = progress.of(vm);
        long deadline = System.currentTimeMillis() + 30_000;
        while (progress.of(vm) - start < steps && !"finished".equals(shell.state(vm))) {
            assertTrue("the guest of " + vm + " progresses without the provider: " + shell.exec("paravane:stats " + vm),
                    System.currentTimeMillis() < deadline);
            Thread.sleep(5);
        }
    }

    /** The pages scanned by the scanner that is furthest behind (the WORK column); a large number once all exited. */
    private long slowestScanner(String vm) throws Exception {
        long least = Long.MAX_VALUE / 2;
        for (String line : shell.exec("paravane:stats " + vm).lines().toList()) {
            String[] c = line.trim().split("\\s+");
            if (c.length > 5 && c[1].equals("scanner.elf") && !c[2].equals("exited")) {
                least = Math.min(least, Long.parseLong(c[5]));
            }
        }
        return least;
    }

    /** Guest pages present in the VM's memory. */
    private long pagesPresent(String vm) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("memory: (\\d+) pages present")
                .matcher(shell.exec("paravane:stats " + vm));
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE / 2;
    }

    private ComponentDescriptionDTO component(String name) {
        ComponentDescriptionDTO d = scr.getComponentDescriptionDTO(bundle(SERVICE_BUNDLE), name);
        assertNotNull("component " + name + " of " + SERVICE_BUNDLE, d);
        return d;
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError(symbolicName + " is not installed"));
    }

    private <T> void await(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            assertNotNull(type.getSimpleName() + " registered in 15 s", tracker.waitForService(TimeUnit.SECONDS.toMillis(15)));
        } finally {
            tracker.close();
        }
    }
}
