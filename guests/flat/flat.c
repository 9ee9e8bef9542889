/*
 * The guest ABI without a kernel, for running a guest program as a flat image on a bare vCPU (the JMH MIPS benchmark,
 * make flat): write, time and yield do nothing, the "checksum" report is kept, and exit stores it to guest-physical
 * FLAT_RESULT, which no memory backs, so the vCPU exits there with the checksum as the store's data.
 */
#include "paravane.h"

#define FLAT_RESULT 0xF0000000UL

static u64 checksum;

s64 pv_hypercall(u64 nr, u64 a0, u64 a1, u64 a2) {
    (void)a2;
    switch (nr) {
    case PV_HC_REPORT:
        if (memcmp((const char *)a0, "checksum", 9) == 0) checksum = a1;
        return 0;
    case PV_HC_EXIT:
        for (;;) *(volatile u64 *)FLAT_RESULT = checksum;
    default:
        return 0;
    }
}
