package org.paravane.asyncpf.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.api.asyncpf.AsyncPfAbi.AREA_FLAGS;
import static org.paravane.api.asyncpf.AsyncPfAbi.AREA_TOKEN;
import static org.paravane.api.asyncpf.AsyncPfAbi.DEFAULT_READY_VECTOR;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_DELIVERY_AS_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_ENABLED;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_SEND_ALWAYS;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_ACK;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_EN;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_INT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.GuestFaultResult;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.GuestApfContext;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.HostAsyncPf;
import org.paravane.api.asyncpf.HostFault;
import org.paravane.api.asyncpf.HostVcpuPort;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.asyncpf.guest.GuestFaultHandler;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.asyncpf.table.BucketedSleeperTable;
import org.paravane.asyncpf.wait.ScheduleWaiter;
import org.paravane.asyncpf.testing.ArenaGuestMemory;

/**
 * The host engine and the guest side together, randomized, for {@code asyncpf.stress.seconds}: in rounds, two vCPU
 * threads each run a simulated guest kernel with many tasks (more than the 64-fault limit) that touch random absent
 * pages. User tasks take the schedule wait and are descheduled; kernel tasks (preempt count 1) halt their vCPU, which
 * keeps taking "page ready" for the others; some accesses run with interrupts blocked (the host waits itself); pages
 * are shared so the same gfn faults again while in flight; the page source is slow and sometimes fails; the guest
 * now and then re-enables async PF (a wake-all, as after migration). Checked all along: I4 and I6 (the engine's own
 * check after every step), I5 (never two "page ready" without an ACK between), I1 (sampled: one live waiter per token),
 * no panic; at the end of each round: every task finished, nothing outstanding, and the guest table's books balance
 * (I2) once each vCPU's wake-all discarded what was left.
 */
class EndToEndStressTest {

    private static final int SECONDS = Integer.getInteger("asyncpf.stress.seconds", 2);
    private static final int VCPUS = 2;
    private static final int TASKS = 72;
    private static final int PAGES = 768;
    private static final int ACCESSES_PER_TASK = 24;

    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final LongAdder faults = new LongAdder();
    private final LongAdder failedAccesses = new LongAdder();
    private final LongAdder suspended = new LongAdder();
    private final LongAdder halted = new LongAdder();
    private final LongAdder reEnables = new LongAdder();

