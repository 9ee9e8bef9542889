package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.abi.linux.LinuxHost;
import org.paravane.vmm.kernel.abi.linux.LinuxLoader;
import org.paravane.vmm.kernel.abi.paravane.GuestAbi;
import org.paravane.vmm.kernel.abi.paravane.ParavaneAbi;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.mm.CurrentMemory;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.mm.PhysicalPages;

/**
 * The Java guest kernel of one VM, its wiring and lifecycle. It owns the guest's memory ({@code kernel.mm}), its tasks
 * and their run queues, and runs each vCPU's {@link CpuScheduler} on a platform thread of its own. Guest CPL0 code is
 * reduced to exit stubs: each vCPU's {@link TrapHandler} takes the exits, {@link SystemCalls} hands system calls to
 * the task's ABI ({@code kernel.abi}), and {@link GuestAsyncPf} takes async page faults to the guest-side
 * {@link PageFaultHandler} service and the guest's {@link SleeperTable}.
 *
 * <p>A kernel is {@link #start() started}, may be {@link #pause() paused} and {@link #resume() resumed} any number of
 * times (meanwhile the VM underneath can be replaced, {@link #replaceVm}: the kernel's state stays here, the vCPU
 * states and memory move), and ends with {@link #stop()} or a panic; both release every async-PF wait.
 */
