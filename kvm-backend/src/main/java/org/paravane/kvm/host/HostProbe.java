package org.paravane.kvm.host;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.kvm.ioctls.Kvm;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmLayouts;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.kvm.ioctls.VmFd;
import org.paravane.kvm.uffd.Userfaultfd;
import org.paravane.api.cpu.CpuModels;
import org.paravane.kvm.vstate.vcpu.Cpuid;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.NativeException;
import org.paravane.support.linux.Signals;
import org.paravane.support.linux.Syscalls;
import org.paravane.support.linux.Timers;

/**
 * Finds out whether and how KVM works here: /dev/kvm and its permissions, the API version, the capabilities the
 * backend needs, the kick signal, userfaultfd, and — with a throw-away VM — XSAVE and KVM's paravirtual async page
 * faults (in-kernel irqchip created, MSR_KVM_ASYNC_PF_INT accepted and read back).
 */
public final class HostProbe {
    private static final System.Logger LOG = System.getLogger(HostProbe.class.getName());

    private HostProbe() {
    }

    /** The probe's result and, when usable, the open system fd (the caller owns it). */
    public record Result(HostSupport support, Kvm kvm) {
    }

    public static Result probe(KvmSettings settings) {
        Kvm kvm;
        try {
            kvm = Kvm.open();
        } catch (NativeException e) {
            return new Result(HostSupport.unusable(openFailure(e.errno())), null);
        } catch (IllegalCallerException | ExceptionInInitializerError | UnsatisfiedLinkError e) {
            return new Result(HostSupport.unusable("native access is disabled for this bundle: start the JVM with "
                    + "--enable-native-access=ALL-UNNAMED (" + e + ")"), null);
        }
        try {
            HostSupport s = probe(kvm, settings);
            if (!s.usable()) {
                kvm.close();
                return new Result(s, null);
            }
            return new Result(s, kvm);
        } catch (RuntimeException e) {
            kvm.close();
            return new Result(HostSupport.unusable("probing KVM failed: " + e.getMessage()), null);
        }
    }

    static String openFailure(int errno) {
        return switch (errno) {
            case Errno.ENOENT -> "no /dev/kvm: this kernel has no KVM (load kvm_intel or kvm_amd, or enable nested virtualization)";
            case Errno.EACCES, Errno.EPERM -> "no permission to open /dev/kvm read-write (add the user to group 'kvm' or run as root)";
            case Errno.ENODEV, Errno.ENXIO -> "/dev/kvm exists but no KVM module serves it (load kvm_intel or kvm_amd)";
            default -> "cannot open /dev/kvm: " + Errno.name(errno) + " (" + Errno.describe(errno) + ")";
        };
    }

