/*
 * Kernel-mode scanner (runs at CPL 0): checksums its data region inside a kernel context chosen by arg, the cases
 * of the async page fault decision table:
 *   0  non-preemptible section (preempt_disable): an async fault must halt the vCPU
 *   1  RCU read-side section: halt as well
 *   2  plain preemptible kernel code: schedule under a preemptible guest kernel, halt under a non-preemptible one
 *   3  interrupts disabled (cli): the host must not inject; it serves the fault synchronously
 */
#include "paravane.h"

PV_KERNEL_TASK;

static u64 scan(const u64 *data, u64 words) {
    u64 hash = 0xcbf29ce484222325UL;
    for (u64 i = 0; i < words; i++) hash = (hash ^ data[i]) * 0x100000001b3UL;
    return hash;
}

int main(long context) {
    struct pv_info *info = pv_info();
    if (info->data_size == 0) {
        printf("kscan: no data region\n");
        return 2;
    }
    const u64 *data = (const u64 *)info->data_base;
    u64 hash;
    switch (context) {
    case 0:
        pv_preempt_disable();
        hash = scan(data, info->data_size / 8);
        pv_preempt_enable();
        break;
    case 1:
        pv_rcu_read_lock();
        hash = scan(data, info->data_size / 8);
        pv_rcu_read_unlock();
        break;
    case 2:
        hash = scan(data, info->data_size / 8);
        break;
    case 3:
        __asm__ volatile("cli" ::: "memory");
        hash = scan(data, info->data_size / 8);
        __asm__ volatile("sti" ::: "memory");
        break;
    default:
        printf("kscan: unknown context %ld\n", context);
        return 2;
    }
    pv_report("checksum", hash);
    printf("kscan(%ld): %lu pages, checksum %016lx\n", context, info->data_size / 4096, hash);
    return 0;
}
