/*
 * The cost of a task switch with FP state: arg > 0 yields arg times, using an XMM register between two yields (each
 * yield to another such task swaps the FP state); arg < 0 yields -arg times without touching the FPU. Two of these on
 * one vCPU measure the FP switch policies (README, "FP state on task switches").
 */
#include "paravane.h"

int main(long arg) {
    long n = arg < 0 ? -arg : arg;
    u64 bits = 0x3FF0000000000000UL;   /* 1.0 */
    for (long i = 0; i < n; i++) {
        if (arg > 0) __asm__ volatile("movq %0, %%xmm0\n addsd %%xmm0, %%xmm0\n movq %%xmm0, %0" : "+r"(bits) : : "xmm0");
        pv_yield();
    }
    printf("fpswitch: %ld yields%s, %016lx\n", n, arg > 0 ? " using XMM0" : "", bits);
    return 0;
}
