/*
 * A user task (CPL 3) that faults on purpose, to show how the guest kernel names each exception on every backend:
 *   0  int3: breakpoint (#BP), its gate is open to user mode as on Linux
 *   1  int $4: overflow (#OF), likewise (INTO itself is invalid in 64-bit mode)
 *   2  int $0x80: its gate is kernel-only, so general protection fault (#GP) with error code 0x402
 *   3  a C store through a null pointer: page fault at 0, write
 *   4  addl $1 to address 0: page fault at 0, write (read-modify-write faults as a write)
 *   5  incl at address 0: page fault at 0, write
 *   6  lock incl at address 0: page fault at 0, write
 *   7  push with the stack pointer in unmapped memory: page fault below it, write
 *   8  movsb with its destination at address 0: page fault at 0, write
 *   9  xchg with address 0: page fault at 0, write
 */
#include "paravane.h"

#define UNMAPPED 0x0000600000001000UL

int main(long what) {
    switch (what) {
    case 0:
        __asm__ volatile("int3");
        break;
    case 1:
        __asm__ volatile("int $4");
        break;
    case 2:
        __asm__ volatile("int $0x80");
        break;
    case 3:
        *(volatile int *)0 = 1;
        break;
    case 4:
        __asm__ volatile("addl $1, 0" : : : "memory", "cc");
        break;
    case 5:
        __asm__ volatile("incl 0" : : : "memory", "cc");
        break;
    case 6:
        __asm__ volatile("lock incl 0" : : : "memory", "cc");
        break;
    case 7:
        __asm__ volatile("mov %0, %%rsp; push $1" : : "r"(UNMAPPED) : "memory");
        break;
    case 8: {
        static const char byte = 1;
        __asm__ volatile("movsb" : : "D"(0UL), "S"(&byte) : "memory");
        break;
    }
    case 9: {
        int v = 1;
        __asm__ volatile("xchg %0, 0" : "+r"(v) : : "memory");
        break;
    }
    }
    printf("traps: case %ld should not get here\n", what);
    return 1;
}
