/*
 * CPU-bound worker: one work unit is 4096 xorshift rounds, published in the info page's work counter, which the
 * host reads. arg = 0 runs until the host stops the task; arg = n does n units, reports its checksum and exits.
 */
#include "paravane.h"

int main(long units) {
    struct pv_info *info = pv_info();
    u64 x = 0x9E3779B97F4A7C15UL ^ (info->task_id + 1);
    u64 acc = 0;
    for (u64 done = 0; units == 0 || done < (u64)units; done++) {
        for (int i = 0; i < 4096; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            acc = ((acc << 7) | (acc >> 57)) + x;
        }
        info->work = done + 1;
    }
    pv_report("checksum", acc);
    printf("worker: %ld units, checksum %016lx\n", units, acc);
    return 0;
}
