/*
 * The guest ABI on Linux, for building a guest program as a native host program (make native): the same program and
 * the same guest libc (printf included), with the hypercalls done as Linux system calls. Only for programs that use
 * write, exit, time, yield and report (these print their results; reports are dropped). The entry takes the task's
 * argument from argv[1].
 */
#include "paravane.h"

static s64 linux_syscall(u64 nr, u64 a0, u64 a1, u64 a2) {
    s64 ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
    return ret;
}

s64 pv_hypercall(u64 nr, u64 a0, u64 a1, u64 a2) {
    switch (nr) {
    case PV_HC_EXIT: for (;;) linux_syscall(231, a0, 0, 0);   /* exit_group */
    case PV_HC_WRITE: return linux_syscall(1, a0, a1, a2);
    case PV_HC_TIME: {
        struct { s64 sec, nsec; } ts;
        linux_syscall(228, 1, (u64)&ts, 0);   /* clock_gettime(CLOCK_MONOTONIC) */
        return ts.sec * 1000000000L + ts.nsec;
    }
    case PV_HC_YIELD:
    case PV_HC_REPORT: return 0;
    default: return -PV_ENOSYS;
    }
}

int main(long arg);

__attribute__((used)) static void start(u64 *sp) {
    long argc = (long)sp[0], arg = 0;
    if (argc > 1) {
        for (const char *p = (const char *)sp[2]; *p >= '0' && *p <= '9'; p++) arg = arg * 10 + (*p - '0');
    }
    pv_exit(main(arg));
}

__asm__(".text\n.globl _start\n_start:\n xor %ebp, %ebp\n mov %rsp, %rdi\n and $-16, %rsp\n call start\n ud2\n");
