package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.paravane.itest.PaxExamSupport.file;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
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
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.util.tracker.ServiceTracker;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.GuestApfContext;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.GuestFaultResult;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.SleeperTableFactory;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;

/**
 * The async page fault bundles in a real Felix: both waiters resolve with their properties next to the guest-side
 * handler, the table factory and the host engine; stopping the halt waiter's bundle while vCPUs are halted in it ends
 * their waits RELEASED (the synchronous fallback) and the handler keeps serving with what is left; starting it again
 * brings halt waits back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class AsyncPfIT {

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor shell;

    private final ExecutorService vcpus = Executors.newCachedThreadPool();

    @Configuration
    public Option[] config() {
        return options(PaxExamSupport.container(), file("bundle.vmm"), file("bundle.asyncpf-service"),
                file("bundle.asyncpf-halt-waiter"));
    }

    @Before
    public void waitForServices() {
        service(AsyncPfWaiter.class, "(wait.mode=halt)");
        service(AsyncPfWaiter.class, "(wait.mode=schedule)");
    }

    @After
    public void stopThreads() {
        vcpus.shutdownNow();
    }

    @Test
    public void bothWaitersResolveWithTheirPropertiesBesideTheOtherServices() throws Exception {
        ServiceReference<AsyncPfWaiter> schedule = reference(AsyncPfWaiter.class, "(wait.mode=schedule)");
        ServiceReference<AsyncPfWaiter> halt = reference(AsyncPfWaiter.class, "(wait.mode=halt)");
        assertEquals("org.paravane.asyncpf-service", schedule.getBundle().getSymbolicName());
        assertEquals("org.paravane.asyncpf-halt-waiter", halt.getBundle().getSymbolicName());
        assertEquals(WaitMode.SCHEDULE, context.getService(schedule).mode());
        assertEquals(WaitMode.HALT, context.getService(halt).mode());
        assertNotNull(reference(PageFaultHandler.class, null));
        assertNotNull(reference(SleeperTableFactory.class, null));
        assertNotNull(reference(AsyncPfHost.class, null));
        for (String bsn : List.of("org.paravane.asyncpf-service", "org.paravane.asyncpf-halt-waiter")) {
            Bundle b = bundle(bsn);
            assertEquals(bsn + " active", Bundle.ACTIVE, b.getState());
            assertTrue(bsn + " keeps its packages private",
                    b.adapt(BundleRevision.class).getDeclaredCapabilities("osgi.wiring.package").isEmpty());
        }
        String wiring = execute("paravane:wiring");
        assertTrue(wiring, wiring.contains("wait.mode=schedule"));
        assertTrue(wiring, wiring.contains("wait.mode=halt"));
        assertFalse("one handler type per side: no side property", wiring.contains("fault.side"));
        String apf = execute("paravane:asyncpf");
        assertTrue(apf, apf.contains("halt: halt waiter"));
        assertTrue(apf, apf.contains("schedule: schedule waiter"));
        assertTrue(apf, apf.contains("host engine: 4 fetch threads"));
    }

    @Test
    public void stoppingTheHaltWaiterReleasesHaltedVcpusAndTheHandlerFallsBack() throws Exception {
        PageFaultHandler handler = service(PageFaultHandler.class, null);
        SleeperTable table = service(SleeperTableFactory.class, null).create("itest guest");

        // Three vCPUs halt in kernel code (preempt count 1), one task sleeps in user mode.
        List<Future<GuestFaultResult>> halted = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            halted.add(fault(handler, table, v, (1 << 12) | v, 0, 1));
        }
        Future<GuestFaultResult> task = fault(handler, table, 3, (1 << 12) | 3, 3, 0);
        await(() -> table.size() == 4, "4 waits enqueued");

        Bundle haltBundle = bundle("org.paravane.asyncpf-halt-waiter");
        haltBundle.stop();
        for (int v = 0; v < 3; v++) {
            GuestFaultResult d = halted.get(v).get(10, TimeUnit.SECONDS);
            assertEquals(new GuestFaultResult.Waited((1 << 12) | v, WaitMode.HALT, WaitOutcome.RELEASED), d);
        }
        assertFalse("the schedule wait is not affected", task.isDone());
        assertEquals("released entries stay to absorb their wakes", 4, table.size());

        // The host's readies for the released tokens arrive later: absorbed, no dummy left behind.
        for (int v = 0; v < 3; v++) {
            pageReady(handler, table, v, (1 << 12) | v);
        }
        assertEquals(1, table.size());
        assertEquals(0, table.stats().dummiesCreated());

        // Still serving: schedule waits as before, halts synchronously.
        pageReady(handler, table, 3, (1 << 12) | 3);
        assertEquals(new GuestFaultResult.Waited((1 << 12) | 3, WaitMode.SCHEDULE, WaitOutcome.WOKEN), task.get(10, TimeUnit.SECONDS));
        GuestFaultResult sync = fault(handler, table, 0, (2 << 12), 0, 1).get(10, TimeUnit.SECONDS);
        assertEquals(new GuestFaultResult.Waited(2 << 12, WaitMode.HALT, WaitOutcome.RELEASED), sync);
        pageReady(handler, table, 0, 2 << 12);
        Future<GuestFaultResult> userTask = fault(handler, table, 1, (2 << 12) | 1, 3, 0);
        await(() -> table.size() == 1, "a schedule wait without the halt waiter");
        pageReady(handler, table, 1, (2 << 12) | 1);
        assertEquals(WaitOutcome.WOKEN, ((GuestFaultResult.Waited) userTask.get(10, TimeUnit.SECONDS)).outcome());

        // Started again, halts wait again.
        haltBundle.start();
        service(AsyncPfWaiter.class, "(wait.mode=halt)");
        Future<GuestFaultResult> haltAgain = fault(handler, table, 2, (3 << 12) | 2, 0, 1);
        await(() -> table.size() == 1, "a halt wait");
        assertFalse(haltAgain.isDone());
        pageReady(handler, table, 2, (3 << 12) | 2);
        assertEquals(new GuestFaultResult.Waited((3 << 12) | 2, WaitMode.HALT, WaitOutcome.WOKEN), haltAgain.get(10, TimeUnit.SECONDS));
        assertEquals(0, table.size());
        table.close();
    }

    @Test
    public void stoppingTheServiceBundleReleasesEveryWaitOfItsTables() throws Exception {
        PageFaultHandler handler = service(PageFaultHandler.class, null);
        SleeperTable table = service(SleeperTableFactory.class, null).create("itest guest");
        Future<GuestFaultResult> task = fault(handler, table, 0, 1 << 12, 3, 0);
        Future<GuestFaultResult> halt = fault(handler, table, 1, (1 << 12) | 1, 0, 1);
        await(() -> table.size() == 2, "two waits");
        bundle("org.paravane.asyncpf-service").stop();
        assertEquals(WaitOutcome.RELEASED, ((GuestFaultResult.Waited) task.get(10, TimeUnit.SECONDS)).outcome());
        assertEquals(WaitOutcome.RELEASED, ((GuestFaultResult.Waited) halt.get(10, TimeUnit.SECONDS)).outcome());
        assertEquals("no thread left parked, nothing left linked", 0, table.size());
    }

    // ---- a guest vCPU as the guest kernel would drive the handler ----

    /** An async "not present" for {@code token} on {@code vcpu}, handled on a thread of its own (it may block). */
    private Future<GuestFaultResult> fault(PageFaultHandler handler, SleeperTable table, int vcpu, int token, int cpl, int preemptCount) {
        return vcpus.submit(() -> {
            Context ctx = new Context(table, vcpu);
            return handler.handle(new GuestFault(vcpu, GuestFault.Trigger.PAGE_FAULT, Integer.toUnsignedLong(token), 0,
                    AsyncPfAbi.FLAG_PAGE_NOT_PRESENT, 0xffffffff81000000L, cpl, true, preemptCount, 0, false, PreemptionModel.PREEMPTIBLE, ctx));
        });
    }

    private static void pageReady(PageFaultHandler handler, SleeperTable table, int vcpu, int token) {
        Context ctx = new Context(table, vcpu);
        ctx.token.set(token);
        GuestFaultResult d = handler.handle(new GuestFault(vcpu, GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 0, 0, 0x401000, 3, true,
                0, 0, false, PreemptionModel.PREEMPTIBLE, ctx));
        assertEquals(new GuestFaultResult.Woke(token), d);
        assertEquals(0, ctx.token.get());
        assertEquals(1, ctx.acks.get());
    }

    /** One vCPU's area and MSR, with the calling thread as both the task and the vCPU. */
    static final class Context implements GuestApfContext {
        final AtomicInteger token = new AtomicInteger();
        final AtomicInteger acks = new AtomicInteger();
        private final SleeperTable table;
        private final ParkingSleeper sleeper;

        Context(SleeperTable table, int vcpu) {
            this.table = table;
            this.sleeper = new ParkingSleeper(vcpu, Thread.currentThread());
        }

        @Override
        public int readToken() {
            return token.get();
        }

        @Override
        public void clearToken() {
            token.set(0);
        }

        @Override
        public void acknowledge() {
            acks.incrementAndGet();
        }

        @Override
        public SleeperTable sleepers() {
            return table;
        }

        @Override
        public Sleeper taskSleeper() {
            return sleeper;
        }

        @Override
        public Sleeper vcpuSleeper() {
            return sleeper;
        }
    }

    /** park/unpark with LockSupport's permit, as the Sleeper contract asks. */
    record ParkingSleeper(int vcpu, Thread thread) implements Sleeper {
        @Override
        public boolean sleep() {
            LockSupport.park(this);
            return true;
        }

        @Override
        public void wakeUp() {
            LockSupport.unpark(thread);
        }

        @Override
        public void safeHalt() {
            LockSupport.park(this);
        }

        @Override
        public void kick() {
            LockSupport.unpark(thread);
        }
    }

    // ---- OSGi plumbing ----

    private <S> S service(Class<S> type, String filter) {
        try {
            String f = "(&(objectClass=" + type.getName() + ")" + (filter == null ? "" : filter) + ")";
            ServiceTracker<S, S> tracker = new ServiceTracker<>(context, context.createFilter(f), null);
            tracker.open();
            S s = tracker.waitForService(10_000);
            assertNotNull(type.getSimpleName() + " " + filter + " not registered", s);
            return s;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private <S> ServiceReference<S> reference(Class<S> type, String filter) throws Exception {
        Collection<ServiceReference<S>> refs = context.getServiceReferences(type, filter);
        assertEquals(type.getSimpleName() + " " + filter, 1, refs.size());
        return refs.iterator().next();
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError(symbolicName + " not installed"));
    }

    private String execute(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             CommandSession session = shell.createSession(System.in, out, out)) {
            Object result = session.execute(command);
            return bytes.toString(StandardCharsets.UTF_8) + result;
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }
}
