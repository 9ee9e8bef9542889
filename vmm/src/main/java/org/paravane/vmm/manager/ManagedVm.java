package org.paravane.vmm.manager;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.paravane.api.backend.VcpuStats;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.memory.MemoryStats;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.persist.MachineImage;
import org.paravane.vmm.persist.SnapshotWriter;

/**
 * A VM the manager runs: its guest kernel, where it runs now, and its life so far. The VM owns its state: every change
 * is one of the transition methods below, each refused (false) when the current state does not allow it, so a VM that
 * ended can never be moved, parked or resumed.
 *
 * <p><b>Lock order</b> (the one place it is written down): the placement lock ({@link Placement}) first, then the VM's
 * monitor (every transition and every access to the backend's VM holds it), then the kernel's own locks (pause,
 * stop). Nothing that holds a VM's monitor takes the placement lock, and the kernel never calls back into the VM while
 * it holds its own locks: the guest's end reaches the VM through {@link GuestKernel#done()} on a thread of its own.
 * Placement decides from a state read without the VM's monitor; the transition then checks again under it, which
 * is how a VM that ends between the two stays ended.
 */
public final class ManagedVm {
    private static final Logger LOG = Logger.getLogger(ManagedVm.class.getName());

    /** Where a VM is in its life; {@link #canBecome} is the transition table. */
    public enum State {
        /** Tasks run. Becomes MIGRATING, PARKED or one of the ends. */
        RUNNING,
        /** Moving to another backend (under the VM's monitor, so only readers see it). Becomes RUNNING again. */
        MIGRATING,
        /** No usable backend is left: the VM is held in memory. Becomes RUNNING on a new backend, or one of the ends. */
        PARKED,
        /** Every task exited. Final. */
        FINISHED,
        /** Stopped by a user or the container. Final. */
        STOPPED,
        /** The guest panicked or the VM could not be moved; {@link #failure()} says why. Final. */
        FAILED;

        private static final Set<State> ENDS = EnumSet.of(FINISHED, STOPPED, FAILED);

        public boolean isEnd() {
            return ENDS.contains(this);
        }

        /** Whether a VM in this state may go to {@code next}. */
        public boolean canBecome(State next) {
            return switch (this) {
                case RUNNING -> next != RUNNING;
                case MIGRATING -> next == RUNNING;
                case PARKED -> next == RUNNING || next.isEnd();
                case FINISHED, STOPPED, FAILED -> false;
            };
        }
    }

    private final String name;
    private final VmDefinition definition;
    private final GuestKernel kernel;
    private final Instant created = Instant.now();
    private final String pageSource;
    private final ConsoleLog console;
    private final CompletableFuture<State> ended = new CompletableFuture<>();
    private volatile State state = State.RUNNING;
    private volatile String backend;
    private volatile String failure;
    private volatile Instant endedAt;
    private volatile int migrations;
    private volatile List<VcpuStats> finalVcpuStats;
    private volatile MemoryStats finalMemoryStats;
    private MachineImage parked;   // while PARKED; guarded by this

    ManagedVm(String name, VmDefinition definition, GuestKernel kernel, String backend, String pageSource,
              ConsoleLog console) {
        this.name = name;
        this.console = console;
        this.definition = definition;
        this.kernel = kernel;
        this.backend = backend;
        this.pageSource = pageSource;
    }

    /** Starts the guest; the VM ends by itself when the guest is done (FINISHED, or FAILED on a panic). */
    void start() {
        kernel.done().whenCompleteAsync((ignored, error) -> guestDone(),
                r -> Thread.ofVirtual().name("paravane-" + name + "-end").start(r));
        kernel.start();
    }

    private void guestDone() {
        String panic = kernel.panicReport();
        if (panic != null) {
            fail("guest panic: " + panic, null);
        } else {
            end(State.FINISHED, null);
        }
    }

    // --- transitions: each holds the VM's monitor and refuses what its state does not allow ---

    private boolean become(State next) {
        if (!state.canBecome(next)) {
            return false;
        }
        state = next;
        return true;
    }

    /**
     * RUNNING → MIGRATING → RUNNING: moves the VM to {@code target} with its complete state. When the move fails the
     * VM runs on where it was and the error is thrown. False when the VM is not running.
     */
    synchronized boolean migrate(String targetName, VirtualizationBackend target) throws InterruptedException {
        if (!become(State.MIGRATING)) {
            return false;
        }
        try {
            kernel.pause();
            VirtualMachine old = kernel.vm();
            try (MachineImage image = MachineImage.capture(old)) {
                kernel.replaceVm(image.restore(target));
                old.close();
                backend = targetName;
                migrations++;
                LOG.info("VM " + name + " moved to backend " + targetName + " (" + image.presentBytes() / 1024
                        + " KiB of present memory)");
            }
        } finally {
            become(State.RUNNING);
            kernel.resume();
        }
        return true;
    }

    /**
     * RUNNING → PARKED: no usable backend is left, so the VM's state is kept in memory and its backend VM closed. False
     * when the VM is not running (it ended meanwhile: it stays ended).
     */
    synchronized boolean park() throws InterruptedException {
        if (!become(State.PARKED)) {
            return false;
        }
        kernel.pause();
        VirtualMachine old = kernel.vm();
        parked = MachineImage.capture(old);
        old.close();
        LOG.warning("VM " + name + " is parked: its backend " + backend + " left and no other usable backend"
                + " is registered; it resumes when one appears");
        return true;
    }

