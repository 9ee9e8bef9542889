package org.paravane.api.cpu;

import java.util.List;

/**
 * The catalogue of named CPU models.
 *
 * <ul>
 *   <li>{@value #DEFAULT} — the default: the CPU both backends implement in full, so a VM under it can move between
 *       KVM and the software CPU at any instruction. Baseline x86-64 plus what the software CPU executes (see
 *       {@link #DEFAULT_FEATURES}), no AVX and no XSAVE (XGETBV/XSETBV raise #UD, XCR0 stays x87|SSE).</li>
 *   <li>{@value #HOST} — KVM only: everything KVM_GET_SUPPORTED_CPUID offers on the host. It is not built here but
 *       by the backend that runs on the real CPU ({@code VirtualizationBackend.hostCpuModel()}); a VM under it
 *       cannot move to a backend lacking one of its features.</li>
 *   <li>{@value #LEGACY} — the CPUID the software CPU showed before models existed (vendor "ParavaneVCPU", max leaf
 *       7): snapshots written before the format carried a model are restored under it.</li>
 * </ul>
 *
 * <p><b>Vendor.</b> The default model says {@code AuthenticAMD}, family 17h. glibc keys its start-up on the vendor:
 * for AMD it reads the cache sizes from leaves 0x8000001D (newer glibc) or 0x80000005/6 (older), both given here
 * consistently, and treats a leaf it does not find as zeros — the rule {@link CpuModel#answer} and KVM (for an
 * AMD-compatible guest) both follow, where for an Intel vendor KVM repeats the highest basic leaf instead. Intel's
 * path would need leaf 2 descriptors and model-number tables. The hosts measured here are AMD, so KVM runs the guest
 * with its native vendor, and on PVM — where CPL3 code may execute CPUID natively, see the README — the vendor a
 * guest program reads does not change between the model and the bare host. Family 17h (model 0, stepping 0, no
 * product of that number is claimed) keeps glibc off the older families' exclusive-cache arithmetic.
 *
 * <p><b>Topology.</b> Every vCPU is one core of one package, one thread per core, APIC id = vCPU index; leaves 1,
 * 4, 0xB, 0x80000008 and 0x8000001D/1E say so for the VM's vCPU count. Caches: 32 KiB L1D and L1I (8-way) and a
 * 512 KiB L2 (8-way) per core, a 16 MiB L3 (16-way) shared by all vCPUs; 64-byte lines.
 */
public final class CpuModels {
    private CpuModels() {
    }

    public static final String DEFAULT = "paravane-1";
    public static final String HOST = "host";
    public static final String LEGACY = "paravane-0";

    /** The names a user may choose ({@value #HOST} only on a backend that has it). */
    public static final List<String> NAMES = List.of(DEFAULT, HOST, LEGACY);

    /**
     * The default model's features, one a line: a bit whose instructions a backend does not execute is removed
     * here and nowhere else.
     */
    public static final List<CpuFeature> DEFAULT_FEATURES = List.of(
            CpuFeature.FPU,          // x87
            CpuFeature.PSE,
            CpuFeature.TSC,
            CpuFeature.MSR,
            CpuFeature.PAE,
            CpuFeature.CX8,
            CpuFeature.PGE,
            CpuFeature.CMOV,
            CpuFeature.PAT,
            CpuFeature.CLFLUSH,
            CpuFeature.MMX,
            CpuFeature.FXSR,
            CpuFeature.SSE,
            CpuFeature.SSE2,
            CpuFeature.SSE3,
            CpuFeature.SSSE3,
            CpuFeature.SSE4_1,
            CpuFeature.CX16,
            CpuFeature.MOVBE,
            CpuFeature.POPCNT,
            CpuFeature.RDRAND,
            CpuFeature.HYPERVISOR,
            CpuFeature.BMI1,
            CpuFeature.BMI2,
            CpuFeature.RDSEED,
            CpuFeature.ADX,
            CpuFeature.LAHF_LM,
            CpuFeature.ABM,          // LZCNT
            CpuFeature.TOPOEXT,      // leaves 0x8000001D/1E
            CpuFeature.SYSCALL,
            CpuFeature.NX,
            CpuFeature.RDTSCP,
            CpuFeature.LM,
            CpuFeature.KVM_ASYNC_PF,
            CpuFeature.KVM_ASYNC_PF_INT);

