package org.paravane.emulated.cpu;

import java.nio.charset.StandardCharsets;

/**
 * The CPUID this CPU reports: what is implemented and nothing more. 64-bit long mode, NX, PAE/PSE/PGE, TSC, MSR,
 * CX8, CX16, CMOV, PAT, CLFLUSH, MOVBE, POPCNT, LZCNT, BMI1, RDTSCP, RDPID, LAHF in 64-bit mode, SYSCALL, FXSR, SSE,
 * SSE2; no x87 arithmetic (no FPU bit), no MMX, no SSE3 or later, no XSAVE, no 1 GiB pages, no local APIC. The hypervisor leaves say KVM with the paravirtual async page fault
 * features, whose MSRs this backend implements. Leaves beyond the maxima read as zero.
 */
public final class Cpuid {
    private Cpuid() {
    }

    public static final String VENDOR = "ParavaneVCPU";
    public static final String BRAND = "Paravane emulated x86-64 CPU";
    public static final int MAX_BASIC = 7;
    public static final long MAX_EXTENDED = 0x8000_0008L;

    // Leaf 1 EDX / ECX.
    public static final int EDX1_TSC = 1 << 4, EDX1_MSR = 1 << 5, EDX1_PAE = 1 << 6, EDX1_PSE = 1 << 3,
            EDX1_CX8 = 1 << 8, EDX1_PGE = 1 << 13, EDX1_CMOV = 1 << 15, EDX1_PAT = 1 << 16, EDX1_CLFSH = 1 << 19,
            EDX1_FXSR = 1 << 24, EDX1_SSE = 1 << 25, EDX1_SSE2 = 1 << 26;
    public static final int ECX1_CX16 = 1 << 13, ECX1_MOVBE = 1 << 22, ECX1_POPCNT = 1 << 23,
            ECX1_HYPERVISOR = 1 << 31;
    // Leaf 7 EBX / ECX.
    public static final int EBX7_BMI1 = 1 << 3, ECX7_RDPID = 1 << 22;
    // Leaf 0x80000001 ECX / EDX.
    public static final int ECX81_LAHF = 1, ECX81_ABM = 1 << 5;
    public static final int EDX81_SYSCALL = 1 << 11, EDX81_NX = 1 << 20, EDX81_RDTSCP = 1 << 27, EDX81_LM = 1 << 29;
    // KVM paravirtual features (leaf 0x40000001 EAX).
    public static final int KVM_FEATURE_ASYNC_PF = 1 << 4, KVM_FEATURE_ASYNC_PF_INT = 1 << 14;

    /** EAX, EBX, ECX, EDX of leaf {@code leaf}, subleaf {@code sub}, on vCPU {@code vcpu}. */
    public static int[] query(int leaf, int sub, int vcpu) {
        return switch (leaf) {
            case 0 -> withVendor(MAX_BASIC, VENDOR);
            case 1 -> new int[] {0x0000_0601, (vcpu << 24) | (1 << 16) | (8 << 8),
                    ECX1_CX16 | ECX1_MOVBE | ECX1_POPCNT | ECX1_HYPERVISOR,
                    EDX1_PSE | EDX1_TSC | EDX1_MSR | EDX1_PAE | EDX1_CX8 | EDX1_PGE | EDX1_CMOV | EDX1_PAT | EDX1_CLFSH
                            | EDX1_FXSR | EDX1_SSE | EDX1_SSE2};
            case 7 -> sub == 0 ? new int[] {0, EBX7_BMI1, ECX7_RDPID, 0} : new int[4];
            case 0x4000_0000 -> withVendor(0x4000_0001, "KVMKVMKVM\0\0\0");
            case 0x4000_0001 -> new int[] {KVM_FEATURE_ASYNC_PF | KVM_FEATURE_ASYNC_PF_INT, 0, 0, 0};
            case 0x8000_0000 -> new int[] {(int) MAX_EXTENDED, 0, 0, 0};
            case 0x8000_0001 -> new int[] {0, 0, ECX81_LAHF | ECX81_ABM, EDX81_SYSCALL | EDX81_NX | EDX81_RDTSCP | EDX81_LM};
            case 0x8000_0002, 0x8000_0003, 0x8000_0004 -> brand(leaf - 0x8000_0002);
            case 0x8000_0008 -> new int[] {48 | (48 << 8), 0, 0, 0};
            default -> new int[4];
        };
    }

    private static int[] withVendor(int eax, String vendor) {
        byte[] b = vendor.getBytes(StandardCharsets.US_ASCII);
        return new int[] {eax, word(b, 0), word(b, 8), word(b, 4)};
    }

    private static int[] brand(int part) {
        byte[] b = new byte[48];
        byte[] text = BRAND.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, b, 0, text.length);
        return new int[] {word(b, part * 16), word(b, part * 16 + 4), word(b, part * 16 + 8), word(b, part * 16 + 12)};
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
