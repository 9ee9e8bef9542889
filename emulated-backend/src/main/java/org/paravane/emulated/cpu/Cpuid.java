package org.paravane.emulated.cpu;

import java.util.ArrayList;
import java.util.List;
import org.paravane.api.cpu.CpuFeature;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.cpu.CpuidLeaf;

/**
 * CPUID on the software CPU: the VM's {@link CpuModel} answers, with this vCPU's APIC id and the run-time bits
 * (APIC from IA32_APIC_BASE, OSXSAVE from CR4). {@link #IMPLEMENTED} is what this CPU executes; a VM whose model
 * announces anything else is refused when it is created.
 */
public final class Cpuid {
    private Cpuid() {
    }

    /**
     * Every feature the software CPU implements: the default model's (one line each in
     * {@link CpuModels#DEFAULT_FEATURES}) plus these. No XSAVE: XGETBV and XSETBV raise #UD.
     */
    static final List<CpuFeature> BEYOND_DEFAULT = List.of(
            CpuFeature.RDPID);

    /** What the software CPU implements, as a model (its topology leaves are those of one vCPU). */
    public static final CpuModel IMPLEMENTED = implemented();

    /** EAX, EBX, ECX, EDX of leaf {@code leaf}, subleaf {@code sub}, as the VM's model answers on {@code c}. */
    public static int[] query(Cpu c, int leaf, int sub) {
        return c.cpuModel.answer(leaf, sub, c.vcpuId, c.cr4, c.apicBase);
    }

    private static CpuModel implemented() {
        CpuModel base = CpuModels.defaultModel(1);
        List<CpuidLeaf> leaves = new ArrayList<>();
        for (CpuidLeaf l : base.leaves()) {
            int[] r = l.registers();
            for (CpuFeature f : BEYOND_DEFAULT) {
                if (f.function() == l.function() && f.index() == l.index()) {
                    r[f.register().ordinal()] |= f.mask();
                }
            }
            leaves.add(new CpuidLeaf(l.function(), l.index(), l.indexed(), r[0], r[1], r[2], r[3]));
        }
        return new CpuModel("emulated", leaves, base.supportedXcr0());
    }
}
