package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.paravane.api.cpu.CpuFeature;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuidLeaf;
import org.paravane.kvm.ioctls.KvmLayouts;

/**
 * A VM's {@link CpuModel} as KVM takes it ({@code struct kvm_cpuid2} for KVM_SET_CPUID2), and KVM_GET_SUPPORTED_CPUID
 * as the {@code host} model. KVM itself keeps the run-time bits (APIC, OSXSAVE) and limits XCR0 to what leaf 0xD
 * lists, so the leaf 0xD written here never offers more than the model's {@code supportedXcr0}.
 */
public final class Cpuid {
    private Cpuid() {
    }

    /** {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}: the entry's answer depends on ECX. */
    static final int FLAG_SIGNIFICANT_INDEX = 1;
    private static final long ENTRY = KvmLayouts.KVM_CPUID_ENTRY2.byteSize();
    private static final long HEADER = KvmLayouts.KVM_CPUID2.byteSize();
    private static final long FUNCTION = 0, INDEX = 4, FLAGS = 8, EAX = 12;

    /**
     * {@code model} for the vCPU with APIC id {@code apicId}, as a {@code struct kvm_cpuid2} owned by {@code arena}.
     *
     * @throws IllegalArgumentException when the model offers XSAVE without leaf 0xD (KVM would then allow only x87)
     */
    public static MemorySegment encode(CpuModel model, int apicId, Arena arena) {
        if (model.has(CpuFeature.XSAVE) && model.leaf(0xD, 0).isEmpty()) {
            throw new IllegalArgumentException("CPU model " + model.name() + " offers XSAVE but lists no leaf 0xD");
        }
        List<CpuidLeaf> leaves = model.leavesFor(apicId);
        MemorySegment c = arena.allocate(HEADER + leaves.size() * ENTRY, 8);
        c.set(JAVA_INT, 0, leaves.size());
        for (int i = 0; i < leaves.size(); i++) {
            CpuidLeaf l = leaves.get(i);
            int[] r = l.registers();
            if (l.function() == 0xD && l.index() == 0) {
                r[0] &= (int) model.supportedXcr0();                 // XCR0 bits 31:0
                r[3] &= (int) (model.supportedXcr0() >>> 32);        // XCR0 bits 63:32
            }
            long e = HEADER + i * ENTRY;
            c.set(JAVA_INT, e + FUNCTION, l.function());
            c.set(JAVA_INT, e + INDEX, l.index());
            c.set(JAVA_INT, e + FLAGS, l.indexed() ? FLAG_SIGNIFICANT_INDEX : 0);
            for (int k = 0; k < 4; k++) {
                c.set(JAVA_INT, e + EAX + 4L * k, r[k]);
            }
        }
        return c;
    }

    /**
     * A {@code struct kvm_cpuid2} (KVM_GET_SUPPORTED_CPUID's) as a model called {@code name}: every leaf as KVM lists
     * it, and the XCR0 bits of leaf 0xD.
     */
    public static CpuModel decode(MemorySegment cpuid, String name) {
        int n = cpuid.get(JAVA_INT, 0);
        List<CpuidLeaf> leaves = new ArrayList<>(n);
        Set<Long> seen = new HashSet<>();
        long xcr0 = 0;
        for (int i = 0; i < n; i++) {
            long e = HEADER + i * ENTRY;
            int function = cpuid.get(JAVA_INT, e + FUNCTION);
            boolean indexed = (cpuid.get(JAVA_INT, e + FLAGS) & FLAG_SIGNIFICANT_INDEX) != 0;
            int index = indexed ? cpuid.get(JAVA_INT, e + INDEX) : 0;
            if (!seen.add(((long) function << 32) | (index & 0xFFFF_FFFFL))) {
                continue;
            }
            int[] r = new int[4];
            for (int k = 0; k < 4; k++) {
                r[k] = cpuid.get(JAVA_INT, e + EAX + 4L * k);
            }
            if (function == 0xD && index == 0) {
                xcr0 = (r[0] & 0xFFFF_FFFFL) | ((long) r[3] << 32);
            }
            leaves.add(new CpuidLeaf(function, index, indexed, r[0], r[1], r[2], r[3]));
        }
        return new CpuModel(name, leaves, xcr0);
    }

    /** EAX of leaf {@code function} (subleaf 0) in a {@code struct kvm_cpuid2}, or -1 when absent. */
    public static long eax(MemorySegment cpuid, int function) {
        int n = cpuid.get(JAVA_INT, 0);
        for (int i = 0; i < n; i++) {
            long e = HEADER + i * ENTRY;
            if (cpuid.get(JAVA_INT, e) == function && cpuid.get(JAVA_INT, e + 4) == 0) {
                return cpuid.get(JAVA_INT, e + 12) & 0xFFFFFFFFL;
            }
        }
        return -1;
    }
}
