package org.paravane.kvm.vstate.vm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.PageSourceException;
import org.paravane.kvm.host.HostSupport;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.kvm.ioctls.Kvm;
import org.paravane.kvm.ioctls.VmFd;
import org.paravane.kvm.uffd.FaultHandler;
import org.paravane.kvm.uffd.FaultedVcpu;
import org.paravane.kvm.uffd.Userfaultfd;
import org.paravane.kvm.uffd.WorkingSet;
import org.paravane.kvm.vstate.memory.KvmHostPages;
import org.paravane.kvm.vstate.vcpu.KvmVcpu;
import org.paravane.kvm.vstate.vcpu.VcpuHost;
import org.paravane.support.memory.PagedGuestMemory;

/**
 * A KVM virtual machine: the VM fd, one memory slot per region, the vCPUs, the userfaultfd service of lazy regions
 * and, when the host supports it, the in-kernel irqchip that KVM's paravirtual async page faults need. Everything
 * native it owns lives in one shared arena, unmapped on close.
 */
public final class KvmVm implements VirtualMachine, VcpuHost {
    private static final System.Logger LOG = System.getLogger(KvmVm.class.getName());

    private final VmSpec spec;
    private final String backendName;
    private final HostSupport support;
    private final KvmSettings settings;
    private final Arena arena;
    private final VmFd vmFd;
    private final boolean irqchip;
    private final boolean asyncPfEmulated;
    private final String asyncPfDetail;
    private final KvmHostPages hostPages;
    private final PagedGuestMemory memory;
    private final List<KvmVcpu> vcpus;
    private final FaultHandler faults;
    private final WorkingSet workingSet;
    private final Thread prefetcher;
    private final Runnable onClose;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.LongAdder asyncPfEois = new java.util.concurrent.atomic.LongAdder();

    KvmVm(KvmVmBuilder b) {
        this.spec = b.spec;
        this.backendName = b.backendName;
        this.support = b.support;
        this.settings = b.settings;
        this.arena = b.arena;
        this.vmFd = b.vmFd;
        this.irqchip = b.irqchip;
        this.asyncPfEmulated = b.asyncPfEmulated;
        this.asyncPfDetail = b.asyncPfDetail;
        this.hostPages = b.hostPages;
        this.memory = b.memory;
        this.vcpus = b.vcpus;
        this.workingSet = b.workingSet;
        this.onClose = b.onClose;
        Userfaultfd uffd = hostPages.userfaultfd();
        this.faults = uffd == null ? null : new FaultHandler(spec.name(), uffd, memory,
                new FaultHandler.Settings(settings.chunkBytes(), settings.fetchThreads(), settings.retryMinNanos(),
                        settings.retryMaxNanos()), this::vcpuOnThread, workingSet);
        this.prefetcher = faults == null || b.prefetch.isEmpty() ? null
                : Thread.ofVirtual().name("kvm-" + spec.name() + "-prefetch").unstarted(() -> prefetch(b.prefetch));
    }

    /**
     * Creates a VM: VM fd, irqchip (before any vCPU), memory and slots, vCPUs with CPUID, sync regs and (with the
     * irqchip) an enabled LAPIC; then starts the fault handler.
     *
     * @throws BackendException naming the step that failed; everything created so far is released
     */
    public static KvmVm create(Kvm kvm, HostSupport support, KvmSettings settings, VmSpec spec, String backendName,
                               Runnable onClose) {
        return KvmVmBuilder.create(kvm, support, settings, spec, backendName, onClose);
    }

    static Path workingSetFile(KvmSettings settings, VmSpec spec) {
        return settings.workingSetDir().resolve(spec.name() + ".pages");
    }

    void start() {
        if (faults != null) {
            faults.start();
        }
        if (prefetcher != null) {
            prefetcher.start();
        }
    }

