/*
 * A task's FP state is its own: prints the MXCSR, x87 control word and XMM8 it starts with (the fresh state: 0x1f80,
 * 0x37f, 0), then sets a rounding mode and control word chosen by arg (1 or 2; 0 keeps the defaults) and runs a long
 * loop entirely in XMM registers, whose result depends on the rounding mode and on every register keeping its value
 * across the time slices the kernel cuts the loop into. Two of these time-sliced on one vCPU print what each prints
 * alone only if the kernel switches the FP state with the task.
 */
#include "paravane.h"

static const u32 mxcsr_of[3] = {0x1F80, 0x3F80 /* round down */, 0x5F80 /* round up */};
static const unsigned short fcw_of[3] = {0x037F, 0x027F /* 53-bit precision */, 0x0F7F /* truncate, 64-bit */};

int main(long arg) {
    long mode = arg >= 1 && arg <= 2 ? arg : 0;
    long iterations = 200000;
    u32 mxcsr0, mxcsr1, mxcsr_set = mxcsr_of[mode];
    unsigned short fcw0, fcw1, fcw_set = fcw_of[mode];
    u64 xmm8_start, x, acc, marker = 0x1111111111111111UL * (u64)(mode + 1);
    __asm__ volatile("stmxcsr %0\n fnstcw %1\n movq %%xmm8, %2" : "=m"(mxcsr0), "=m"(fcw0), "=r"(xmm8_start));
    __asm__ volatile("ldmxcsr %0\n fldcw %1" : : "m"(mxcsr_set), "m"(fcw_set));
    __asm__ volatile(
        "movq %[one], %%xmm8\n"
        "movq %[mul], %%xmm9\n"
        "movq %[add], %%xmm10\n"
        "pxor %%xmm12, %%xmm12\n"
        "movq %[marker], %%xmm13\n"
        "1: mulsd %%xmm9, %%xmm8\n"
        "addsd %%xmm10, %%xmm8\n"
        "sqrtsd %%xmm8, %%xmm11\n"
        "addsd %%xmm11, %%xmm12\n"
        "dec %[n]\n"
        "jnz 1b\n"
        "movq %%xmm13, %[marker]\n"
        "movq %%xmm8, %[x]\n"
        "movq %%xmm12, %[acc]\n"
        : [x] "=r"(x), [acc] "=r"(acc), [n] "+r"(iterations), [marker] "+r"(marker)
        : [one] "r"(0x3FF0000000000000UL), [mul] "r"(0x3FF00001AD7F29ABUL), [add] "r"(0x3E7AD7F29ABCAF48UL)
        : "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc");
    __asm__ volatile("stmxcsr %0\n fnstcw %1" : "=m"(mxcsr1), "=m"(fcw1));
    printf("fpstate %ld: start mxcsr %x fcw %x xmm8 %lx; end mxcsr %x fcw %x marker %016lx x %016lx acc %016lx\n",
           mode, mxcsr0, fcw0, xmm8_start, mxcsr1, fcw1, marker, x, acc);
    return 0;
}
