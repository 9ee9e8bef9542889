/*
 * Keeps a value in XMM7 and its own MXCSR across 200 sched_yield calls; run two of these on one vCPU and each must
 * find its own state every time ("fpu V: 0 lost").
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    double mine = argc > 1 ? atof(argv[1]) : 1.5;
    unsigned mxcsr = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 0) : 0x1f80;
    int lost = 0;
    for (int i = 0; i < 200; i++) {
        double out;
        unsigned mxout;
        __asm__ volatile("ldmxcsr %3\n\tmovsd %2, %%xmm7\n\tmov $24, %%eax\n\tsyscall\n\tmovsd %%xmm7, %0\n\tstmxcsr %1"
                         : "=m"(out), "=m"(mxout)
                         : "m"(mine), "m"(mxcsr)
                         : "rax", "rcx", "r11", "xmm7", "memory");
        lost += out != mine || mxout != mxcsr;
    }
    unsigned reset = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(reset));
    printf("fpu %s: %d lost\n", argc > 1 ? argv[1] : "1.5", lost);
    return lost != 0;
}