    private static HostSupport probe(Kvm kvm, KvmSettings settings) {
        int version = kvm.apiVersion();
        if (version != KvmConstants.KVM_API_VERSION) {
            return HostSupport.unusable("KVM API version " + version + ", this backend needs " + KvmConstants.KVM_API_VERSION);
        }
        for (int cap : new int[] {KvmConstants.CAP_USER_MEMORY, KvmConstants.CAP_IMMEDIATE_EXIT, KvmConstants.CAP_EXT_CPUID}) {
            if (kvm.checkExtension(cap) == 0) {
                return HostSupport.unusable("KVM lacks capability " + KvmConstants.capabilityName(cap) + " (" + cap + ")");
            }
        }
        int sync = kvm.checkExtension(KvmConstants.CAP_SYNC_REGS);
        if ((sync & KvmConstants.SYNC_ALL) != KvmConstants.SYNC_ALL) {
            return HostSupport.unusable("KVM lacks capability KVM_CAP_SYNC_REGS for registers, special registers and events "
                    + "(has 0x" + Integer.toHexString(sync) + ")");
        }
        int mmapSize = kvm.vcpuMmapSize();
        if (mmapSize < 4096) {
            return HostSupport.unusable("KVM_GET_VCPU_MMAP_SIZE is " + mmapSize + ", smaller than struct kvm_run");
        }
        if (!Signals.installNoOpHandler(settings.kickSignal())) {
            return HostSupport.unusable("signal " + settings.kickSignal() + " (the vCPU kick signal) already has a handler "
                    + "installed by someone else; configure kickSignal to a free signal");
        }
        try {
            // run budgets use a per-thread POSIX timer: check it works (and link its downcalls before any VM runs)
            Timers.signalingThread(Syscalls.gettid(), settings.kickSignal()).close();
        } catch (NativeException e) {
            return HostSupport.unusable("cannot create the per-thread timer run budgets need: " + e.getMessage());
        }
        int maxVcpus = kvm.checkExtension(KvmConstants.CAP_MAX_VCPUS);
        if (maxVcpus <= 0) {
            maxVcpus = Math.max(1, kvm.checkExtension(KvmConstants.CAP_NR_VCPUS));
        }
        MemorySegment cpuid = kvm.supportedCpuid(Arena.global());
        Set<Integer> msrs = new HashSet<>();
        for (int m : kvm.msrIndexList()) {
            msrs.add(m);
        }
        long addressSize = Cpuid.eax(cpuid, 0x80000008);
        int physBits = addressSize < 0 ? 36 : (int) (addressSize & 0xFF);
        // PVM single-steps only the guest code it emulates (CPL0); natively run CPL3 code ignores the trap flag.
        boolean singleStep = kvm.checkExtension(KvmConstants.CAP_SET_GUEST_DEBUG) != 0 && !hypervisor().equals("PVM");

        String uffdDetail = "";
        boolean uffd;
        try {
            Userfaultfd.create().close();
            uffd = true;
        } catch (NativeException e) {
            uffd = false;
            uffdDetail = e.getMessage();
        }

        String apfMissing = settings.asyncPageFaults() == KvmSettings.AsyncPfMode.OFF ? "off by configuration (asyncPageFaults=OFF)"
                : kvm.checkExtension(KvmConstants.CAP_ASYNC_PF) == 0 ? "KVM lacks KVM_CAP_ASYNC_PF"
                : kvm.checkExtension(KvmConstants.CAP_ASYNC_PF_INT) == 0 ? "KVM lacks KVM_CAP_ASYNC_PF_INT (interrupt-based page ready, Linux 5.8+)"
                : kvm.checkExtension(KvmConstants.CAP_IRQCHIP) == 0 ? "KVM lacks an in-kernel irqchip (KVM_CAP_IRQCHIP)"
                : !msrs.contains(AsyncPfAbi.MSR_ASYNC_PF_INT) ? "KVM does not list MSR_KVM_ASYNC_PF_INT"
                : null;
        boolean xsave;
        String apfDetail;
        try (Arena arena = Arena.ofConfined(); VmFd vm = kvm.createVm()) {
            boolean irqchip = false;
            if (apfMissing == null) {
                try {
                    vm.createIrqchip();
                    irqchip = true;
                } catch (NativeException e) {
                    apfMissing = "KVM_CREATE_IRQCHIP failed: " + Errno.name(e.errno());
                }
            }
            try (VcpuFd vcpu = vm.createVcpu(0, mmapSize, arena)) {
                vcpu.setCpuid(Cpuid.encode(Cpuid.decode(cpuid, CpuModels.HOST), 0, arena));
                xsave = xsaveWorks(vcpu, arena);
                if (irqchip) {
                    apfMissing = probeAsyncPfMsr(vcpu, arena);
                }
            }
            apfDetail = apfMissing == null ? "KVM paravirtual (in-kernel irqchip, page ready on the guest's vector"
                    + (hypervisor().equals("PVM") ? ", auto-EOI)" : ", EOI at ACK)") : "synchronous faults (" + apfMissing + ")";
        } catch (NativeException e) {
            return HostSupport.unusable("creating a test VM failed: " + e.getMessage());
        }
        if (apfMissing != null && settings.asyncPageFaults() != KvmSettings.AsyncPfMode.OFF) {
            LOG.log(System.Logger.Level.INFO, "KVM async page faults unavailable, using synchronous faults: " + apfMissing);
        }
        return new HostSupport(true, "", hypervisor(), maxVcpus, mmapSize, cpuid, Set.copyOf(msrs), xsave, singleStep,
                physBits, uffd, uffdDetail, apfMissing == null, apfDetail);
    }

    /** KVM_GET_XSAVE works here; hosts without XSAVE support refuse it and the FPU ioctls carry the FXSAVE area. */
    private static boolean xsaveWorks(VcpuFd vcpu, Arena arena) {
        try {
            vcpu.getXsave(arena.allocate(KvmLayouts.KVM_XSAVE.byteSize(), 64));
            return true;
        } catch (NativeException e) {
            return false;
        }
    }

    /** MSR_KVM_ASYNC_PF_INT must be accepted and read back (it is harmless: async PF stays off until the enable MSR). */
    private static String probeAsyncPfMsr(VcpuFd vcpu, Arena arena) {
        MemorySegment msrs = arena.allocate(KvmLayouts.KVM_MSRS.byteSize() + KvmLayouts.KVM_MSR_ENTRY.byteSize(), 8);
        long entry = KvmLayouts.KVM_MSRS.byteSize();
        msrs.set(JAVA_INT, 0, 1);
        msrs.set(JAVA_INT, entry, AsyncPfAbi.MSR_ASYNC_PF_INT);
        msrs.set(JAVA_LONG, entry + 8, AsyncPfAbi.DEFAULT_READY_VECTOR);
        if (vcpu.setMsrs(msrs) != 1) {
            return "KVM refused MSR_KVM_ASYNC_PF_INT";
        }
        msrs.set(JAVA_LONG, entry + 8, 0);
        if (vcpu.getMsrs(msrs) != 1 || msrs.get(JAVA_LONG, entry + 8) != AsyncPfAbi.DEFAULT_READY_VECTOR) {
            return "MSR_KVM_ASYNC_PF_INT did not read back";
        }
        msrs.set(JAVA_LONG, entry + 8, 0);
        vcpu.setMsrs(msrs);
        return null;
    }

    /** Which KVM vendor module serves /dev/kvm. */
    public static String hypervisor() {
        if (Files.isDirectory(Path.of("/sys/module/kvm_pvm"))) {
            return "PVM";
        }
        if (Files.isDirectory(Path.of("/sys/module/kvm_intel"))) {
            return "VMX";
        }
        if (Files.isDirectory(Path.of("/sys/module/kvm_amd"))) {
            return "SVM";
        }
        return "KVM";
    }
}
