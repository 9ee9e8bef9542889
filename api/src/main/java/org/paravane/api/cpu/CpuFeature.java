package org.paravane.api.cpu;

/**
 * A CPUID feature flag: the leaf, subleaf, register and bit that announce it. Names follow the Linux kernel's
 * {@code /proc/cpuinfo} flags (upper-cased), so a refusal such as "lacks AVX2" reads the way users know it.
 */
public enum CpuFeature {
    // Leaf 1 EDX
    FPU(1, 0, Register.EDX, 0), PSE(1, 0, Register.EDX, 3), TSC(1, 0, Register.EDX, 4), MSR(1, 0, Register.EDX, 5),
    PAE(1, 0, Register.EDX, 6), CX8(1, 0, Register.EDX, 8), APIC(1, 0, Register.EDX, 9), SEP(1, 0, Register.EDX, 11),
    PGE(1, 0, Register.EDX, 13), CMOV(1, 0, Register.EDX, 15), PAT(1, 0, Register.EDX, 16),
    CLFLUSH(1, 0, Register.EDX, 19), MMX(1, 0, Register.EDX, 23), FXSR(1, 0, Register.EDX, 24),
    SSE(1, 0, Register.EDX, 25), SSE2(1, 0, Register.EDX, 26), HT(1, 0, Register.EDX, 28),
    // Leaf 1 ECX
    SSE3(1, 0, Register.ECX, 0), PCLMULQDQ(1, 0, Register.ECX, 1), SSSE3(1, 0, Register.ECX, 9),
    FMA(1, 0, Register.ECX, 12), CX16(1, 0, Register.ECX, 13), SSE4_1(1, 0, Register.ECX, 19),
    SSE4_2(1, 0, Register.ECX, 20), X2APIC(1, 0, Register.ECX, 21), MOVBE(1, 0, Register.ECX, 22),
    POPCNT(1, 0, Register.ECX, 23), AES(1, 0, Register.ECX, 25), XSAVE(1, 0, Register.ECX, 26),
    OSXSAVE(1, 0, Register.ECX, 27), AVX(1, 0, Register.ECX, 28), F16C(1, 0, Register.ECX, 29),
    RDRAND(1, 0, Register.ECX, 30), HYPERVISOR(1, 0, Register.ECX, 31),
    // Leaf 7 subleaf 0
    FSGSBASE(7, 0, Register.EBX, 0), BMI1(7, 0, Register.EBX, 3), AVX2(7, 0, Register.EBX, 5),
    SMEP(7, 0, Register.EBX, 7), BMI2(7, 0, Register.EBX, 8), ERMS(7, 0, Register.EBX, 9),
    AVX512F(7, 0, Register.EBX, 16), RDSEED(7, 0, Register.EBX, 18), ADX(7, 0, Register.EBX, 19),
    SMAP(7, 0, Register.EBX, 20), CLFLUSHOPT(7, 0, Register.EBX, 23), CLWB(7, 0, Register.EBX, 24),
    SHA_NI(7, 0, Register.EBX, 29), UMIP(7, 0, Register.ECX, 2), PKU(7, 0, Register.ECX, 3),
    VAES(7, 0, Register.ECX, 9), VPCLMULQDQ(7, 0, Register.ECX, 10), RDPID(7, 0, Register.ECX, 22),
    FSRM(7, 0, Register.EDX, 4),
    // Leaf 0x80000001
    LAHF_LM(0x8000_0001, 0, Register.ECX, 0), ABM(0x8000_0001, 0, Register.ECX, 5),
    SSE4A(0x8000_0001, 0, Register.ECX, 6), PREFETCHW(0x8000_0001, 0, Register.ECX, 8),
    TOPOEXT(0x8000_0001, 0, Register.ECX, 22), SYSCALL(0x8000_0001, 0, Register.EDX, 11),
    NX(0x8000_0001, 0, Register.EDX, 20), PDPE1GB(0x8000_0001, 0, Register.EDX, 26),
    RDTSCP(0x8000_0001, 0, Register.EDX, 27), LM(0x8000_0001, 0, Register.EDX, 29),
    // KVM paravirtual features (leaf 0x40000001 EAX)
    KVM_ASYNC_PF(0x4000_0001, 0, Register.EAX, 4), KVM_ASYNC_PF_INT(0x4000_0001, 0, Register.EAX, 14);

    /** A register of CPUID's answer, in CPUID's order. */
    public enum Register { EAX, EBX, ECX, EDX }

    private final int function;
    private final int index;
    private final Register register;
    private final int bit;

    CpuFeature(int function, int index, Register register, int bit) {
        this.function = function;
        this.index = index;
        this.register = register;
        this.bit = bit;
    }

    public int function() {
        return function;
    }

    public int index() {
        return index;
    }

    public Register register() {
        return register;
    }

    public int mask() {
        return 1 << bit;
    }

    /** The feature at this place, or a description of the place ("CPUID.(EAX=7,ECX=0):EBX[5]") when none is named. */
    public static String describe(int function, int index, Register register, int bit) {
        for (CpuFeature f : values()) {
            if (f.function == function && f.index == index && f.register == register && f.bit == bit) {
                return f.name();
            }
        }
        return "CPUID.(EAX=0x" + Integer.toHexString(function) + ",ECX=" + index + "):" + register + "[" + bit + "]";
    }
}
