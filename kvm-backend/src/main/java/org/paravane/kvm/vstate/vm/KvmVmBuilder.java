package org.paravane.kvm.vstate.vm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.kvm.host.HostSupport;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.kvm.ioctls.Kvm;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.kvm.ioctls.VmFd;
import org.paravane.kvm.uffd.WorkingSet;
import org.paravane.kvm.vstate.memory.KvmHostPages;
import org.paravane.kvm.vstate.vcpu.Cpuid;
import org.paravane.kvm.vstate.vcpu.KvmVcpu;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.NativeException;
import org.paravane.support.memory.PagedGuestMemory;

/**
 * Builds a {@link KvmVm} in the order KVM needs: VM fd, guest memory and its slots, the irqchip (after the slots,
 * before any vCPU), the vCPUs; and releases what was created when a step fails. Holds the parts until the VM takes
 * them.
 */
final class KvmVmBuilder {
    private static final System.Logger LOG = System.getLogger(KvmVm.class.getName());   // the VM's own log
    /** The xAPIC page: an in-kernel LAPIC decodes accesses there, so no memory region may cover it. */
    private static final long LAPIC_PAGE = 0xFEE00000L;

    VmSpec spec;
    String backendName;
    HostSupport support;
    KvmSettings settings;
    Arena arena;
    VmFd vmFd;
    boolean irqchip;
    boolean asyncPfEmulated;
    String asyncPfDetail;
    KvmHostPages hostPages;
    PagedGuestMemory memory;
    List<KvmVcpu> vcpus = new ArrayList<>();
    WorkingSet workingSet;
    List<Long> prefetch = List.of();
    Runnable onClose;

    /**
     * Creates a VM: VM fd, irqchip (before any vCPU), memory and slots, vCPUs with CPUID, sync regs and (with the
     * irqchip) an enabled LAPIC; then starts the fault handler.
     *
     * @throws BackendException naming the step that failed; everything created so far is released
     */
    static KvmVm create(Kvm kvm, HostSupport support, KvmSettings settings, VmSpec spec, String backendName,
                        Runnable onClose) {
        validate(support, spec);
        KvmVmBuilder b = new KvmVmBuilder();
        b.spec = spec;
        b.backendName = backendName;
        b.support = support;
        b.settings = settings;
        b.onClose = onClose;
        b.arena = Arena.ofShared();
        try {
            b.vmFd = kvm.createVm();
            b.hostPages = new KvmHostPages(b.arena, spec.pageSource(), settings.memoryMode());
            try {
                b.memory = new PagedGuestMemory(spec, b.hostPages);
            } catch (NativeException e) {
                throw resources(spec, "mapping guest memory (" + spec.memorySize() + " bytes)", e);
            }
            int slot = 0;
            for (PagedGuestMemory.HostRegion h : b.memory.hostRegions()) {
                MemoryRegion r = h.region();
                try {
                    b.vmFd.setUserMemoryRegion(slot++, 0, r.guestAddress(), r.size(), h.host().address());
                } catch (NativeException e) {
                    throw new BackendException(e.errno() == Errno.ENOMEM || e.errno() == Errno.ENOSPC
                            ? BackendException.Reason.RESOURCES : BackendException.Reason.INVALID_REQUEST,
                            "VM '" + spec.name() + "': KVM rejected memory region '" + r.name() + "' at 0x"
                                    + Long.toHexString(r.guestAddress()) + " (" + r.size() + " bytes): " + Errno.name(e.errno()),
                            e.getMessage(), e);
                }
            }
            b.irqchip = false;
            b.asyncPfDetail = support.asyncPfDetail();
            // The irqchip after the memory slots (slot updates with it in place wait for a grace period, ~ms each here)
            // and before any vCPU (KVM requires that).
            // Only memory served through userfaultfd can be absent when the guest touches it: a VM without any needs no
            // async page faults, and skips the irqchip (whose teardown alone costs ~10 ms on this nested host).
            boolean lazyServed = b.hostPages.userfaultfd() != null;
            b.asyncPfEmulated = false;
            if (!spec.asyncPageFaults()) {
                // No irqchip: KVM's async-PF machinery (artificial halts included) stays out; faults block the vCPU thread.
                b.asyncPfDetail = "off for this VM (its spec asks for synchronous faults)";
            } else if (support.kernelAsyncPf() && settings.asyncPageFaults() == KvmSettings.AsyncPfMode.AUTO && !lazyServed) {
                b.asyncPfEmulated = true;
                b.asyncPfDetail = "KVM paravirtual, never armed: no guest memory is served lazily (the MSRs are kept)";
            } else if (support.kernelAsyncPf() && settings.asyncPageFaults() == KvmSettings.AsyncPfMode.AUTO) {
                for (MemoryRegion r : spec.regions()) {
                    if (r.contains(LAPIC_PAGE)) {
                        throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name() + "': memory region '"
                                + r.name() + "' covers the local APIC page at 0xfee00000, which the in-kernel irqchip of a VM "
                                + "with lazily served memory decodes; move the region or set asyncPageFaults=OFF");
                    }
                }
                try {
                    b.vmFd.createIrqchip();
                    b.irqchip = true;
                } catch (NativeException e) {
                    b.asyncPfDetail = "synchronous faults (KVM_CREATE_IRQCHIP failed for this VM: " + Errno.name(e.errno()) + ")";
                    LOG.log(System.Logger.Level.WARNING, "VM {0}: async page faults off, faults are synchronous: "
                            + "KVM_CREATE_IRQCHIP failed ({1})", spec.name(), Errno.name(e.errno()));
                }
            }
            b.workingSet = settings.workingSet() == KvmSettings.WorkingSetMode.OFF ? null : new WorkingSet();
            if (settings.workingSet() == KvmSettings.WorkingSetMode.PREFETCH) {
                b.prefetch = loadWorkingSet(settings, spec);
            }
            KvmVm vm = new KvmVm(b);
            for (int i = 0; i < spec.vcpus(); i++) {
                VcpuFd fd;
                try {
                    fd = b.vmFd.createVcpu(i, support.vcpuMmapSize(), b.arena);
                } catch (NativeException e) {
                    throw resources(spec, "creating vCPU " + i, e);
                }
                KvmVcpu vcpu = new KvmVcpu(vm, fd, b.arena);
                b.vcpus.add(vcpu);
                fd.setCpuid(Cpuid.encode(spec.cpuModel(), i, b.arena));
                if (b.irqchip) {
                    vcpu.enableLapic();
                    vcpu.setMpState(KvmConstants.MP_STATE_RUNNABLE);   // application processors would wait for INIT/SIPI
                }
            }
            vm.start();
            return vm;
        } catch (BackendException e) {
            release(b);
            throw e;
        } catch (NativeException e) {
            release(b);
            throw new BackendException(BackendException.Reason.INTERNAL, "VM '" + spec.name() + "': " + e.getMessage(),
                    e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            release(b);
            throw e;
        }
    }

