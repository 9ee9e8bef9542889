package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.x86.LongMode;

/**
 * The Java guest kernel of one VM: it owns the guest's page tables, tasks, run queues and hypercalls and runs each
 * vCPU on a dedicated platform thread ({@link VcpuLoop}). Guest CPL0 code is reduced to exit stubs; traps, faults,
 * "page ready" and hypercalls are handled here. The guest side of async page faults goes through the guest-side
 * {@link PageFaultHandler} service and the guest's {@link SleeperTable}.
 *
 * <p>The VM underneath can be replaced while tasks run ({@link #migrate}): the kernel state stays here, the vCPU
 * states and memory move.
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
    private final VcpuLoop[] loops;
    private final Thread[] threads;
    private final AtomicInteger nextTask = new AtomicInteger(1);
    private final long startNanos = System.nanoTime();
    private volatile boolean stopping;
    private volatile String panic;
    /** Completed when the guest is done: its last task exited, it panicked, or it was stopped. */
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private final Object pauseLock = new Object();
    private boolean pauseRequested;
    private int pausedLoops;
    private volatile boolean paused;

    /**
     * @param vm           a fresh VM whose first region is the kernel's RAM at guest-physical 0 (not lazy)
     * @param sleepers     the guest's sleeper table, or null to run without async page faults
     * @param guestHandler the guest-side fault handler service as it is now (may return null)
     */
    public GuestKernel(VirtualMachine vm, KernelConfig config, SleeperTable sleepers, Supplier<PageFaultHandler> guestHandler) {
        this.vm = vm;
        this.config = config;
        this.sleepers = sleepers;
        this.guestHandler = guestHandler;
        MemoryRegion ram = vm.spec().regions().getFirst();
        if (ram.guestAddress() != 0 || ram.lazy() || ram.size() < PlatformLayout.KERNEL_AREA_END + (1 << 20)) {
            throw new IllegalArgumentException("VM '" + vm.spec().name() + "': the guest kernel needs a non-lazy RAM region"
                    + " at guest-physical 0 of at least 3 MiB, got " + ram);
        }
        int vcpus = vm.vcpus().size();
        PlatformLayout.write(memory, vcpus);
        this.pages = new PhysicalPages(memory, PlatformLayout.KERNEL_AREA_END, ram.size() - PlatformLayout.KERNEL_AREA_END);
        this.kernelSpace = new AddressSpace(memory, pages, false);
        this.queues = new RunQueue[vcpus];
        this.loops = new VcpuLoop[vcpus];
        this.threads = new Thread[vcpus];
        for (int i = 0; i < vcpus; i++) {
            queues[i] = new RunQueue();
            loops[i] = new VcpuLoop(this, i);
            vm.vcpu(i).setState(initialState(i));
        }
    }

    /** The vCPU state the loops start from: CPL0 in the halt stub of the kernel address space. */
    private VcpuState initialState(int vcpu) {
        return LongMode.state(0, PlatformLayout.HALT_STUB, PlatformLayout.idleStackTop(vcpu), GeneralRegisters.RFLAGS_RESET,
                kernelSpace.root(), PlatformLayout.gdt(vcpu), PlatformLayout.IDT, PlatformLayout.tss(vcpu),
                PlatformLayout.syscallEntry(), PlatformLayout.SYSCALL_MASK);
    }

    /** Special registers of a context at {@code cpl} in address space {@code cr3} on {@code vcpu}. */
    SpecialRegisters specialRegisters(int vcpu, int cpl, long cr3) {
        return SpecialRegisters.of(LongMode.state(cpl, 0, 0, GeneralRegisters.RFLAGS_RESET, cr3, PlatformLayout.gdt(vcpu),
                PlatformLayout.IDT, PlatformLayout.tss(vcpu), PlatformLayout.syscallEntry(), PlatformLayout.SYSCALL_MASK));
    }

    /**
     * Loads {@code spec}'s image into a new address space and queues the task. Images flagged as kernel tasks run at
     * CPL0. Tasks go round-robin to the vCPUs' run queues.
     */
    public Task launch(TaskSpec spec) {
        ElfImage image = spec.image();
        int cpl = image.kernelTask() ? 0 : 3;
        int id = nextTask.getAndIncrement();
        int home = (id - 1) % queues.length;
        AddressSpace space = new AddressSpace(memory, pages, cpl == 3);
        try {
            for (ElfImage.Segment s : image.segments()) {
                long start = s.virtualAddress() & -GuestMemory.PAGE_SIZE;
                long end = (s.end() + GuestMemory.PAGE_SIZE - 1) & -GuestMemory.PAGE_SIZE;
                space.mapFresh(start, end - start, s.writable(), s.executable());
                space.load(s.virtualAddress(), s.data());
            }
            space.mapFresh(GuestAbi.STACK_TOP - GuestAbi.STACK_SIZE, GuestAbi.STACK_SIZE, true, false);
            space.mapFresh(GuestAbi.INFO_VA, GuestMemory.PAGE_SIZE, true, false);
            if (spec.data() != null) {
                space.mapPhysical(GuestAbi.DATA_VA, spec.data().guestAddress(), spec.data().size(), true);
            }
            MemorySegment info = MemorySegment.ofArray(new long[6]);
            info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_MAGIC_OFFSET, GuestAbi.INFO_MAGIC);
            info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_TASK_ID, id);
            info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_ARG, spec.argument());
            info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_DATA_BASE, spec.data() == null ? 0 : GuestAbi.DATA_VA);
            info.set(JAVA_LONG_UNALIGNED, GuestAbi.INFO_DATA_SIZE, spec.data() == null ? 0 : spec.data().bytes());
            space.load(GuestAbi.INFO_VA, info.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        } catch (AddressSpace.GuestAccessException | RuntimeException e) {
            space.release();
            throw new IllegalStateException("cannot load " + image.name() + ": " + e.getMessage(), e);
        }
        GeneralRegisters regs = GeneralRegisters.ZERO
                .with(GeneralRegisters.RSP, GuestAbi.STACK_TOP)
                .with(GeneralRegisters.RDI, spec.argument())
                .withRip(image.entry())
                .withRflags(GeneralRegisters.RFLAGS_IF | GeneralRegisters.RFLAGS_RESET);
        Task task = new Task(id, spec.name(), cpl, home, space, specialRegisters(home, cpl, space.root()), regs,
                space.translate(GuestAbi.INFO_VA, false), this);
        tasks.add(task);
        makeRunnable(task);
        return task;
    }

    /** Starts one platform thread per vCPU. */
    public synchronized void start() {
        if (threads[0] != null) {
            throw new IllegalStateException("the guest kernel of VM '" + vm.spec().name() + "' is already started");
        }
        String name = vm.spec().name();
        for (int i = 0; i < loops.length; i++) {
            threads[i] = Thread.ofPlatform().name("paravane-" + name + "-vcpu" + i).daemon().start(loops[i]);
        }
    }

    /** Waits until every task launched so far has exited (or the guest panicked); false on timeout. */
    public boolean awaitTasks(long timeout, TimeUnit unit) throws InterruptedException {
        if (panic == null && tasks.stream().allMatch(t -> t.state() == Task.State.EXITED)) {
            return true;
        }
        try {
            done.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);   // never: the signal only completes normally
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
        if (sleepers != null) {
            sleepers.close();   // releases halt and schedule waits before the loops are joined
        }
        for (int i = 0; i < loops.length; i++) {
            kick(i);
        }
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
            if (t.state() != Task.State.EXITED) {
                t.exited(-1, panic != null ? "VM panicked: " + panic : "stopped");
                t.space.release();
            }
        }
        done.complete(null);
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
        synchronized (pauseLock) {
            pauseRequested = true;
            paused = true;
        }
        for (int i = 0; i < loops.length; i++) {
            kick(i);
        }
        synchronized (pauseLock) {
            while (pausedLoops < liveLoops() && !stopping) {
                pauseLock.wait(100);
                for (int i = 0; i < loops.length; i++) {
                    kick(i);
                }
            }
        }
    }

    private int liveLoops() {
        int n = 0;
        for (Thread t : threads) {
            n += t != null && t.isAlive() ? 1 : 0;
        }
        return n;
    }

    public void resume() {
        synchronized (pauseLock) {
            pauseRequested = false;
            paused = false;
            pauseLock.notifyAll();
        }
    }

    boolean pauseRequested() {
        return paused;
    }

    /** Where a loop parks while the kernel is paused; returns at once otherwise. */
    void pausePoint(VcpuLoop loop) {
        if (!paused) {
            return;
        }
        synchronized (pauseLock) {
            if (!pauseRequested) {
                return;
            }
            pausedLoops++;
            pauseLock.notifyAll();
            try {
                while (pauseRequested && !stopping) {
                    pauseLock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                pausedLoops--;
            }
        }
        if (!stopping) {   // a VM that ends while parked has no vCPUs left to configure
            loop.vcpuReplaced();
        }
    }

    /**
     * Replaces the VM underneath while the kernel is paused: the caller has created {@code target} with the same spec,
     * copied memory and vCPU states. The kernel goes on with {@code target} on {@link #resume()}.
     */
    public void replaceVm(VirtualMachine target) {
        if (!paused) {
            throw new IllegalStateException("replace the VM only while the kernel is paused");
        }
        vm = target;
    }

    void makeRunnable(Task task) {
        task.setState(Task.State.RUNNABLE);
        queues[task.home()].add(task);
        kick(task.home());
    }

    void kick(int vcpu) {
        VcpuLoop loop = loops[vcpu];
        if (loop != null) {
            loop.kick();
        }
    }

    /** The guest can no longer run: stop everything, keep the report. */
    void panic(String report) {
        if (panic == null) {
            panic = report;
            LOG.log(Level.SEVERE, "VM " + vm.spec().name() + " panicked: " + report);
        }
        stopping = true;
        for (int i = 0; i < loops.length; i++) {
            kick(i);
        }
        done.complete(null);
    }

    void exitTask(Task t, int code, String failure) {
        if (failure != null) {
            String line = t + " killed: " + failure;
            LOG.warning("VM " + vm.spec().name() + ": " + line);
            t.appendOutput("[kernel] " + line + "\n");
            config.console().write(t, "[kernel] " + line + "\n");
        }
        t.space.release();
        t.exited(code, failure);
        if (tasks.stream().allMatch(x -> x.state() == Task.State.EXITED)) {
            done.complete(null);   // the last one: whoever exits last sees every task exited
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

    // --- accessors for the loops and for the manager ---

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

    /** Counters of every vCPU loop. */
    public List<VcpuLoop.Stats> vcpuStats() {
        List<VcpuLoop.Stats> out = new ArrayList<>();
        for (VcpuLoop l : loops) {
            out.add(l.stats());
        }
        return out;
    }

    public int freePages() {
        return pages.freePages();
    }
}