    @Test
    void guestAndHostKeepTheInvariantsUnderRandomLoad() throws Exception {
        AsyncPfHostService service = new AsyncPfHostService(HostFixture.config(3));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        int rounds = 0;
        long[] sum = new long[7];
        try {
            do {
                for (HostAsyncPf.Stats s : round(service, rounds)) {
                    sum[0] += s.asyncFaults();
                    sum[1] += s.syncFaults();
                    sum[2] += s.repeatedFaults();
                    sum[3] += s.pagesReady();
                    sum[4] += s.wakeAlls();
                    sum[5] += s.fetchErrors();
                    sum[6] += s.cancelled();
                }
                rounds++;
            } while (System.nanoTime() < deadline);
        } finally {
            service.deactivate();
        }
        System.out.printf("end-to-end stress: %d rounds, %,d host faults: %,d async, %,d host waits, %,d repeated, "
                        + "%,d page ready (%,d wake-all), %,d fetch errors; guest: %,d tasks descheduled, %,d halts, "
                        + "%,d failed accesses, %,d re-enables%n",
                rounds, faults.sum(), sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], suspended.sum(), halted.sum(),
                failedAccesses.sum(), reEnables.sum());
        assertThat(violations).isEmpty();
        assertThat(sum[0]).as("async faults delivered").isPositive();
        assertThat(sum[1]).as("host waits (over the limit or interrupts blocked)").isPositive();
        assertThat(sum[2]).as("repeated faults on a page in flight").isPositive();
        assertThat(suspended.sum()).as("schedule waits").isPositive();
        assertThat(halted.sum()).as("halt waits").isPositive();
    }

    private List<HostAsyncPf.Stats> round(AsyncPfHostService service, int round) throws Exception {
        try (ArenaGuestMemory memory = new ArenaGuestMemory(new SlowSource(round), PAGES)) {
            BucketedSleeperTable table = new BucketedSleeperTable("stress guest " + round);
            GuestFaultHandler handler = new GuestFaultHandler(new ScheduleWaiter(), new HaltWaiter());
            List<SimVcpu> vcpus = new ArrayList<>();
            for (int v = 0; v < VCPUS; v++) {
                vcpus.add(new SimVcpu(v, memory.memory(), service, table, handler, new SplittableRandom(round * 31L + v)));
            }
            List<Thread> threads = vcpus.stream().map(v -> Thread.ofPlatform().name("sim-vcpu-" + v.id).start(v::run)).toList();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                if (t.isAlive()) {
                    violations.add(t.getName() + " never finished its tasks (a lost wake or a stuck vCPU)");
                    throw new AssertionError("round " + round + ": " + t.getName() + " hung; " + violations);
                }
            }
            List<HostAsyncPf.Stats> stats = new ArrayList<>();
            for (SimVcpu v : vcpus) {
                stats.add(v.apf.stats());
                v.apf.close();
                table.wakeAll(v.id);   // what is left: dummies of readies that came after a wake-all had woken their task
            }
            SleeperTable.Stats s = table.stats();
            if (table.size() != 0) {
                violations.add("round " + round + ": left in the guest table " + table.snapshot());
            }
            if (s.dummiesCreated() != s.dummiesConsumed() + s.dummiesDiscarded()) {
                violations.add("round " + round + ": I2 dummies " + s);
            }
            return stats;
        }
    }

    /** Reads take 0..40 µs and one in 400 fails. */
    private static final class SlowSource implements PageSource {
        private final long seed;

        SlowSource(long seed) {
            this.seed = seed;
        }

        @Override
        public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
            SplittableRandom r = new SplittableRandom(seed ^ guestAddress ^ System.nanoTime());
            long until = System.nanoTime() + r.nextInt(40_000);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            if (r.nextInt(400) == 0) {
                throw new PageSourceException(guestAddress, "simulated read error");
            }
            destination.fill((byte) 1);
        }
    }

    /** A guest task: touches its pages in order; a descheduled task is put back on the run queue by its wake. */
    private static final class Task {
        static final int NONE = 0;
        static final int PERMIT = 1;
        static final int BLOCKED = 2;

        final int id;
        final boolean kernel;
        final boolean irqsOffSometimes;
        final long[] pages;
        int next;
        final AtomicInteger state = new AtomicInteger(NONE);

        Task(int id, boolean kernel, boolean irqsOffSometimes, long[] pages) {
            this.id = id;
            this.kernel = kernel;
            this.irqsOffSometimes = irqsOffSometimes;
            this.pages = pages;
        }

        boolean done() {
            return next == pages.length;
        }
    }

    private final class SimVcpu implements HostVcpuPort, GuestApfContext {
        private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();

        final int id;
        final GuestMemory memory;
        final BucketedSleeperTable table;
        final GuestFaultHandler handler;
        final SplittableRandom random;
        final VcpuAsyncPf apf;
        final MemorySegment area;
        final ConcurrentLinkedQueue<Task> runQueue = new ConcurrentLinkedQueue<>();
        final List<Task> tasks = new ArrayList<>();
        volatile Thread thread;
        // guest CPU state seen by the host
        volatile int cpl = 3;
        volatile boolean interruptsAllowed = true;
        long pendingPageFault = -1;
        int pendingInterrupts;
        final AtomicInteger readiesInFlight = new AtomicInteger();
        Task current;
        int steps;

        SimVcpu(int id, GuestMemory memory, AsyncPfHostService service, BucketedSleeperTable table, GuestFaultHandler handler,
                SplittableRandom random) throws PageSourceException {
            this.id = id;
            this.memory = memory;
            this.table = table;
            this.handler = handler;
            this.random = random;
            this.apf = (VcpuAsyncPf) service.attach(this);
            this.area = memory.slice(ArenaGuestMemory.area(id), 64);
            for (int t = 0; t < TASKS; t++) {
                long[] pages = new long[ACCESSES_PER_TASK];
                for (int i = 0; i < pages.length; i++) {
                    pages[i] = ArenaGuestMemory.page(random.nextInt(PAGES)) + random.nextInt(4096);
                }
                Task task = new Task(t, t % 6 == 5, t % 9 == 4, pages);
                tasks.add(task);
                runQueue.add(task);
            }
        }

        void run() {
            thread = Thread.currentThread();
            try {
                enable();
                while (tasks.stream().anyMatch(t -> !t.done()) || current != null) {
                    step();
                }
                drain();
                apf.checkInvariants();
            } catch (Throwable e) {
                violations.add("vCPU " + id + ": " + e);
                throw e;
            }
        }

        private void enable() {
            apf.writeMsr(MSR_ASYNC_PF_INT, DEFAULT_READY_VECTOR);
            apf.writeMsr(MSR_ASYNC_PF_EN, ArenaGuestMemory.area(id) | EN_ENABLED | EN_DELIVERY_AS_INT | EN_SEND_ALWAYS);
        }

        private void step() {
            apf.beforeEntry();
            apf.checkInvariants();
            if (++steps % 512 == 0) {
                checkOneWaiterPerToken();
            }
            if (random.nextInt(3000) == 0) {
                reEnables.increment();
                enable();   // CPU re-init / resume / migration restore: the host queues a wake-all
            }
            takePageFault();
            takeInterrupts();
            if (current == null) {
                current = runQueue.poll();
                if (current == null) {
                    idle();
                    return;
                }
            }
            Task t = current;
            if (t.done()) {
                current = null;
                return;
            }
            long gpa = t.pages[t.next];
            if (memory.isPresent(gpa)) {
                t.next++;
                return;
            }
            cpl = t.kernel ? 0 : 3;
            interruptsAllowed = !(t.irqsOffSometimes && random.nextBoolean());
            faults.increment();
            HostFaultResult d = apf.handle(new HostFault(id, gpa, 0x400000 + t.id, false, false));
            interruptsAllowed = true;
            switch (d) {
                case HostFaultResult.Injected i -> {
                    if (pendingPageFault != Integer.toUnsignedLong(i.token())) {
                        violations.add("Injected " + i + " without the #PF at the port");
                    }
                }
                case HostFaultResult.Failed f -> {
                    failedAccesses.increment();
                    t.next++;   // the task gets its SIGBUS and moves on
                }
                case HostFaultResult.Waited w -> {
                    if (w.outcome() == WaitOutcome.RELEASED) {
                        violations.add("host wait released while running: " + w);
                    }
                }
                case HostFaultResult.Present n -> {
                }
            }
        }

        /** The injected #PF reaches the guest before any interrupt (exception priority). */
        private void takePageFault() {
            if (pendingPageFault < 0) {
                return;
            }
            long cr2 = pendingPageFault;
            pendingPageFault = -1;
            Task t = current;
            if (t == null) {
                violations.add("a #PF with no task running");
                return;
            }
            int reason = readAndResetFlags();   // the guest's #PF entry, first of all
            GuestFault f = new GuestFault(id, GuestFault.Trigger.PAGE_FAULT, cr2, 0, reason, 0x400000 + t.id, t.kernel ? 0 : 3, true,
                    t.kernel ? 1 : 0, 0, false, PreemptionModel.PREEMPTIBLE, new TaskContext(t));
            GuestFaultResult d = handler.handle(f);
            if (!(d instanceof GuestFaultResult.Waited w)) {
                violations.add("guest decision for an async #PF: " + d);
                return;
            }
            switch (w.outcome()) {
                case SUSPENDED -> {
                    suspended.increment();
                    current = null;   // off the vCPU until its wake puts it back
                }
                case WOKEN, ALREADY_WOKEN -> {
                    if (t.kernel) {
                        halted.increment();
                    }
                }
                case RELEASED -> violations.add("guest wait released: " + w);
            }
        }

        private void takeInterrupts() {
            while (pendingInterrupts > 0) {
                pendingInterrupts--;
                GuestFaultResult d = handler.handle(new GuestFault(id, GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 0, 0, 0x400000, 3,
                        true, 0, 0, false, PreemptionModel.PREEMPTIBLE, this));
                if (!(d instanceof GuestFaultResult.Woke)) {
                    violations.add("page-ready interrupt gave " + d);
                }
            }
        }

        /** HLT with interrupts on: returns when an interrupt was taken or the vCPU was kicked. */
        private void idle() {
            apf.beforeEntry();
            if (pendingInterrupts > 0) {
                takeInterrupts();
                return;
            }
            // Nothing can wake this vCPU but a kick (a completion on the empty->non-empty edge, a task's wake, the
            // wake of a halted entry): a park that runs into its timeout means one was lost.
            long start = System.nanoTime();
            LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(5));
            if (System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(5)) {
                violations.add("vCPU " + id + " halted 5 s without a kick; outstanding " + apf.stats().outstanding()
                        + ", runnable " + runQueue.size());
            }
        }

        /** Deliver what is still outstanding (readies of tasks a wake-all woke early), so the books can be checked. */
        private void drain() {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (apf.stats().outstanding() > 0 && System.nanoTime() < until) {
                idle();
            }
            if (apf.stats().outstanding() > 0) {
                violations.add("vCPU " + id + ": " + apf.stats().outstanding() + " never delivered");
            }
        }

        private void checkOneWaiterPerToken() {
            Set<Integer> live = new HashSet<>();
            for (BucketedSleeperTable.Linked e : table.snapshot()) {
                if (e.kind() == BucketedSleeperTable.Kind.WAITER && !live.add(e.token())) {
                    violations.add("I1: two live waiters for token 0x" + Integer.toHexString(e.token()));
                }
            }
        }

        // ---- HostVcpuPort ----

        @Override
        public int vcpuId() {
            return id;
        }

        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public int cpl() {
            return cpl;
        }

        @Override
        public boolean interruptsAllowed() {
            return interruptsAllowed;
        }

        @Override
        public boolean exceptionPending() {
            return pendingPageFault >= 0;
        }

        @Override
        public boolean pagingEnabled() {
            return true;
        }

        @Override
        public void injectPageFault(long cr2, int errorCode) {
            if (pendingPageFault >= 0) {
                violations.add("a second #PF injected over a pending one");
            }
            pendingPageFault = cr2;
        }

        @Override
        public void injectInterrupt(int vector) {
            if (readiesInFlight.incrementAndGet() > 1) {
                violations.add("I5: a second page-ready before the ACK of the first");
            }
            pendingInterrupts++;
        }

        @Override
        public void kick() {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        // ---- GuestApfContext of this vCPU (page-ready interrupts) ----

        int readAndResetFlags() {
            return (int) U32.getAndSet(area, (long) AREA_FLAGS, 0);
        }

        @Override
        public int readToken() {
            return (int) U32.getVolatile(area, (long) AREA_TOKEN);
        }

        @Override
        public void clearToken() {
            U32.setVolatile(area, (long) AREA_TOKEN, 0);
        }

        @Override
        public void acknowledge() {
            readiesInFlight.decrementAndGet();
            apf.writeMsr(MSR_ASYNC_PF_ACK, 1);
        }

        @Override
        public SleeperTable sleepers() {
            return table;
        }

        @Override
        public Sleeper taskSleeper() {
            throw new AssertionError("an interrupt has no task to deschedule");
        }

        @Override
        public Sleeper vcpuSleeper() {
            return vcpuSleeper;
        }

        /** The vCPU halting for a kernel task: takes interrupts (page ready for anyone) while it waits. */
        private final Sleeper vcpuSleeper = new Sleeper() {
            @Override
            public int vcpu() {
                return id;
            }

            @Override
            public boolean sleep() {
                throw new AssertionError("the vCPU sleeper only halts");
            }

            @Override
            public void wakeUp() {
                throw new AssertionError("a halted vCPU is kicked");
            }

            @Override
            public void safeHalt() {
                idle();
            }

            @Override
            public void kick() {
                SimVcpu.this.kick();
            }
        };

        /** The #PF context of task {@code t}: the area of this vCPU, the task as the schedule sleeper. */
        private final class TaskContext implements GuestApfContext {
            private final Task task;

            TaskContext(Task task) {
                this.task = task;
            }

            @Override
            public int readToken() {
                return SimVcpu.this.readToken();
            }

            @Override
            public void clearToken() {
                SimVcpu.this.clearToken();
            }

            @Override
            public void acknowledge() {
                SimVcpu.this.acknowledge();
            }

            @Override
            public SleeperTable sleepers() {
                return table;
            }

            @Override
            public Sleeper vcpuSleeper() {
                return vcpuSleeper;
            }

            @Override
            public Sleeper taskSleeper() {
                return new Sleeper() {
                    @Override
                    public int vcpu() {
                        return id;
                    }

                    @Override
                    public boolean sleep() {
                        while (true) {
                            if (task.state.compareAndSet(Task.PERMIT, Task.NONE)) {
                                return true;
                            }
                            if (task.state.compareAndSet(Task.NONE, Task.BLOCKED)) {
                                return false;
                            }
                        }
                    }

                    @Override
                    public void wakeUp() {
                        while (true) {
                            int s = task.state.get();
                            if (s == Task.BLOCKED && task.state.compareAndSet(Task.BLOCKED, Task.NONE)) {
                                runQueue.add(task);
                                SimVcpu.this.kick();
                                return;
                            }
                            if (s == Task.NONE && task.state.compareAndSet(Task.NONE, Task.PERMIT) || s == Task.PERMIT) {
                                return;
                            }
                        }
                    }

                    @Override
                    public void safeHalt() {
                        throw new AssertionError("a task sleeper only schedules");
                    }

                    @Override
                    public void kick() {
                        throw new AssertionError("a task sleeper is woken up, not kicked");
                    }
                };
            }
        }
    }
}
