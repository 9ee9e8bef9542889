package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.paravane.kvm.ioctls.KvmLayouts;

/** The CPUID a vCPU gets: everything KVM supports, with this vCPU's APIC id in the topology leaves. */
public final class Cpuid {
    private Cpuid() {
    }

    private static final long ENTRY = KvmLayouts.KVM_CPUID_ENTRY2.byteSize();
    private static final long HEADER = KvmLayouts.KVM_CPUID2.byteSize();

    /** A copy of {@code supported} (a {@code struct kvm_cpuid2}) for the vCPU with APIC id {@code apicId}. */
    public static MemorySegment forVcpu(MemorySegment supported, int apicId, Arena arena) {
        int n = supported.get(JAVA_INT, 0);
        MemorySegment c = arena.allocate(HEADER + n * ENTRY, 8);
        c.copyFrom(supported.asSlice(0, HEADER + n * ENTRY));
        for (int i = 0; i < n; i++) {
            long e = HEADER + i * ENTRY;
            int function = c.get(JAVA_INT, e);
            if (function == 1) {
                int ebx = c.get(JAVA_INT, e + 16);
                c.set(JAVA_INT, e + 16, (ebx & 0x00FFFFFF) | (apicId << 24));
            } else if (function == 0xB || function == 0x1F) {
                c.set(JAVA_INT, e + 24, apicId);   // EDX: x2APIC id
            }
        }
        return c;
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
