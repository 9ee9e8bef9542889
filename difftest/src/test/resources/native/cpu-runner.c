/*
 * The host CPU as a reference for the emulated backend: runs user-mode (CPL 3) x86-64 instruction sequences natively
 * and reports the architectural state after every instruction (TF single-step) or only at the end.
 *
 * Protocol (little endian, stdin -> stdout), repeated until EOF:
 *   in : u32 code_len, u32 flags (bit0: single-step), u64 regs[18] (x86 order RAX..R15, RIP ignored, RFLAGS),
 *        u64 gs_base, u64 simd[52] (XMM0..15 as low/high quadwords, MXCSR,
 *        FXSAVE bytes 0-23 and 32-159: the x87 control, status, tags, pointers and ST0-7), code_len bytes of code (placed at
 *        CODE_ADDR), DATA_SIZE bytes of data (at DATA_ADDR)
 *   out: records, each u32 kind, then u64 regs[18], u64 simd[52] (from the signal context's FXSAVE area)
 *          kind 1 STEP  : after an instruction completed
 *          kind 2 END   : RIP reached the end of the code; then DATA_SIZE bytes of data
 *          kind 3 FAULT : then u64 trapno, u64 error, u64 cr2, DATA_SIZE bytes of data
 *          kind 4 LIMIT : too many steps (a loop); then DATA_SIZE bytes of data
 * Faults are caught by signal handlers running on an alternate stack; the test's own registers are loaded with an
 * IRETQ, so TF takes effect after the first test instruction.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_ADDR 0x10000000UL
#define CODE_SIZE 0x2000UL
#define DATA_ADDR 0x20000000UL
#define DATA_SIZE 0x4000UL
#define MAX_STEPS 4096

struct regs { uint64_t r[18]; };
struct simd { uint64_t x[52]; };
static uint8_t x87_image[512] __attribute__((aligned(64)));

static sigjmp_buf back;
static int stepping;
static uint64_t code_end;
static int steps;

extern void enter_test(struct regs *r, struct simd *v);
__asm__(
    ".text\n"
    ".globl enter_test\n"
    "enter_test:\n"
    "  ldmxcsr 256(%rsi)\n"
    "  movdqu 0(%rsi), %xmm0\n  movdqu 16(%rsi), %xmm1\n  movdqu 32(%rsi), %xmm2\n  movdqu 48(%rsi), %xmm3\n"
    "  movdqu 64(%rsi), %xmm4\n  movdqu 80(%rsi), %xmm5\n  movdqu 96(%rsi), %xmm6\n  movdqu 112(%rsi), %xmm7\n"
    "  movdqu 128(%rsi), %xmm8\n  movdqu 144(%rsi), %xmm9\n  movdqu 160(%rsi), %xmm10\n  movdqu 176(%rsi), %xmm11\n"
    "  movdqu 192(%rsi), %xmm12\n  movdqu 208(%rsi), %xmm13\n  movdqu 224(%rsi), %xmm14\n  movdqu 240(%rsi), %xmm15\n"
    "  mov %ss, %eax\n"
    "  push %rax\n"
    "  push 32(%rdi)\n"
    "  push 136(%rdi)\n"
    "  mov %cs, %eax\n"
    "  push %rax\n"
    "  push 128(%rdi)\n"
    "  mov 0(%rdi), %rax\n"
    "  mov 8(%rdi), %rcx\n"
    "  mov 16(%rdi), %rdx\n"
    "  mov 24(%rdi), %rbx\n"
    "  mov 40(%rdi), %rbp\n"
    "  mov 48(%rdi), %rsi\n"
    "  mov 64(%rdi), %r8\n"
    "  mov 72(%rdi), %r9\n"
    "  mov 80(%rdi), %r10\n"
    "  mov 88(%rdi), %r11\n"
    "  mov 96(%rdi), %r12\n"
    "  mov 104(%rdi), %r13\n"
    "  mov 112(%rdi), %r14\n"
    "  mov 120(%rdi), %r15\n"
    "  mov 56(%rdi), %rdi\n"
    "  iretq\n");

static void put(const void *p, size_t n) {
    if (fwrite(p, 1, n, stdout) != n) {
        _exit(3);
    }
}

static void put32(uint32_t v) { put(&v, 4); }
static void put64(uint64_t v) { put(&v, 8); }

static void regs_of(ucontext_t *uc, struct regs *r) {
    greg_t *g = uc->uc_mcontext.gregs;
    r->r[0] = g[REG_RAX]; r->r[1] = g[REG_RCX]; r->r[2] = g[REG_RDX]; r->r[3] = g[REG_RBX];
    r->r[4] = g[REG_RSP]; r->r[5] = g[REG_RBP]; r->r[6] = g[REG_RSI]; r->r[7] = g[REG_RDI];
    r->r[8] = g[REG_R8]; r->r[9] = g[REG_R9]; r->r[10] = g[REG_R10]; r->r[11] = g[REG_R11];
    r->r[12] = g[REG_R12]; r->r[13] = g[REG_R13]; r->r[14] = g[REG_R14]; r->r[15] = g[REG_R15];
    r->r[16] = g[REG_RIP]; r->r[17] = g[REG_EFL];
}

static void put_regs(ucontext_t *uc, struct regs *r) {
    put(r, sizeof *r);
    struct simd v;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    for (int i = 0; i < 16; i++) {
        memcpy(&v.x[2 * i], &fp->_xmm[i], 16);
    }
    v.x[32] = fp->mxcsr;
    memcpy(&v.x[33], fp, 24);
    memcpy(&v.x[36], (uint8_t *) fp + 32, 128);
    put(&v, sizeof v);
}

static void handler(int sig, siginfo_t *si, void *ctx) {
    (void) si;
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    struct regs r;
    regs_of(uc, &r);
    uint64_t trapno = g[REG_TRAPNO];
    if (sig == SIGTRAP && trapno == 1 && stepping && r.r[16] != code_end) {
        if (++steps > MAX_STEPS) {
            put32(4);
            put_regs(uc, &r);
            put((void *) DATA_ADDR, DATA_SIZE);
            g[REG_EFL] &= ~0x100UL;
            siglongjmp(back, 1);
        }
        put32(1);
        put_regs(uc, &r);
        return;
    }
    int end = (sig == SIGTRAP && trapno == 1 && r.r[16] == code_end)
            || (sig == SIGTRAP && trapno == 3 && !stepping && r.r[16] == code_end + 1);
    if (end) {
        if (!stepping) {
            r.r[16] = code_end;
        }
        put32(2);
        put_regs(uc, &r);
    } else {
        put32(3);
        put_regs(uc, &r);
        put64(trapno);
        put64(g[REG_ERR]);
        put64(uc->uc_mcontext.gregs[REG_CR2]);
    }
    put((void *) DATA_ADDR, DATA_SIZE);
    siglongjmp(back, 1);
}

static int get(void *p, size_t n) {
    return fread(p, 1, n, stdin) == n;
}

int main(void) {
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        perror("sigaltstack");
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        sigaction(sigs[i], &sa, NULL);
    }
    void *code = mmap((void *) CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    void *data = mmap((void *) DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (code != (void *) CODE_ADDR || data != (void *) DATA_ADDR) {
        fprintf(stderr, "cannot map the test areas at 0x%lx and 0x%lx\n", CODE_ADDR, DATA_ADDR);
        return 1;
    }
    for (;;) {
        uint32_t len, flags;
        struct regs r;
        struct simd v;
        uint64_t gs;
        if (!get(&len, 4)) {
            break;
        }
        if (!get(&flags, 4) || !get(&r, sizeof r) || !get(&gs, 8) || !get(&v, sizeof v) || len > CODE_SIZE - 16) {
            return 2;
        }
        memset(code, 0xCC, CODE_SIZE);
        if (!get(code, len) || !get(data, DATA_SIZE)) {
            return 2;
        }
        stepping = flags & 1;
        code_end = CODE_ADDR + len;
        if (!stepping) {
            ((unsigned char *) code)[len] = 0xCC;     /* int3 ends a run */
        }
        steps = 0;
        syscall(SYS_arch_prctl, ARCH_SET_GS, gs);
        r.r[16] = CODE_ADDR;
        r.r[17] = (r.r[17] & ~0x100UL) | (stepping ? 0x100UL : 0) | 0x202UL;
        if (sigsetjmp(back, 1) == 0) {
            /* The x87 state: FXRSTOR of the case's bytes (XMM and MXCSR are loaded by enter_test). */
            __asm__ volatile("fxsave64 %0" : "=m"(x87_image));
            memcpy(x87_image, &v.x[33], 24);
            memcpy(x87_image + 32, &v.x[36], 128);
            __asm__ volatile("fxrstor64 %0" : : "m"(x87_image));
            enter_test(&r, &v);
        }
        syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
        fflush(stdout);
    }
    return 0;
}
