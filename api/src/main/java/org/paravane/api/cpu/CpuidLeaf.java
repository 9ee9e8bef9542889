package org.paravane.api.cpu;

/**
 * One CPUID leaf: what {@code CPUID} answers for {@code function} (EAX) and, where the function reads it,
 * {@code index} (ECX).
 *
 * @param indexed whether the answer depends on ECX (leaves 4, 7, 0xB, 0xD, ...); if not, {@code index} is 0 and
 *                the leaf answers for every ECX
 */
public record CpuidLeaf(int function, int index, boolean indexed, int eax, int ebx, int ecx, int edx) {

    public CpuidLeaf {
        if (!indexed && index != 0) {
            throw new IllegalArgumentException("CPUID leaf 0x" + Integer.toHexString(function)
                    + " does not depend on ECX, so its index must be 0, not " + index);
        }
    }

    /** The registers in CPUID's order: EAX, EBX, ECX, EDX. */
    public int[] registers() {
        return new int[] {eax, ebx, ecx, edx};
    }
}