    /** Fetches the recorded pages in order, chunk by chunk, ahead of the guest (claim-then-fill keeps it exactly-once). */
    private void prefetch(List<Long> pages) {
        int done = 0;
        for (long page : pages) {
            if (closed) {
                return;
            }
            if (!memory.contains(page) || memory.isPresent(page)) {
                continue;
            }
            try {
                if (memory.fetch(page, settings.chunkBytes()) != null) {
                    done++;
                }
            } catch (PageSourceException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "VM {0}: prefetch of 0x{1} failed: {2}", spec.name(),
                            Long.toHexString(page), e.getMessage());
                }
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "VM {0}: prefetched {1} chunks of {2} recorded pages", spec.name(), done, pages.size());
    }

    private FaultedVcpu vcpuOnThread(int tid) {
        for (KvmVcpu v : vcpus) {
            if (v.runningThreadId() == tid) {
                return v;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- VirtualMachine

    @Override
    public VmSpec spec() {
        return spec;
    }

    @Override
    public String backendName() {
        return backendName;
    }

    @Override
    public List<Vcpu> vcpus() {
        return List.copyOf(vcpus);
    }

    /** The KVM vCPUs (benchmarks and tests reach the fds through them). */
    public List<KvmVcpu> kvmVcpus() {
        return List.copyOf(vcpus);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** The async page fault mechanism of this VM, in words. */
    public String asyncPfDetail() {
        return asyncPfDetail;
    }

    /** How each lazy region is backed. */
    public List<String> memoryDecisions() {
        return hostPages.decisions();
    }

    public FaultHandler.Stats faultStats() {
        return faults == null ? new FaultHandler.Stats(0, 0, 0, 0, 0, 0) : faults.stats();
    }

    /**
     * Destroys the VM: kicks running vCPUs and waits for them, closes the userfaultfd first (KVM's async-PF workers
     * blocked in it would otherwise hold the VM's destruction), then the vCPU and VM fds, then unmaps everything.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (KvmVcpu v : vcpus) {
            v.markClosing();
            if (v.isRunning()) {
                v.kick();
            }
        }
        boolean stillRunning = false;
        if (faults != null) {
            faults.close();   // releases every thread blocked in a fault, including KVM's async-PF workers
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (KvmVcpu v : vcpus) {
            while (v.isRunning() && System.nanoTime() < deadline) {
                v.kick();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            stillRunning |= v.isRunning();
        }
        if (prefetcher != null) {
            prefetcher.interrupt();
        }
        if (workingSet != null && settings.workingSet() == KvmSettings.WorkingSetMode.RECORD) {
            Path file = workingSetFile(settings, spec);
            try {
                workingSet.save(file);
                LOG.log(System.Logger.Level.INFO, "VM {0}: recorded a working set of {1} pages in {2}", spec.name(),
                        workingSet.size(), file);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "VM {0}: cannot save the working set to {1}: {2}", spec.name(), file, e.toString());
            }
        }
        for (KvmVcpu v : vcpus) {
            v.close();
        }
        vmFd.close();
        if (stillRunning) {
            // A thread still inside KVM_RUN would touch its kvm_run page after the unmap: leave the mappings rather than crash.
            LOG.log(System.Logger.Level.ERROR, "VM {0}: a vCPU did not leave run() within 5 s of close; its memory stays mapped",
                    spec.name());
        } else {
            memory.close();   // host writes still in flight (slow fetches) are refused from here on
            arena.close();
        }
        if (onClose != null) {
            onClose.run();
        }
    }

    // ---------------------------------------------------------------- VcpuHost

    @Override
    public boolean awaitsPage(KvmVcpu vcpu) {
        return faults != null && faults.awaits(vcpu);
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public PagedGuestMemory memory() {
        return memory;
    }

    @Override
    public boolean irqchip() {
        return irqchip;
    }

    @Override
    public boolean asyncPfMsrsOnly() {
        return asyncPfEmulated;
    }

    @Override
    public boolean outAdvancesRip() {
        return support.hypervisor().equals("PVM");
    }

    @Override
    public int kickSignal() {
        return settings.kickSignal();
    }

    @Override
    public boolean msrSupported(int index) {
        return support.msrIndices().contains(index);
    }

    @Override
    public boolean xsave() {
        return support.xsave();
    }

    @Override
    public void checkOpen() {
        if (closed) {
            throw new BackendException(BackendException.Reason.CLOSED, "VM '" + spec.name() + "' is closed");
        }
    }

    @Override
    public VirtualMachine vm() {
        return this;
    }

    /**
     * The guest acknowledged a "page ready": end the interrupt if it is still in service. PVM ends it at delivery;
     * VMX/SVM keep it in the LAPIC's ISR until an EOI, and a guest whose vector stub exits to the host at once never
     * writes one, so the backend does (checked every time: a GET_LAPIC per event, cheap next to the event itself).
     */
    @Override
    public void asyncPfAcknowledged(KvmVcpu vcpu) {
        if (irqchip && vcpu.asyncPfVector() >= 0 && vcpu.endAsyncPfInterrupt(vcpu.asyncPfVector())) {
            asyncPfEois.increment();
        }
    }

    /** "Page ready" interrupts this backend had to end itself (0 on hosts that auto-EOI). */
    public long asyncPfEois() {
        return asyncPfEois.sum();
    }
}