    /** Family 17h, model 0, stepping 0 (base family 0xF + extended family 8). */
    static final int SIGNATURE = 0x0080_0F00;
    static final String BRAND = "Paravane virtual x86-64 CPU";
    static final int ADDRESS_BITS = 48 | (48 << 8);

    /**
     * The model called {@code name} for a VM of {@code vcpus} vCPUs.
     *
     * @throws IllegalArgumentException naming the choices when {@code name} is unknown, or for {@value #HOST}, which
     *                                  only a backend can build
     */
    public static CpuModel named(String name, int vcpus) {
        return switch (name) {
            case DEFAULT -> defaultModel(vcpus);
            case LEGACY -> legacy(vcpus);
            case HOST -> throw new IllegalArgumentException("CPU model 'host' is the host's own CPU: only a backend "
                    + "running on it (KVM) can provide it");
            default -> throw new IllegalArgumentException("unknown CPU model '" + name + "'; choose one of " + NAMES);
        };
    }

    /** The default model ({@value #DEFAULT}) for a VM of {@code vcpus} vCPUs. */
    public static CpuModel defaultModel(int vcpus) {
        Topology t = new Topology(vcpus);
        CpuidTable table = new CpuidTable()
                .vendor(0, 0xB, "AuthenticAMD")
                .leaf(1, SIGNATURE, t.leaf1Ebx(), 0, t.htt())
                .subleaf(7, 0, 0, 0, 0, 0)
                .hypervisor(0x4000_0000, 0x4000_0001, "KVMKVMKVM")
                .leaf(0x4000_0001, 0, 0, 0, 0)
                .leaf(0x8000_0000, 0x8000_001E, 0, 0, 0)
                .leaf(0x8000_0001, SIGNATURE, 0, 0, 0)
                .brand(BRAND)
                .leaf(0x8000_0008, ADDRESS_BITS, 0, t.leaf80000008Ecx(), 0);
        t.caches(table);
        t.extendedTopology(table);
        for (CpuFeature f : DEFAULT_FEATURES) {
            table.feature(f);
        }
        return table.build(DEFAULT, 0);
    }

    /** The software CPU's CPUID before models ({@value #LEGACY}). */
    public static CpuModel legacy(int vcpus) {
        CpuidTable table = new CpuidTable()
                .vendor(0, 7, "ParavaneVCPU")
                .leaf(1, 0x0000_0601, (1 << 16) | (8 << 8), 0, 0)
                .subleaf(7, 0, 0, 0, 0, 0)
                .vendor(0x4000_0000, 0x4000_0001, "KVMKVMKVM")     // in leaf 0's byte order, as it was
                .leaf(0x4000_0001, 0, 0, 0, 0)
                .leaf(0x8000_0000, 0x8000_0008, 0, 0, 0)
                .leaf(0x8000_0001, 0, 0, 0, 0)
                .brand("Paravane emulated x86-64 CPU")
                .leaf(0x8000_0008, ADDRESS_BITS, 0, 0, 0);
        for (CpuFeature f : List.of(CpuFeature.PSE, CpuFeature.TSC, CpuFeature.MSR, CpuFeature.PAE, CpuFeature.CX8,
                CpuFeature.PGE, CpuFeature.CMOV, CpuFeature.PAT, CpuFeature.CLFLUSH, CpuFeature.FXSR, CpuFeature.SSE,
                CpuFeature.SSE2, CpuFeature.CX16, CpuFeature.MOVBE, CpuFeature.POPCNT, CpuFeature.HYPERVISOR,
                CpuFeature.BMI1, CpuFeature.RDPID, CpuFeature.LAHF_LM, CpuFeature.ABM, CpuFeature.SYSCALL,
                CpuFeature.NX, CpuFeature.RDTSCP, CpuFeature.LM, CpuFeature.KVM_ASYNC_PF, CpuFeature.KVM_ASYNC_PF_INT)) {
            table.feature(f);
        }
        return table.build(LEGACY, 0);
    }
}
