package org.paravane.emulated.vstate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.emulated.cpu.translate.TranslationSettings;
import org.paravane.emulated.mmu.PhysicalMemory;
import org.paravane.support.memory.PagedGuestMemory;

/**
 * A VM of the software CPU: guest RAM in anonymous host mappings (lazy regions filled from the spec's page source),
 * its decoded-code bookkeeping, and its vCPUs. Closing it stops the vCPUs first, then unmaps the memory.
 */
public final class EmulatedVm implements VirtualMachine {
    private final VmSpec spec;
    private final String backendName;
    private final PagedGuestMemory memory;
    private final PhysicalMemory physical;
    private final ExclusiveSection exclusive = new ExclusiveSection();
    private final List<EmulatedVcpu> vcpus;
    private final Supplier<AsyncPfHost> engine;
    private final Runnable onClose;
    private volatile boolean closed;
    private final TranslationSettings translation;

    /**
     * @param engine  the async page fault engine currently bound to the backend (may supply null)
     * @param onClose told once the VM is closed
     */
    public EmulatedVm(VmSpec spec, String backendName, Supplier<AsyncPfHost> engine, Runnable onClose,
                      TranslationSettings translation) {
        this.spec = spec;
        this.translation = translation;
        this.backendName = backendName;
        this.engine = engine;
        this.onClose = onClose;
        this.memory = new PagedGuestMemory(spec, new GuestRam());
        this.physical = new PhysicalMemory(memory, new PhysicalMemory.CodePageListener() {
            @Override
            public void codePageAdded(Object origin) {
                broadcast(origin, EmulatedVcpu.FLUSH_WRITES);
            }

            @Override
            public void codeChanged(Object origin) {
                broadcast(origin, EmulatedVcpu.CODE_CHANGED);
            }
        });
        List<EmulatedVcpu> list = new ArrayList<>(spec.vcpus());
        for (int i = 0; i < spec.vcpus(); i++) {
            list.add(new EmulatedVcpu(this, i));
        }
        this.vcpus = List.copyOf(list);
        exclusive.setVcpus(vcpus);
    }

    TranslationSettings translation() {
        return translation;
    }

    PhysicalMemory physical() {
        return physical;
    }

    ExclusiveSection exclusive() {
        return exclusive;
    }

    /** The engine this VM's vCPUs use: none when the spec asks for synchronous faults. */
    AsyncPfHost engine() {
        return spec.asyncPageFaults() ? engine.get() : null;
    }

    /** Tells every vCPU but {@code origin} (a {@code Cpu}) about a code event. */
    private void broadcast(Object origin, int bit) {
        List<EmulatedVcpu> all = vcpus;
        if (all == null) {
            return;
        }
        for (EmulatedVcpu v : all) {
            if (v.cpu != origin) {
                v.requestAttention(bit);
            }
        }
    }

    /** The backend's async PF engine changed ({@code gone} left, or null). */
    public void engineChanged(AsyncPfHost gone) {
        for (EmulatedVcpu v : vcpus) {
            v.engineChanged(gone);
        }
    }

    void checkOpen() {
        if (closed) {
            throw new BackendException(BackendException.Reason.CLOSED, "VM '" + spec.name() + "' is closed");
        }
    }

    @Override
    public VmSpec spec() {
        return spec;
    }

    @Override
    public String backendName() {
        return backendName;
    }

    @Override
    public PagedGuestMemory memory() {
        checkOpen();
        return memory;
    }

    @Override
    public List<Vcpu> vcpus() {
        return List.copyOf(vcpus);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the vCPUs (kicking any still inside {@code run()} and waiting for them), releases their async-PF state,
     * then unmaps guest memory: no vCPU touches it afterwards.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (EmulatedVcpu v : vcpus) {
            v.kick();
            v.releaseEngineWaits();                  // a vCPU waiting inside the async-PF engine comes back now
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (EmulatedVcpu v : vcpus) {
            while (v.isRunning()) {
                if (System.nanoTime() - until > 0) {
                    throw new BackendException(BackendException.Reason.INTERNAL, "VM '" + spec.name() + "': " + v
                            + " did not leave run() within 10 s of being kicked; guest memory stays mapped");
                }
                v.kick();
                Thread.onSpinWait();
                Thread.yield();
            }
            v.close();
        }
        memory.close();
        onClose.run();
    }

    @Override
    public String toString() {
        return "emulated VM '" + spec.name() + "' (" + vcpus.size() + " vCPUs, " + (spec.memorySize() >> 20) + " MiB)";
    }
}
