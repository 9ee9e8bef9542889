/*
 * Misbehaves on purpose (a kernel task, so it can also break CPL0 state), to show what the guest kernel does:
 *   0  an unknown hypercall: it returns -ENOSYS, the task goes on and exits 0
 *   1  a write hypercall with a pointer the task cannot read: -EFAULT, exits 0
 *   2  ud2: invalid opcode, the kernel kills the task with a report
 *   3  a load from an unmapped address: page fault, killed with the address and RIP
 *   4  an empty IDT, then an exception: the CPU triple-faults and the VM stops with a report
 *   5  hypercall numbers 2^63 and 2^32 + 1: the whole of RAX is the number, so both return -ENOSYS
 */
#include "paravane.h"

PV_KERNEL_TASK;

int main(long what) {
    switch (what) {
    case 0: {
        s64 r = pv_hypercall(99, 0, 0, 0);
        printf("faults: hypercall 99 returned %ld\n", r);
        return r == -PV_ENOSYS ? 0 : 1;
    }
    case 1: {
        s64 r = pv_write(1, (const void *)0x00007ff000000000UL, 16);
        printf("faults: write from a bad pointer returned %ld\n", r);
        return r == -PV_EFAULT ? 0 : 1;
    }
    case 2:
        __asm__ volatile("ud2");
        break;
    case 3:
        return (int)*(volatile u64 *)0x0000600000000000UL;
    case 5: {
        s64 high = pv_hypercall(1UL << 63, 7, 0, 0);   /* exit(7), were only the low 32 bits read */
        s64 wide = pv_hypercall((1UL << 32) | PV_HC_WRITE, 1, (u64)"not a write\n", 12);
        printf("faults: hypercalls 2^63 and 2^32+1 returned %ld and %ld\n", high, wide);
        return high == -PV_ENOSYS && wide == -PV_ENOSYS ? 0 : 1;
    }
    case 4: {
        struct __attribute__((packed)) { unsigned short limit; u64 base; } idtr = {0, 0};
        __asm__ volatile("lidt %0; int3" : : "m"(idtr));
        break;
    }
    }
    printf("faults: case %ld should not get here\n", what);
    return 1;
}