    /**
     * PARKED → RUNNING on {@code target}. False when the VM is not parked; when it cannot be restored there it stays
     * parked and the error is thrown.
     */
    synchronized boolean unpark(String targetName, VirtualizationBackend target) {
        if (state != State.PARKED) {
            return false;
        }
        kernel.replaceVm(parked.restore(target));
        parked.close();
        parked = null;
        backend = targetName;
        migrations++;
        become(State.RUNNING);
        kernel.resume();
        LOG.info("VM " + name + " resumed on backend " + targetName);
        return true;
    }

    /** Any state but an end → FAILED, logging why. False when it had already ended. */
    boolean fail(String why, Throwable cause) {
        LOG.log(Level.SEVERE, "VM " + name + ": " + why, cause);
        return end(State.FAILED, why);
    }

    /**
     * RUNNING or PARKED → {@code end} (FINISHED, STOPPED or FAILED): stops the kernel, keeps the final counters and
     * releases the backend's VM (or the parked image). A move or park in progress finishes first. False when the VM
     * had already ended.
     */
    boolean end(State end, String why) {
        if (!end.isEnd()) {
            throw new IllegalArgumentException(end + " is not an end state");
        }
        synchronized (this) {
            if (!state.canBecome(end)) {
                return false;
            }
            failure = why;
            endedAt = Instant.now();
            become(end);
            kernel.stop();   // also closes the guest's sleeper table: no waiter outlives the VM
            if (parked != null) {
                parked.close();
                parked = null;
            } else {
                release();
            }
        }
        ended.complete(end);
        return true;
    }

    private void release() {
        VirtualMachine vm = kernel.vm();
        try {
            finalVcpuStats = vm.vcpus().stream().map(v -> v.stats()).toList();
            finalMemoryStats = vm.memory().stats();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "final stats of VM " + name, e);
        }
        try {
            vm.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing VM " + name, e);
        }
    }

    /** Writes the VM's memory to {@code file}, its vCPUs paused while the present pages are copied; a running VM only. */
    long snapshot(Path file, boolean force) throws IOException, InterruptedException {
        SnapshotWriter writer;
        synchronized (this) {
            if (state != State.RUNNING) {
                throw new IllegalArgumentException("VM '" + name + "' is " + state + "; only a running VM can be snapshot");
            }
            kernel.pause();
            try {
                writer = SnapshotWriter.begin(file, force, name, kernel.vm().spec().cpuModel(), kernel.vm().memory());
            } finally {
                kernel.resume();
            }
        }
        try (writer) {
            return writer.finish();   // pages the VM has not fetched yet: read from its source while it runs on
        }
    }

    // --- waiting for the end ---

    /** Completes with the end state once the VM has ended and released its backend VM. */
    public CompletionStage<State> ended() {
        return ended.minimalCompletionStage();
    }

    /** Waits until the VM has ended; returns its end state. */
    public State awaitEnd() throws InterruptedException {
        try {
            return ended.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);   // never: the signal only completes normally
        }
    }

    /** Waits at most {@code timeout} for the VM to end; true when it has. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        try {
            ended.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- what readers see ---

    public String name() {
        return name;
    }

    public VmDefinition definition() {
        return definition;
    }

    public GuestKernel kernel() {
        return kernel;
    }

    /** The backend it runs on, or the one it ran on last while parked or ended. */
    public String backend() {
        return backend;
    }

    public State state() {
        return state;
    }

    public String failure() {
        return failure;
    }

    /** The CPU model the VM was created with; it keeps it on every move. */
    public CpuModel cpuModel() {
        return kernel.vm().spec().cpuModel();
    }

    public int migrations() {
        return migrations;
    }

    /** Description of the data region's page source, or "-". */
    public String pageSource() {
        return pageSource;
    }

    /** What its tasks wrote, the last lines of it (also while nobody watches: detached VMs). */
    public ConsoleLog console() {
        return console;
    }

    /** When it ended, or null while it has not. */
    Instant endedAt() {
        return endedAt;
    }

    public Duration uptime() {
        Instant end = endedAt;
        return Duration.between(created, end == null ? Instant.now() : end);
    }

    /** The backend's vCPU counters: live while the VM runs, as they were at the end afterwards (empty while parked). */
    public List<VcpuStats> vcpuStats() {
        List<VcpuStats> last = finalVcpuStats;
        if (last != null || state == State.PARKED || state.isEnd()) {
            return last == null ? List.of() : last;
        }
        return kernel.vm().vcpus().stream().map(v -> v.stats()).toList();
    }

    /** Guest memory counters, live or as at the end (null while parked, or when the end could not read them). */
    public MemoryStats memoryStats() {
        MemoryStats last = finalMemoryStats;
        return last != null || state == State.PARKED || state.isEnd() ? last : kernel.vm().memory().stats();
    }

    /** Running, moving or parked: not ended. */
    public boolean isActive() {
        return !state.isEnd();
    }

    @Override
    public String toString() {
        return "VM " + name + " (" + state.name().toLowerCase(java.util.Locale.ROOT) + " on " + backend + ")";
    }
}
