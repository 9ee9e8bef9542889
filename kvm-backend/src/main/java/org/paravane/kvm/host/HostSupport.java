package org.paravane.kvm.host;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.kvm.vstate.vcpu.Cpuid;

/**
 * What this host's KVM can do, found once when the backend starts.
 *
 * @param usable            whether VMs can be created at all
 * @param reason            one line why not (empty when usable)
 * @param hypervisor        "PVM", "VMX", "SVM" or "KVM"
 * @param maxVcpus          largest vCPU count of a VM
 * @param vcpuMmapSize      bytes of a vCPU's kvm_run mapping
 * @param supportedCpuid    KVM_GET_SUPPORTED_CPUID ({@code struct kvm_cpuid2}); null when unusable
 * @param msrIndices        the MSRs KVM saves and restores
 * @param xsave             KVM_GET/SET_XSAVE work (else the FPU ioctls carry the FXSAVE area)
 * @param singleStep        KVM_SET_GUEST_DEBUG single-stepping is available
 * @param physicalAddressBits guest-physical address width
 * @param userfaultfd       lazy memory can be served (a userfaultfd can be created)
 * @param userfaultfdDetail why not, when it cannot
 * @param kernelAsyncPf     KVM's paravirtual async page faults work (in-kernel irqchip, the MSRs accepted)
 * @param asyncPfDetail     the mechanism in use, or why it falls back to synchronous faults
 */
public record HostSupport(boolean usable, String reason, String hypervisor, int maxVcpus, int vcpuMmapSize,
                          MemorySegment supportedCpuid, Set<Integer> msrIndices, boolean xsave, boolean singleStep,
                          int physicalAddressBits, boolean userfaultfd, String userfaultfdDetail, boolean kernelAsyncPf,
                          String asyncPfDetail) {

    public static HostSupport unusable(String reason) {
        return new HostSupport(false, reason, "none", 0, 0, null, Set.of(), false, false, 0, false, "", false, "");
    }

    /** One line for the shell: the mechanisms in use. */
    public String detail() {
        if (!usable) {
            return "unusable: " + reason;
        }
        return hypervisor + (hypervisor.equals("PVM") ? " (guest CPL0 emulated, CPL3 native; single-step at CPL0 only; SYSCALL "
                + "from CPL3 arrives as #GP at the LSTAR entry, see kvm-backend/README.md)" : "")
                + "; sync regs; async PF: " + asyncPfDetail
                + "; lazy memory: " + (userfaultfd ? "userfaultfd" : "unavailable (" + userfaultfdDetail + ")");
    }

    /** KVM_GET_SUPPORTED_CPUID as the {@code host} CPU model; null when unusable. */
    public CpuModel hostCpu() {
        return supportedCpuid == null ? null : Cpuid.decode(supportedCpuid, CpuModels.HOST);
    }
}
