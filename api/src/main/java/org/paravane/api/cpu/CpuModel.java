package org.paravane.api.cpu;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The CPU a VM's guest sees: fixed when the VM is created, carried with it on every move, snapshot and restore, and
 * presented the same by every backend the VM runs on, so that code choosing a path from CPUID once (as glibc does at
 * start-up) keeps working after a move.
 *
 * <p>The per-vCPU parts of CPUID (the APIC ids in leaf 1 EBX[31:24] and leaf 0xB EDX) are the backend's to fill
 * in; everything else is answered from {@link #leaves()}.
 *
 * @param name          the model's name, as chosen on {@code paravane:run --cpu} or in Config Admin
 * @param leaves        every leaf the model answers; a function that is not listed answers zeros
 * @param supportedXcr0 the XCR0 bits (x87, SSE, AVX, ...) the guest may enable with XSETBV
 */
public record CpuModel(String name, List<CpuidLeaf> leaves, long supportedXcr0) {

    public CpuModel {
        Objects.requireNonNull(name, "name");
        leaves = List.copyOf(leaves);
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
}
