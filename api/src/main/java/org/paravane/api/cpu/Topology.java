package org.paravane.api.cpu;

/**
 * The topology and cache leaves of a VM whose vCPUs are the cores of one package, one thread each: every count a
 * leaf reports is derived from the vCPU count here, so leaves 1, 4, 0xB, 0x80000008 and 0x8000001D/1E agree.
 */
record Topology(int vcpus) {

    /** Line size, ways, sets, level, type (1 data, 2 instruction, 3 unified), shared by all vCPUs. */
    private record Cache(int level, int type, int ways, int sets, boolean shared) {
        int kib() {
            return ways * sets * LINE / 1024;
        }
    }

    private static final int LINE = 64;
    private static final Cache[] CACHES = {
            new Cache(1, 1, 8, 64, false),        // L1D 32 KiB
            new Cache(1, 2, 8, 64, false),        // L1I 32 KiB
            new Cache(2, 3, 8, 1024, false),      // L2 512 KiB per core
            new Cache(3, 3, 16, 16384, true)};    // L3 16 MiB for the package

    Topology {
        if (vcpus < 1 || vcpus > 255) {
            throw new IllegalArgumentException("a CPU model's topology needs 1..255 vCPUs, not " + vcpus);
        }
    }

    /** Bits an APIC id needs to number the cores (the x2APIC shift of the core level). */
    int coreBits() {
        return 32 - Integer.numberOfLeadingZeros(vcpus - 1);
    }

    /** CLFLUSH line size in quadwords, and the addressable logical processors (APIC id filled in per vCPU). */
    int leaf1Ebx() {
        return (Math.min(1 << coreBits(), 255) << 16) | ((LINE / 8) << 8);
    }

    /** EDX.HTT: the package has more than one logical processor. */
    int htt() {
        return vcpus > 1 ? CpuFeature.HT.mask() : 0;
    }

    /** NC = cores - 1, ApicIdSize = the bits of the core number. */
    int leaf80000008Ecx() {
        return (coreBits() << 12) | (vcpus - 1);
    }

    void caches(CpuidTable t) {
        for (int i = 0; i < CACHES.length; i++) {
            Cache c = CACHES[i];
            int sharing = c.shared ? vcpus : 1;
            int eaxCommon = c.type | (c.level << 5) | (1 << 8) | (Math.min(sharing - 1, 0xFFF) << 14);
            int ebx = (LINE - 1) | (c.ways - 1) << 22;
            int ecx = c.sets - 1;
            int edx = c.level == 3 ? 0b10 : 0;   // inclusive of lower levels
            int cores = Math.min((1 << coreBits()) - 1, 63);
            t.subleaf(4, i, eaxCommon | (cores << 26), ebx, ecx, edx);
            t.subleaf(0x8000_001D, i, eaxCommon, ebx, ecx, edx);
        }
        t.subleaf(4, CACHES.length, 0, 0, 0, 0);
        t.subleaf(0x8000_001D, CACHES.length, 0, 0, 0, 0);
        Cache l1d = CACHES[0], l1i = CACHES[1], l2 = CACHES[2], l3 = CACHES[3];
        // 0x80000005: L1 TLBs (2M/4M, 4K: 64 entries fully associative), L1D and L1I size/ways/lines-per-tag/line.
        t.leaf(0x8000_0005, 0xFF40_FF40, 0xFF40_FF40, l1d.kib() << 24 | l1d.ways << 16 | 1 << 8 | LINE,
                l1i.kib() << 24 | l1i.ways << 16 | 1 << 8 | LINE);
        // 0x80000006: L2 TLBs, L2 (size in KiB, ways code 6 = 8-way), L3 (size in 512 KiB, ways code 8 = 16-way).
        t.leaf(0x8000_0006, 0x4800_4800, 0x6400_6400, l2.kib() << 16 | 6 << 12 | 1 << 8 | LINE,
                (l3.kib() / 512) << 18 | 8 << 12 | 1 << 8 | LINE);
    }

    void extendedTopology(CpuidTable t) {
        t.subleaf(0xB, 0, 0, 1, 1 << 8, 0);                                       // SMT: one thread per core
        t.subleaf(0xB, 1, coreBits(), vcpus, (2 << 8) | 1, 0);                      // core level: the package
        t.subleaf(0xB, 2, 0, 0, 2, 0);                                             // end of the levels
        t.leaf(0x8000_001E, 0, 0, 0, 0);                                           // extended APIC id, core id
    }
}