    private static BackendException resources(VmSpec spec, String what, NativeException e) {
        BackendException.Reason reason = switch (e.errno()) {
            case Errno.ENOMEM, Errno.EMFILE, Errno.ENOSPC, Errno.ENFILE -> BackendException.Reason.RESOURCES;
            default -> BackendException.Reason.INTERNAL;
        };
        return new BackendException(reason, "VM '" + spec.name() + "': " + what + " failed: " + Errno.name(e.errno())
                + " (" + Errno.describe(e.errno()) + ")", e.getMessage(), e);
    }

    private static void validate(HostSupport support, VmSpec spec) {
        if (spec.vcpus() > support.maxVcpus()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name() + "' asks for "
                    + spec.vcpus() + " vCPUs; KVM here allows at most " + support.maxVcpus());
        }
        List<String> missing = spec.cpuModel().featuresMissingFrom(support.hostCpu());
        if (!missing.isEmpty()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name() + "': KVM on this "
                    + "host cannot present CPU model '" + spec.cpuModel().name() + "': the host lacks "
                    + String.join(", ", missing));
        }
        long limit = 1L << support.physicalAddressBits();
        for (MemoryRegion r : spec.regions()) {
            if (r.end() > limit) {
                throw new BackendException(BackendException.Reason.INVALID_REQUEST, "VM '" + spec.name() + "': memory region '"
                        + r.name() + "' ends at 0x" + Long.toHexString(r.end()) + ", beyond the " + support.physicalAddressBits()
                        + "-bit guest-physical address space");
            }
            if (r.lazy() && !support.userfaultfd() && spec.pageSource() != org.paravane.api.memory.PageSource.ZERO) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "VM '" + spec.name() + "': lazy memory region '"
                        + r.name() + "' needs userfaultfd, which is unavailable here: " + support.userfaultfdDetail());
            }
        }
    }

    private static List<Long> loadWorkingSet(KvmSettings settings, VmSpec spec) {
        Path file = KvmVm.workingSetFile(settings, spec);
        if (!Files.isRegularFile(file)) {
            LOG.log(System.Logger.Level.INFO, "VM {0}: no recorded working set at {1}, nothing to prefetch", spec.name(), file);
            return List.of();
        }
        try {
            return WorkingSet.load(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "VM {0}: ignoring working set {1}: {2}", spec.name(), file, e.getMessage());
            return List.of();
        }
    }

    private static void release(KvmVmBuilder b) {
        for (KvmVcpu v : b.vcpus) {
            v.close();
        }
        if (b.hostPages != null && b.hostPages.userfaultfd() != null) {
            b.hostPages.userfaultfd().close();
        }
        if (b.vmFd != null) {
            b.vmFd.close();
        }
        b.arena.close();
    }
}