public final class GuestKernel implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GuestKernel.class.getName());

    private volatile VirtualMachine vm;
    private final KernelConfig config;
    private final SleeperTable sleepers;
    private final Supplier<PageFaultHandler> guestHandler;
    private final GuestMemory memory = new CurrentMemory(() -> this.vm);
    private final PhysicalPages pages;
    private final AddressSpace kernelSpace;
    private final List<Task> tasks = new CopyOnWriteArrayList<>();
    private final RunQueue[] queues;
    private final Shootdowns shootdowns;
    private final CpuScheduler[] schedulers;
    private final Thread[] threads;
    private final AtomicInteger nextTask = new AtomicInteger(1);
    /** Tasks not yet exited, in all and per home vCPU (where a new task goes: the least loaded). */
    private final AtomicInteger live = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicIntegerArray homeLoad;
    private final long startNanos = System.nanoTime();
    private volatile boolean stopping;
    private final CountDownLatch waitsReleased = new CountDownLatch(1);
    private volatile String panic;
    /** Completed when the guest is done: its last task exited, it panicked, or it was stopped. */
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Object exits = new Object();
    private LinuxHost linuxHost;
    private final KernelTimer timer;
    private KernelPageFetches pageFetches;

    private final PauseGate pauseGate = new PauseGate(this::kickAll, this::liveSchedulers, () -> stopping);

    /**
     * @param vm           a fresh VM whose first region is the kernel's RAM at guest-physical 0 (not lazy); every other
     *                     region that is not lazy is RAM too (above the 32-bit hole)
     * @param sleepers     the guest's sleeper table, or null to run without async page faults
     * @param guestHandler the guest-side fault handler service as it is now (may return null)
     */
    public GuestKernel(VirtualMachine vm, KernelConfig config, SleeperTable sleepers, Supplier<PageFaultHandler> guestHandler) {
        this.vm = vm;
        this.config = config;
        this.sleepers = sleepers;
        this.timer = new KernelTimer(vm.spec().name());
        this.guestHandler = guestHandler;
        MemoryRegion ram = vm.spec().regions().getFirst();
        if (ram.guestAddress() != 0 || ram.lazy() || ram.size() < PlatformLayout.KERNEL_AREA_END + (1 << 20)) {
            throw new IllegalArgumentException("VM '" + vm.spec().name() + "': the guest kernel needs a non-lazy RAM region"
                    + " at guest-physical 0 of at least 3 MiB, got " + ram);
        }
        int vcpus = vm.vcpus().size();
        PlatformLayout.write(memory, vcpus);
        List<PhysicalPages.Range> free = new ArrayList<>();
        free.add(new PhysicalPages.Range(PlatformLayout.KERNEL_AREA_END, ram.size() - PlatformLayout.KERNEL_AREA_END));
        vm.spec().regions().stream().skip(1).filter(r -> !r.lazy())
                .forEach(r -> free.add(new PhysicalPages.Range(r.guestAddress(), r.size())));
        this.pages = new PhysicalPages(memory, free);
        this.shootdowns = new Shootdowns(vcpus, this::kick);
        this.kernelSpace = new AddressSpace(memory, pages, PlatformLayout.KERNEL_AREA_END, false, shootdowns);
        this.queues = new RunQueue[vcpus];
        this.homeLoad = new java.util.concurrent.atomic.AtomicIntegerArray(vcpus);
        this.schedulers = new CpuScheduler[vcpus];
        this.threads = new Thread[vcpus];
        for (int i = 0; i < vcpus; i++) {
            queues[i] = new RunQueue();
            schedulers[i] = new CpuScheduler(this, i);
            vm.vcpu(i).setState(PlatformLayout.initialState(i, kernelSpace.root()));
        }
    }

    /**
     * Loads {@code spec}'s image into a new address space and queues the task. Images flagged as kernel tasks run at
     * CPL0. Tasks go round-robin to the vCPUs' run queues.
     */
    public Task launch(TaskSpec spec) {
        if (spec.linux() != null) {
            return launchLinux(spec);
        }
        ElfImage image = spec.image();
        int cpl = image.kernelTask() ? 0 : 3;
        int id = nextTask.getAndIncrement();
        int home = (id - 1) % queues.length;
        AddressSpace space = new AddressSpace(memory, pages, PlatformLayout.KERNEL_AREA_END, cpl == 3, shootdowns);
        GeneralRegisters regs;
        try {
            regs = ProcessImage.load(space, spec, id);
        } catch (GuestAccessException | RuntimeException e) {
            space.release();
            throw new IllegalStateException("cannot load " + image.name() + ": " + e.getMessage(), e);
        }
        // Nothing in an image names its ABI yet, so every image speaks Paravane's unless the spec says otherwise.
        SyscallAbi abi = spec.abi() != null ? spec.abi() : ParavaneAbi.INSTANCE;
        Task task = new Task(id, spec.name(), cpl, home, abi, space, PlatformLayout.specialRegisters(home, cpl, space.root()), regs,
                space.translate(GuestAbi.INFO_VA, false), this);
        add(task);
        enqueue(task);
        return task;
    }

    /**
     * Starts {@code spec}'s Linux process: a user task under the Linux system call table of its own process. A file
     * that is no static x86-64 executable is an {@link IllegalArgumentException} naming what is wrong.
     */
    private Task launchLinux(TaskSpec spec) {
        int id = nextTask.getAndIncrement();
        int home = (id - 1) % queues.length;
        AddressSpace space = new AddressSpace(memory, pages, PlatformLayout.KERNEL_AREA_END, true, shootdowns);
        TaskConsole console = new TaskConsole(config.console());
        LinuxLoader.Start start;
        try {
            start = new LinuxLoader(PlatformLayout.KERNEL_AREA_END).load(space, spec.linux(), linuxHost(), id,
                    console.asLinuxConsole());
        } catch (InvalidImageException e) {
            space.release();
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (RuntimeException e) {
            space.release();
            throw new IllegalStateException("cannot start " + spec.linux().executablePath() + ": " + e.getMessage(), e);
        }
        Task task = new Task(id, spec.name(), 3, home, start.abi(), space, PlatformLayout.specialRegisters(home, 3, space.root()),
                start.registers(), -1, this);
        console.attach(task);
        add(task);
        enqueue(task);
        return task;
    }

    private void add(Task task) {
        live.incrementAndGet();
        homeLoad.incrementAndGet(task.home());
        tasks.add(task);
    }

    /** An id for a task a running task is about to create ({@link #spawn}). */
    int newTaskId() {
        return nextTask.getAndIncrement();
    }

    /**
     * Creates and queues task {@code id} for {@code parent}, which is in a system call on its vCPU: {@code spec}'s
     * address space (retained when it is the parent's), registers and FS base; the parent's GS base and x87/SSE state.
     * Its home is the vCPU with the fewest live tasks (the parent's on a tie), so threads spread over the VM's vCPUs.
     */
    Task spawn(Task parent, int id, org.paravane.vmm.kernel.abi.NewTask spec) {
        if (stopping) {
            throw new IllegalStateException("the guest kernel of VM '" + vm.spec().name() + "' is stopping");
        }
        int home = parent.home();
        for (int i = 1; i < queues.length; i++) {
            int candidate = (parent.home() + i) % queues.length;
            if (homeLoad.get(candidate) < homeLoad.get(home)) {
                home = candidate;
            }
        }
        AddressSpace space = spec.memory();
        if (space == parent.space) {
            space.retain();
        }
        org.paravane.api.cpu.SpecialRegisters fresh = PlatformLayout.specialRegisters(home, parent.cpl(), space.root());
        org.paravane.api.cpu.SegmentRegisters seg = fresh.segments();
        org.paravane.api.cpu.SegmentRegisters from = parent.specialRegisters.segments();
        seg = seg.withFs(seg.fs().withBase(spec.fsBase())).withGs(seg.gs().withBase(from.gs().base()));
        Task child = new Task(id, spec.name(), parent.cpl(), home, spec.abi(), space,
                new org.paravane.api.cpu.SpecialRegisters(seg, fresh.control(), fresh.gdt(), fresh.idt()),
                spec.registers(), -1, this);
        child.fpu = schedulers[parent.home()].fpu().stateOf(parent);
        child.spawned = true;
        add(child);
        enqueue(child);
        return child;
    }

    /** execve of {@code t}, in a system call on its vCPU: see {@link org.paravane.vmm.kernel.abi.SyscallTask#exec}. */
    void exec(Task t, AddressSpace space) {
        AddressSpace old = t.space;
        org.paravane.api.cpu.SpecialRegisters fresh = PlatformLayout.specialRegisters(t.home(), t.cpl(), space.root());
        t.space = space;
        t.specialRegisters = fresh;
        t.specialChanged = true;
        schedulers[t.home()].fpu().reset(t);
        old.release();
    }

    /**
     * Ends {@code t} from any thread: a task off its vCPU is woken to end when picked; a running one ends at its
     * vCPU's next exit (the kick makes one at once). The first request wins.
     */
    void requestEnd(Task t, int code, int signal, String failure) {
        if (t.endRequested == null) {
            t.endRequested = new Task.End(code, signal, failure);
        }
        t.sleeper.wakeUp();
        kick(t.home());
    }

    /** What the VM's Linux processes share, made when the first one starts. */
    private synchronized LinuxHost linuxHost() {
        if (linuxHost == null) {
            linuxHost = new LinuxHost(vm.spec().name(), config.linux(), config.cpuModel(), queues.length,
                    () -> pages.totalPages() * (long) GuestMemory.PAGE_SIZE, () -> pages.freePages() * (long) GuestMemory.PAGE_SIZE,
                    memory);
        }
        return linuxHost;
    }

    /**
     * Ctrl-C at the VM's console: each live task's ABI may take it (Linux's posts SIGINT to the foreground process
     * group). False when none did, so the caller decides (a VM of Paravane tasks is stopped).
     */
    public boolean interruptForeground() {
        return offerToLiveTasks("Ctrl-C", (abi, task) -> abi.consoleInterrupt(task));
    }

    /**
     * A shutdown request ({@code paravane:shutdown}): each live task's ABI may take it (Linux's posts SIGTERM to every
     * process). False when none did: nothing in the VM will end by itself, so the caller stops it.
     */
    public boolean requestTermination() {
        return offerToLiveTasks("a shutdown request", (abi, task) -> abi.terminateRequest(task));
    }

    private boolean offerToLiveTasks(String what, BiPredicate<SyscallAbi, SyscallTask> offer) {
        boolean taken = false;
        for (Task t : tasks) {
            if (t.state() != Task.State.EXITED) {
                try {
                    taken |= offer.test(t.abi(), t.syscallView());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, t + ": its ABI failed to take " + what, e);
                }
            }
        }
        return taken;
    }

    /** Wakes {@code t}, which waits in a timed sleep, once {@code nanos} have passed. */
    void wakeAfter(Task t, long nanos) {
        after(nanos, t.sleeper::wakeUp);
    }

    /**
     * Runs {@code action} on the kernel's timer thread once {@code nanos} have passed (at once when the kernel is
     * stopping: nothing will run its tasks anyway); the answer cancels it.
     */
    Runnable after(long nanos, Runnable action) {
        return timer.after(nanos, action);
    }

    /** The kernel's own fetches of absent pages (faults in kernel context), made at the first. */
    synchronized KernelPageFetches pageFetches() {
        if (pageFetches == null) {
            pageFetches = new KernelPageFetches(memory, vm.spec().name());
        }
        return pageFetches;
    }

    /** Starts one platform thread per vCPU. */
    public synchronized void start() {
        if (threads[0] != null) {
            throw new IllegalStateException("the guest kernel of VM '" + vm.spec().name() + "' is already started");
        }
        String name = vm.spec().name();
        for (int i = 0; i < schedulers.length; i++) {
            threads[i] = Thread.ofPlatform().name("paravane-" + name + "-vcpu" + i).daemon().start(schedulers[i]);
        }
    }

    /**
     * Waits until every task launched so far has exited (or the guest panicked); false on timeout.
     * Unlike {@link #done()}, which completes once, this also waits for tasks launched after an earlier end.
     */
    public boolean awaitTasks(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (exits) {
            while (panic == null && live.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(exits, left);
            }
            return true;
        }
    }

    /** Wakes {@link #awaitTasks} callers to look again: a task exited, the guest panicked or stopped. */
    private void signalExits() {
        synchronized (exits) {
            exits.notifyAll();
        }
    }

    /**
     * The signal that the guest is done: completes once the last task launched so far has exited, or the guest
     * panicked ({@link #panicReport()} says which), or the kernel was stopped; a kernel without tasks is done only when
     * stopped. Dependent stages run on the thread that ended the guest (often a vCPU thread): use an async stage for
     * anything that blocks or stops the kernel.
     */
    public CompletionStage<Void> done() {
        return done.minimalCompletionStage();
    }

    /** Stops every vCPU, ends all tasks still running and releases every waiter. Idempotent. */
    public void stop() {
        stopping = true;
        resume();
        releaseWaits();   // before the schedulers are joined
        kickAll();
        for (Thread t : threads) {
            if (t != null) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (t.isAlive()) {
                    LOG.warning(t.getName() + " did not stop within 10 s");
                }
            }
        }
        for (Task t : tasks) {
            if (t.state() != Task.State.EXITED && t.claimExit()) {
                t.exited(-1, panic != null ? "VM panicked: " + panic : "stopped");
                cancelBlocked(t);
                abiExited(t, -1, 9);
                t.space.release();
                live.decrementAndGet();
            }
        }
        synchronized (this) {
            timer.close();
            if (pageFetches != null) {
                pageFetches.close();
            }
        }
        done.complete(null);
        signalExits();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Pauses every vCPU between two runs (contexts saved in their tasks), so the VM underneath can be read, snapshot
     * or replaced. Returns once all vCPUs are parked.
     */
    public void pause() throws InterruptedException {
        pauseGate.pause();
    }

    public void resume() {
        pauseGate.resume();
    }

    boolean pauseRequested() {
        return pauseGate.requested();
    }

    /** Where a scheduler parks while the kernel is paused; returns at once otherwise. */
    void pausePoint(CpuScheduler scheduler) {
        if (pauseGate.parkIfRequested() && !stopping) {   // a VM that ends while parked has no vCPUs left to configure
            scheduler.vcpuReplaced();
        }
    }

    private int liveSchedulers() {
        int n = 0;
        for (Thread t : threads) {
            n += t != null && t.isAlive() ? 1 : 0;
        }
        return n;
    }

    /**
     * Replaces the VM underneath while the kernel is paused: the caller has created {@code target} with the same spec,
     * copied memory and vCPU states. The kernel goes on with {@code target} on {@link #resume()}.
     */
    public void replaceVm(VirtualMachine target) {
        if (!pauseGate.requested()) {
            throw new IllegalStateException("replace the VM only while the kernel is paused");
        }
        vm = target;
    }

    /** Queues a RUNNABLE task on its vCPU and wakes that vCPU. */
    void enqueue(Task task) {
        queues[task.home()].add(task);
        kick(task.home());
    }

    private void kickAll() {
        for (int i = 0; i < schedulers.length; i++) {
            kick(i);
        }
    }

    /** The VM's TLB shootdown (each scheduler holds its vCPU's side; tests read its counts). */
    Shootdowns shootdowns() {
        return shootdowns;
    }

    /** The scheduler of {@code vcpu} (tests read its FP switch). */
    CpuScheduler scheduler(int vcpu) {
        return schedulers[vcpu];
    }

    void kick(int vcpu) {
        CpuScheduler scheduler = schedulers[vcpu];
        if (scheduler != null) {
            scheduler.kick();
        }
    }

    /** The guest can no longer run: keep the report, release every wait and send every vCPU out of its loop. */
    void panic(String report) {
        if (panic == null) {
            panic = report;
            LOG.log(Level.SEVERE, "VM " + vm.spec().name() + " panicked: " + report);
        }
        stopping = true;
        pauseGate.stopping();
        releaseWaits();
        kickAll();
        done.complete(null);
        signalExits();
    }

    /** Once stopping: ends every async-PF wait (halt and schedule) with RELEASED, and signals that it has. */
    private void releaseWaits() {
        try {
            if (sleepers != null) {
                sleepers.close();
            }
        } finally {
            waitsReleased.countDown();
        }
    }

    /**
     * Where a halt wait blocks once the kernel is stopping: its entry is released (or is about to be), so it returns
     * when {@link #releaseWaits()} has run, and the waiter sees the release instead of halting again and again.
     */
    void awaitWaitsReleased() {
        try {
            waitsReleased.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends {@code t}: {@code signal} is the signal that killed it (9 for the kernel's own kills), or 0 when it exited
     * with {@code code}. Only the first end of a task counts.
     */
    void exitTask(Task t, int code, int signal, String failure) {
        if (!t.claimExit()) {
            return;
        }
        if (failure != null) {
            String line = t + " killed: " + failure;
            LOG.warning("VM " + vm.spec().name() + ": " + line);
            t.appendOutput("[kernel] " + line + "\n");
            config.console().write(t, "[kernel] " + line + "\n");
        }
        cancelBlocked(t);
        abiExited(t, code, signal);
        t.space.release();
        t.exited(code, failure);
        homeLoad.decrementAndGet(t.home());
        if (t.spawned) {
            tasks.remove(t);   // a process's children come and go; launched tasks stay for their reports
        }
        if (live.decrementAndGet() == 0) {
            done.complete(null);   // the last one: whoever exits last sees every task exited
        }
        signalExits();
    }

    /** A task that ends while blocked in a system call leaves the wait queues its call joined. */
    private void cancelBlocked(Task t) {
        var b = t.blocked;
        t.blocked = null;
        if (b != null) {
            try {
                b.cancel();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, t + ": its blocked call failed to cancel", e);
            }
        }
    }

    private void abiExited(Task t, int code, int signal) {
        try {
            t.abi().exited(t.syscallView(), code, signal);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, t + ": its ABI failed to let go of its state", e);
        }
    }

    /** The task's work counter (struct pv_info.work). */
    public long workOf(Task t) {
        try {
            return memory.slice(t.infoPage() + GuestAbi.INFO_WORK, 8).get(JAVA_LONG_UNALIGNED, 0);
        } catch (PageSourceException | RuntimeException e) {
            return 0;
        }
    }

    // --- accessors for the schedulers and for the manager ---

    public VirtualMachine vm() {
        return vm;
    }

    /** The current VM's memory, whichever backend it is on. */
    GuestMemory memory() {
        return memory;
    }

    Vcpu vcpu(int i) {
        return vm.vcpu(i);
    }

    KernelConfig config() {
        return config;
    }

    SleeperTable sleepers() {
        return sleepers;
    }

    /** Counters of the guest's sleeper table, or null when the guest runs without async page faults. */
    public SleeperTable.Stats sleeperStats() {
        return sleepers == null ? null : sleepers.stats();
    }

    public KernelConfig configuration() {
        return config;
    }

    PageFaultHandler guestHandler() {
        return guestHandler.get();
    }

    boolean asyncPfWanted() {
        return sleepers != null && config.waitPolicy() != WaitPolicy.OFF;
    }

    RunQueue queue(int vcpu) {
        return queues[vcpu];
    }

    AddressSpace kernelSpace() {
        return kernelSpace;
    }

    boolean stopping() {
        return stopping;
    }

    /** The panic report, or null. */
    public String panicReport() {
        return panic;
    }

    long nanosSinceStart() {
        return System.nanoTime() - startNanos;
    }

    public List<Task> tasks() {
        return List.copyOf(tasks);
    }

    /** The VM's Linux processes as a tree ({@link LinuxHost#processTree()}); empty when it runs none. */
    public List<org.paravane.vmm.kernel.abi.linux.ProcessInfo> linuxProcesses() {
        LinuxHost host;
        synchronized (this) {
            host = linuxHost;
        }
        return host == null ? List.of() : host.processTree();
    }

    /** Counters of every vCPU. */
    public List<GuestVcpuStats> vcpuStats() {
        List<GuestVcpuStats> out = new ArrayList<>();
        for (CpuScheduler l : schedulers) {
            out.add(l.stats());
        }
        return out;
    }

    public int freePages() {
        return pages.freePages();
    }
}
