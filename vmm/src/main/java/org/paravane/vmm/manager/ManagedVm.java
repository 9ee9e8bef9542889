package org.paravane.vmm.manager;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.paravane.api.backend.VcpuStats;
import org.paravane.api.memory.MemoryStats;
import org.osgi.framework.ServiceRegistration;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.kernel.GuestKernel;

/** A VM the manager runs: its guest kernel, where it runs now, and its life so far. */
public final class ManagedVm {

    public enum State {
        /** Tasks run. */
        RUNNING,
        /** Moving to another backend. */
        MIGRATING,
        /** No usable backend is left: the VM is held in memory and resumes when one appears. */
        PARKED,
        /** Every task exited. */
        FINISHED,
        /** Stopped by a user or the container. */
        STOPPED,
        /** The guest panicked or a vCPU failed; {@link #failure()} says why. */
        FAILED
    }

    private final String name;
    private final VmDefinition definition;
    private final GuestKernel kernel;
    private final Instant created = Instant.now();
    private final String pageSource;
    private final ConsoleLog console;
    /** Completed with the final state when the VM ends (finished, stopped or failed). */
    final CompletableFuture<State> end = new CompletableFuture<>();
    volatile String backend;
    volatile State state = State.RUNNING;
    volatile String failure;
    volatile Instant ended;
    volatile MachineImage parked;
    volatile int migrations;
    volatile List<VcpuStats> finalVcpuStats;
    volatile MemoryStats finalMemoryStats;
    ServiceRegistration<PageSource> sourceRegistration;

    ManagedVm(String name, VmDefinition definition, GuestKernel kernel, String backend, String pageSource,
              ConsoleLog console) {
        this.name = name;
        this.console = console;
        this.definition = definition;
        this.kernel = kernel;
        this.backend = backend;
        this.pageSource = pageSource;
    }

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

    /** Completes with the final state when the VM ends; a VM that has ended already gives a completed future. */
    public CompletableFuture<State> whenEnded() {
        return end.copy();
    }

    public Duration uptime() {
        return Duration.between(created, ended == null ? Instant.now() : ended);
    }

    /** The backend's vCPU counters: live while the VM runs, as they were at the end afterwards (empty while parked). */
    public List<VcpuStats> vcpuStats() {
        List<VcpuStats> last = finalVcpuStats;
        if (last != null || state == State.PARKED) {
            return last == null ? List.of() : last;
        }
        return kernel.vm().vcpus().stream().map(v -> v.stats()).toList();
    }

    /** Guest memory counters, live or as at the end (null while parked). */
    public MemoryStats memoryStats() {
        MemoryStats last = finalMemoryStats;
        return last != null || state == State.PARKED ? last : kernel.vm().memory().stats();
    }

    public boolean isActive() {
        return state == State.RUNNING || state == State.MIGRATING || state == State.PARKED;
    }
}
