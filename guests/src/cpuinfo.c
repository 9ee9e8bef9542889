/*
 * Prints the CPU this guest sees: every CPUID leaf the maxima announce (with the subleaves of the indexed leaves)
 * and, when CPUID says OSXSAVE, XCR0. The same VM must print the same lines on every backend (the VM's CPU model);
 * CpuModelGuestTest compares them with what the model says. Run as CPL3 code: on PVM it shows whether CPUID is
 * intercepted or executes natively (then the host's leaves appear).
 */
#include "paravane.h"

static void cpuid(u32 leaf, u32 sub, u32 r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void show(u32 leaf, u32 sub) {
    u32 r[4];
    cpuid(leaf, sub, r);
    printf("cpuid %08x.%02x: %08x %08x %08x %08x\n", leaf, sub, r[0], r[1], r[2], r[3]);
}

/* Subleaves of a cache leaf (4, 0x8000001D) up to and including the first with cache type 0. */
static void caches(u32 leaf) {
    for (u32 sub = 0; sub < 16; sub++) {
        u32 r[4];
        cpuid(leaf, sub, r);
        show(leaf, sub);
        if ((r[0] & 0x1F) == 0) {
            break;
        }
    }
}

/* Subleaves of a topology leaf (0xB, 0x1F) up to and including the first with level type 0. */
static void topology(u32 leaf) {
    for (u32 sub = 0; sub < 16; sub++) {
        u32 r[4];
        cpuid(leaf, sub, r);
        show(leaf, sub);
        if (((r[2] >> 8) & 0xFF) == 0) {
            break;
        }
    }
}

static void range(u32 first) {
    u32 r[4];
    cpuid(first, 0, r);
    u32 max = r[0];
    if (max < first || max > first + 0xFF) {
        show(first, 0);
        return;
    }
    for (u32 leaf = first; leaf <= max; leaf++) {
        if (leaf == 4 || leaf == 0x8000001D) {
            caches(leaf);
        } else if (leaf == 0xB || leaf == 0x1F) {
            topology(leaf);
        } else if (leaf == 7) {
            u32 seven[4];
            cpuid(7, 0, seven);
            for (u32 sub = 0; sub <= seven[0] && sub < 16; sub++) {
                show(7, sub);
            }
        } else if (leaf == 0xD) {
            for (u32 sub = 0; sub < 64; sub++) {
                show(0xD, sub);
            }
        } else {
            show(leaf, 0);
        }
    }
}

int main(long arg) {
    (void)arg;
    range(0);
    range(0x40000000);
    range(0x80000000);
    u32 r[4];
    cpuid(1, 0, r);
    if (r[2] & (1u << 27)) {
        u32 lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        printf("xcr0: %08x%08x\n", hi, lo);
    } else {
        printf("xcr0: none (no OSXSAVE)\n");
    }
    return 0;
}
