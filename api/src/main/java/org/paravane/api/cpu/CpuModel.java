package org.paravane.api.cpu;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The CPU a VM's guest sees: fixed when the VM is created, carried with it on every move, snapshot and restore, and
 * presented the same by every backend the VM runs on, so that code choosing a path from CPUID once (as glibc does at
 * start-up) keeps working after a move. The named models are in {@link CpuModels}.
 *
 * <p>Two kinds of bits are not the model's alone. Per vCPU: the APIC ids (leaf 1 EBX[31:24], the x2APIC id in
 * leaves 0xB/0x1F EDX, leaf 0x8000001E EAX and EBX[7:0]), see {@link #leavesFor(int)}. At run time, as KVM and the
 * hardware do: leaf 1 EDX.APIC follows IA32_APIC_BASE.EN and leaf 1 ECX.OSXSAVE follows CR4.OSXSAVE (set only when
 * the model offers XSAVE), see {@link #answer}. A function that is not listed answers zeros (the AMD rule, which
 * KVM applies to a guest whose vendor is AMD), except that leaves 0xB and 0x1F answer an unlisted subleaf with
 * ECX[7:0] = the subleaf and EDX = the x2APIC id, as KVM does.
 *
 * @param name          the model's name, as chosen on {@code paravane:run --cpu} or in Config Admin
 * @param leaves        every leaf the model answers (APIC id fields zero); one per function and index
 * @param supportedXcr0 the XCR0 bits (x87, SSE, AVX, ...) the guest may enable with XSETBV; 0 when the model has no
 *                      XSAVE, so XGETBV and XSETBV raise #UD
 */
public record CpuModel(String name, List<CpuidLeaf> leaves, long supportedXcr0) {

    /** CR4.OSXSAVE and IA32_APIC_BASE.EN, the run-time inputs of {@link #answer}. */
    public static final long CR4_OSXSAVE = 1L << 18, APIC_BASE_ENABLE = 1L << 11;

    /** The registers that hold feature flags: what a backend must implement for a model to run on it. */
    private static final List<FeatureWord> FEATURE_WORDS = List.of(
            new FeatureWord(1, 0, CpuFeature.Register.EDX), new FeatureWord(1, 0, CpuFeature.Register.ECX),
            new FeatureWord(7, 0, CpuFeature.Register.EBX), new FeatureWord(7, 0, CpuFeature.Register.ECX),
            new FeatureWord(7, 0, CpuFeature.Register.EDX), new FeatureWord(7, 1, CpuFeature.Register.EAX),
            new FeatureWord(0xD, 1, CpuFeature.Register.EAX),
            new FeatureWord(0x8000_0001, 0, CpuFeature.Register.ECX),
            new FeatureWord(0x8000_0001, 0, CpuFeature.Register.EDX),
            new FeatureWord(0x4000_0001, 0, CpuFeature.Register.EAX));
    /**
     * Bits that describe state, topology or leaves that are data only (TOPOEXT: leaves 0x8000001D/1E exist) rather
     * than something a backend executes: never compared.
     */
    private static final Set<CpuFeature> NOT_IMPLEMENTATION = Set.of(CpuFeature.APIC, CpuFeature.OSXSAVE,
            CpuFeature.HT, CpuFeature.HYPERVISOR, CpuFeature.TOPOEXT);
    private static final String[] XCR0_COMPONENTS = {"x87", "SSE", "AVX", "MPX BNDREGS", "MPX BNDCSR",
            "AVX-512 opmask", "AVX-512 ZMM_Hi256", "AVX-512 Hi16_ZMM", "PT", "PKRU"};

    public CpuModel {
        Objects.requireNonNull(name, "name");
        leaves = List.copyOf(leaves);
        Set<Long> seen = new HashSet<>();
        for (CpuidLeaf l : leaves) {
            if (!seen.add(((long) l.function() << 32) | (l.index() & 0xFFFF_FFFFL))) {
                throw new IllegalArgumentException("CPU model " + name + " lists leaf 0x" + Integer.toHexString(l.function())
                        + " index " + l.index() + " twice");
            }
        }
    }

    /** The leaf CPUID answers for {@code function} and {@code index}, if the model lists it. */
    public Optional<CpuidLeaf> leaf(int function, int index) {
        for (CpuidLeaf l : leaves) {
            if (l.function() == function && (!l.indexed() || l.index() == index)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /** Whether the model announces {@code feature}. */
    public boolean has(CpuFeature feature) {
        return (register(feature.function(), feature.index(), feature.register()) & feature.mask()) != 0;
    }

    /** The leaves as the vCPU with {@code apicId} sees them: {@link #leaves()} with its APIC ids filled in. */
    public List<CpuidLeaf> leavesFor(int apicId) {
        List<CpuidLeaf> out = new ArrayList<>(leaves.size());
        for (CpuidLeaf l : leaves) {
            out.add(withApicId(l, apicId));
        }
        return out;
    }

    /**
     * What CPUID answers (EAX, EBX, ECX, EDX) on the vCPU with {@code apicId}, given its CR4 and IA32_APIC_BASE.
     */
    public int[] answer(int function, int index, int apicId, long cr4, long apicBase) {
        Optional<CpuidLeaf> found = leaf(function, index);
        if (found.isEmpty()) {
            boolean topology = (function == 0xB || function == 0x1F) && leaf(function, 1).isPresent();
            return topology ? new int[] {0, 0, index & 0xFF, apicId} : new int[4];
        }
        int[] r = withApicId(found.get(), apicId).registers();
        if (function == 1) {
            r[3] = (apicBase & APIC_BASE_ENABLE) != 0 ? r[3] | CpuFeature.APIC.mask() : r[3] & ~CpuFeature.APIC.mask();
            boolean osxsave = (r[2] & CpuFeature.XSAVE.mask()) != 0 && (cr4 & CR4_OSXSAVE) != 0;
            r[2] = osxsave ? r[2] | CpuFeature.OSXSAVE.mask() : r[2] & ~CpuFeature.OSXSAVE.mask();
        }
        return r;
    }

    /**
     * The features this model announces that {@code supported} (what a backend implements) lacks, by name, and the
     * XCR0 components it lets the guest enable that {@code supported} does not; empty when the model can run there.
     */
    public List<String> featuresMissingFrom(CpuModel supported) {
        List<String> missing = new ArrayList<>();
        for (FeatureWord w : FEATURE_WORDS) {
            int lacking = register(w.function, w.index, w.register)
                    & ~supported.register(w.function, w.index, w.register);
            for (int bit = 0; bit < 32; bit++) {
                if ((lacking & (1 << bit)) != 0) {
                    String feature = CpuFeature.describe(w.function, w.index, w.register, bit);
                    if (NOT_IMPLEMENTATION.stream().noneMatch(f -> f.name().equals(feature))) {
                        missing.add(feature);
                    }
                }
            }
        }
        long xcr0 = supportedXcr0 & ~supported.supportedXcr0;
        for (int bit = 0; bit < 64; bit++) {
            if ((xcr0 & (1L << bit)) != 0) {
                missing.add("XCR0." + (bit < XCR0_COMPONENTS.length ? XCR0_COMPONENTS[bit] : "bit" + bit) + " state");
            }
        }
        return missing;
    }

    private int register(int function, int index, CpuFeature.Register register) {
        return leaf(function, index).map(l -> l.registers()[register.ordinal()]).orElse(0);
    }

    private static CpuidLeaf withApicId(CpuidLeaf l, int apicId) {
        return switch (l.function()) {
            case 1 -> new CpuidLeaf(1, l.index(), l.indexed(), l.eax(), (l.ebx() & 0x00FF_FFFF) | (apicId << 24),
                    l.ecx(), l.edx());
            case 0xB, 0x1F -> new CpuidLeaf(l.function(), l.index(), l.indexed(), l.eax(), l.ebx(), l.ecx(), apicId);
            case 0x8000_001E -> new CpuidLeaf(l.function(), l.index(), l.indexed(), apicId,
                    (l.ebx() & ~0xFF) | (apicId & 0xFF), l.ecx(), l.edx());
            default -> l;
        };
    }

    private record FeatureWord(int function, int index, CpuFeature.Register register) {
    }
}
