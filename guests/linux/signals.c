/* Signals as a Linux program sees them; argv[1] picks a part (default: all that end normally). Each part prints
 * lines that a native run prints the same, so the output is compared with the host's. Parts that end the process:
 * term (SIGTERM's default), abort, segv-blocked (a fault while its signal is blocked), restorer (no SA_RESTORER),
 * badframe (a handler leaves reserved MXCSR bits in its frame).
 * stop stops itself until a timer's SIGCONT; wait-int waits for a SIGINT from outside (Ctrl-C) and reports it;
 * wait-usr1 waits for a SIGUSR1 from another process, which "kill <pid> <signal>" sends, answers it and waits until
 * the sender is gone. Both wait with SIGUSR1 blocked outside sigsuspend: a check of a flag followed by pause() would
 * wait forever when the signal lands between the two (a preemption there is enough). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define CHECK(cond, what) do { if (!(cond)) { printf("FAIL %s (line %d)\n", what, __LINE__); } } while (0)

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) {
        printf("FAIL sigaction %d: %s\n", sig, strerror(errno));
    }
}

static void deflt(int sig) {
    signal(sig, SIG_DFL);
}

/* ---- siginfo of kill and tkill */
static volatile int got_sig, got_code, got_pid;
static void record(int sig, siginfo_t *si, void *uc) {
    (void) uc;
    got_sig = sig;
    got_code = si->si_code;
    got_pid = si->si_pid;
}

static void part_info(void) {
    install(SIGUSR1, record, 0);
    kill(getpid(), SIGUSR1);
    printf("kill: sig=%d code=%d pid-ok=%d\n", got_sig, got_code, got_pid == getpid());
    got_sig = 0;
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    printf("tgkill: sig=%d code=%d pid-ok=%d\n", got_sig, got_code, got_pid == getpid());
    CHECK(sigaction(SIGKILL, &(struct sigaction) {.sa_handler = SIG_IGN}, NULL) == -1 && errno == EINVAL, "SIGKILL");
    CHECK(sigaction(SIGSTOP, &(struct sigaction) {.sa_handler = SIG_IGN}, NULL) == -1 && errno == EINVAL, "SIGSTOP");
    CHECK(kill(getpid(), 0) == 0, "kill 0");
    CHECK(kill(getpid(), 65) == -1 && errno == EINVAL, "kill 65");
    deflt(SIGUSR1);
    printf("info: ok\n");
}

/* ---- every register restored by sigreturn: a SIGILL handler skips the ud2 after trashing GPRs and FP state */
struct regs {
    uint64_t gpr[15];           /* rax rbx rcx rdx rsi rdi rbp r8..r15 */
    uint64_t flags;
    uint8_t xmm[16][16];
    double x87[2];
    uint32_t mxcsr;
    uint16_t fcw;
};
_Static_assert(__builtin_offsetof(struct regs, x87) == 384 && __builtin_offsetof(struct regs, mxcsr) == 400
               && __builtin_offsetof(struct regs, fcw) == 404, "regtest's offsets");
void regtest(struct regs *in, struct regs *out);
__asm__(
    ".text\n.globl regtest\nregtest:\n"
    "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "push %rsi\n"
    "sub $8, %rsp\n"
    "ldmxcsr 400(%rdi)\nfldcw 404(%rdi)\n"
    "fldl 384(%rdi)\nfldl 392(%rdi)\n"
    "movdqu 128(%rdi),%xmm0\nmovdqu 144(%rdi),%xmm1\nmovdqu 160(%rdi),%xmm2\nmovdqu 176(%rdi),%xmm3\n"
    "movdqu 192(%rdi),%xmm4\nmovdqu 208(%rdi),%xmm5\nmovdqu 224(%rdi),%xmm6\nmovdqu 240(%rdi),%xmm7\n"
    "movdqu 256(%rdi),%xmm8\nmovdqu 272(%rdi),%xmm9\nmovdqu 288(%rdi),%xmm10\nmovdqu 304(%rdi),%xmm11\n"
    "movdqu 320(%rdi),%xmm12\nmovdqu 336(%rdi),%xmm13\nmovdqu 352(%rdi),%xmm14\nmovdqu 368(%rdi),%xmm15\n"
    "mov 0(%rdi),%rax\nmov 8(%rdi),%rbx\nmov 16(%rdi),%rcx\nmov 24(%rdi),%rdx\nmov 32(%rdi),%rsi\n"
    "mov 48(%rdi),%rbp\nmov 56(%rdi),%r8\nmov 64(%rdi),%r9\nmov 72(%rdi),%r10\nmov 80(%rdi),%r11\n"
    "mov 88(%rdi),%r12\nmov 96(%rdi),%r13\nmov 104(%rdi),%r14\nmov 112(%rdi),%r15\nmov 40(%rdi),%rdi\n"
    "stc\n"
    "ud2\n"
    "pushfq\n"
    "push %rdi\n"
    "mov 24(%rsp),%rdi\n"   /* out: above the two pushes and the alignment slot */
    "mov %rax,0(%rdi)\nmov %rbx,8(%rdi)\nmov %rcx,16(%rdi)\nmov %rdx,24(%rdi)\nmov %rsi,32(%rdi)\n"
    "pop %rax\nmov %rax,40(%rdi)\npop %rax\nmov %rax,120(%rdi)\n"
    "mov %rbp,48(%rdi)\nmov %r8,56(%rdi)\nmov %r9,64(%rdi)\nmov %r10,72(%rdi)\nmov %r11,80(%rdi)\n"
    "mov %r12,88(%rdi)\nmov %r13,96(%rdi)\nmov %r14,104(%rdi)\nmov %r15,112(%rdi)\n"
    "movdqu %xmm0,128(%rdi)\nmovdqu %xmm1,144(%rdi)\nmovdqu %xmm2,160(%rdi)\nmovdqu %xmm3,176(%rdi)\n"
    "movdqu %xmm4,192(%rdi)\nmovdqu %xmm5,208(%rdi)\nmovdqu %xmm6,224(%rdi)\nmovdqu %xmm7,240(%rdi)\n"
    "movdqu %xmm8,256(%rdi)\nmovdqu %xmm9,272(%rdi)\nmovdqu %xmm10,288(%rdi)\nmovdqu %xmm11,304(%rdi)\n"
    "movdqu %xmm12,320(%rdi)\nmovdqu %xmm13,336(%rdi)\nmovdqu %xmm14,352(%rdi)\nmovdqu %xmm15,368(%rdi)\n"
    "fstpl 392(%rdi)\nfstpl 384(%rdi)\n"
    "stmxcsr 400(%rdi)\nfnstcw 404(%rdi)\n"
    "ldmxcsr mxcsr_default(%rip)\nfldcw fcw_default(%rip)\n"
    "add $16, %rsp\n"
    "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n"
    ".data\nmxcsr_default: .long 0x1f80\nfcw_default: .word 0x37f\n.text\n");

static struct regs in_regs, out_regs;
static volatile int handler_ok, handler_fresh_fp;

static void skip_ud2(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    handler_ok = sig == SIGILL && si->si_code == ILL_ILLOPN && (uint64_t) si->si_addr == (uint64_t) g[REG_RIP]
            && g[REG_R12] == (greg_t) in_regs.gpr[11] && g[REG_RAX] == (greg_t) in_regs.gpr[0]
            && g[REG_RDI] == (greg_t) in_regs.gpr[5] && (g[REG_EFL] & 1) == 1
            && uc->uc_mcontext.fpregs != NULL && ((uintptr_t) uc->uc_mcontext.fpregs & 63) == 0
            && uc->uc_mcontext.fpregs->mxcsr == in_regs.mxcsr && uc->uc_mcontext.fpregs->cwd == in_regs.fcw
            && memcmp(uc->uc_mcontext.fpregs->_xmm[3].element, in_regs.xmm[3], 16) == 0;
    uint32_t mxcsr;
    uint16_t fcw;
    __asm__ volatile("stmxcsr %0\nfnstcw %1" : "=m"(mxcsr), "=m"(fcw));
    handler_fresh_fp = mxcsr == 0x1f80 && fcw == 0x37f;
    /* trash what the interrupted code holds */
    __asm__ volatile("pxor %%xmm0,%%xmm0\npxor %%xmm3,%%xmm3\npxor %%xmm8,%%xmm8\npxor %%xmm15,%%xmm15\n"
                     "fninit\nfldpi\nfldpi\n"
                     "mov $0x5a5a, %%r12\nmov $0x5a5a, %%r13\nmov $0x5a5a, %%r14\nmov $0x5a5a, %%r15\nmov $0x5a5a, %%rbx\n"
                     ::: "xmm0", "xmm3", "xmm8", "xmm15", "r12", "r13", "r14", "r15", "rbx", "st", "st(1)");
    volatile double d = 1.0;
    for (int i = 0; i < 10; i++) {
        d = d * 3.5 + 1;
    }
    g[REG_RIP] += 2;
}

static void part_regs(void) {
    for (int i = 0; i < 15; i++) {
        in_regs.gpr[i] = 0x1111111111111111ULL * (uint64_t) (i + 1) ^ 0x0123456789abcdefULL;
    }
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            in_regs.xmm[i][j] = (uint8_t) (i * 16 + j + 7);
        }
    }
    in_regs.x87[0] = 3.25;
    in_regs.x87[1] = -1e300;
    in_regs.mxcsr = 0x7f80 | 0x6000;   /* round toward zero, all masked */
    in_regs.fcw = 0x027f;              /* double precision */
    install(SIGILL, skip_ud2, 0);
    regtest(&in_regs, &out_regs);
    deflt(SIGILL);
    int gpr_ok = memcmp(in_regs.gpr, out_regs.gpr, sizeof in_regs.gpr) == 0;
    if (!gpr_ok) {
        for (int i = 0; i < 15; i++) {
            if (in_regs.gpr[i] != out_regs.gpr[i]) {
                printf("gpr %d: 0x%llx != 0x%llx\n", i, (unsigned long long) out_regs.gpr[i],
                       (unsigned long long) in_regs.gpr[i]);
            }
        }
    }
    printf("regs: handler saw the context=%d fresh FP=%d\n", handler_ok, handler_fresh_fp);
    printf("regs: gpr=%d carry=%d xmm=%d x87=%d,%d mxcsr=0x%x fcw=0x%x\n", gpr_ok, (int) (out_regs.flags & 1),
           memcmp(in_regs.xmm, out_regs.xmm, sizeof in_regs.xmm) == 0, out_regs.x87[0] == in_regs.x87[0],
           out_regs.x87[1] == in_regs.x87[1], out_regs.mxcsr, out_regs.fcw);
}

/* ---- nesting, SA_NODEFER, SA_RESETHAND */
static char trace[64];
static volatile int depth;
static void trace_add(char c) {
    size_t n = strlen(trace);
    trace[n] = c;
    trace[n + 1] = 0;
}
static void nest_usr1(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) si; (void) uc;
    trace_add('1');
    if (depth++ == 0) {
        raise(SIGUSR2);     /* runs now, nested */
        raise(SIGUSR1);     /* blocked while this handler runs: after it returns */
    }
    trace_add('e');
}
static void nest_usr2(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) si; (void) uc;
    trace_add('2');
}
static void nodefer(int sig, siginfo_t *si, void *uc) {
    (void) si; (void) uc;
    trace_add('n');
    if (depth++ == 0) {
        raise(sig);         /* SA_NODEFER: runs now, inside */
    }
    trace_add('x');
}
static void oneshot(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) si; (void) uc;
    trace_add('o');
}

static void part_nest(void) {
    install(SIGUSR1, nest_usr1, 0);
    install(SIGUSR2, nest_usr2, 0);
    depth = 0;
    trace[0] = 0;
    raise(SIGUSR1);
    printf("nest: %s\n", trace);
    install(SIGUSR1, nodefer, SA_NODEFER);
    depth = 0;
    trace[0] = 0;
    raise(SIGUSR1);
    printf("nodefer: %s\n", trace);
    install(SIGUSR2, oneshot, SA_RESETHAND);
    trace[0] = 0;
    raise(SIGUSR2);
    struct sigaction now;
    sigaction(SIGUSR2, NULL, &now);
    printf("resethand: %s default-after=%d\n", trace, now.sa_handler == SIG_DFL);
    deflt(SIGUSR1);
}

/* ---- the alternate stack */
static char altstack[65536] __attribute__((aligned(16)));
static volatile int on_alt, alt_flags;
static void on_stack(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) si; (void) uc;
    char local;
    on_alt = &local >= altstack && &local < altstack + sizeof altstack;
    stack_t now;
    sigaltstack(NULL, &now);
    alt_flags = now.ss_flags;
}

static void part_altstack(void) {
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack");
    stack_t small = {.ss_sp = altstack, .ss_size = 1024, .ss_flags = 0};
    CHECK(sigaltstack(&small, NULL) == -1 && errno == ENOMEM, "small stack ENOMEM");
    install(SIGUSR1, on_stack, SA_ONSTACK);
    raise(SIGUSR1);
    printf("altstack: on it=%d flags in handler=%d\n", on_alt, alt_flags);
    install(SIGUSR1, on_stack, 0);
    raise(SIGUSR1);
    printf("altstack: without SA_ONSTACK on it=%d\n", on_alt);
    stack_t now;
    sigaltstack(NULL, &now);
    printf("altstack: after flags=%d size-ok=%d\n", now.ss_flags, now.ss_size == sizeof altstack);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    sigaltstack(NULL, &now);
    printf("altstack: disabled flags=%d\n", now.ss_flags);
    deflt(SIGUSR1);
}

/* ---- masks, sigpending, sigsuspend, sigtimedwait */
static volatile int usr1_count;
static void count_usr1(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) si; (void) uc;
    usr1_count++;
}

static void part_mask(void) {
    install(SIGUSR1, count_usr1, 0);
    sigset_t block, old, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&pending);
    printf("mask: delivered while blocked=%d pending=%d\n", usr1_count, sigismember(&pending, SIGUSR1));
    sigset_t empty;
    sigemptyset(&empty);
    int rc = sigsuspend(&empty);
    int e = errno;
    sigset_t after;
    sigprocmask(SIG_SETMASK, NULL, &after);
    printf("sigsuspend: rc=%d errno=%s delivered=%d still blocked=%d\n", rc, e == EINTR ? "EINTR" : "?", usr1_count,
           sigismember(&after, SIGUSR1));
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR2);
    siginfo_t si;
    struct timespec ten_ms = {0, 10000000};
    int got = sigtimedwait(&block, &si, &ten_ms);
    printf("sigtimedwait: got=%d code=%d\n", got, si.si_code);
    got = sigtimedwait(&block, &si, &ten_ms);
    printf("sigtimedwait: nothing=%d errno=%s\n", got, errno == EAGAIN ? "EAGAIN" : "?");
    sigprocmask(SIG_SETMASK, &old, NULL);
    deflt(SIGUSR1);
    /* ignored: nothing happens, and a pending one is dropped */
    signal(SIGTERM, SIG_IGN);
    raise(SIGTERM);
    raise(SIGCHLD);
    raise(SIGWINCH);
    signal(SIGTERM, SIG_DFL);
    printf("ignored: survived\n");
}

/* ---- faults to handlers */
static sigjmp_buf jump;
static volatile uintptr_t fault_page = 0x10;
static volatile uintptr_t fault_addr;
static volatile int fault_code, fault_sig;
static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void) uc;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = (uintptr_t) si->si_addr;
    siglongjmp(jump, 1);
}

static void part_faults(void) {
    install(SIGSEGV, on_fault, 0);
    install(SIGFPE, on_fault, 0);
    install(SIGBUS, on_fault, 0);
    install(SIGTRAP, on_fault, 0);
    if (sigsetjmp(jump, 1) == 0) {
        *(volatile int *) 0x1234 = 1;
    }
    printf("segv: sig=%d code=%d addr=0x%lx\n", fault_sig, fault_code, (unsigned long) fault_addr);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(jump, 1) == 0) {
        none[8] = 1;
    }
    printf("accerr: sig=%d code=%d addr-ok=%d\n", fault_sig, fault_code, fault_addr == (uintptr_t) none + 8);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(jump, 1) == 0) {
        ro[16] = 1;
    }
    printf("read-only: sig=%d code=%d addr-ok=%d\n", fault_sig, fault_code, fault_addr == (uintptr_t) ro + 16);
    volatile int zero = 0;
    if (sigsetjmp(jump, 1) == 0) {
        zero = 10 / zero;
    }
    printf("div0: sig=%d code=%d addr-set=%d\n", fault_sig, fault_code, fault_addr != 0);
    if (sigsetjmp(jump, 1) == 0) {
        __asm__ volatile("int3");
    }
    printf("int3: sig=%d code=%d\n", fault_sig, fault_code);
    /* the mask came back with siglongjmp: the handler can run again */
    if (sigsetjmp(jump, 1) == 0) {
        *(volatile int *) fault_page = 1;
    }
    printf("again: sig=%d addr=0x%lx\n", fault_sig, (unsigned long) fault_addr);
    deflt(SIGSEGV);
    deflt(SIGFPE);
    deflt(SIGBUS);
    deflt(SIGTRAP);
}

/* ---- interrupted calls and timers */
static volatile int alarms;
static void on_alarm(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) si; (void) uc;
    alarms++;
}

static void part_sleep(void) {
    install(SIGALRM, on_alarm, 0);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec req = {5, 0}, rem = {0, 0};
    int rc = nanosleep(&req, &rem);
    printf("nanosleep: rc=%d errno=%s alarms=%d rem-ok=%d\n", rc, errno == EINTR ? "EINTR" : "?", alarms,
           rem.tv_sec >= 3 && rem.tv_sec <= 5);
    alarm(1);
    unsigned left = alarm(0);
    printf("alarm: left=%u\n", left);
    it = (struct itimerval) {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 4) {
        pause();
    }
    struct itimerval now;
    getitimer(ITIMER_REAL, &now);
    printf("itimer: alarms=%d interval=%ld\n", alarms, (long) now.it_interval.tv_usec);
    it = (struct itimerval) {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    deflt(SIGALRM);
}

static volatile int timer_hits, timer_code, timer_value;
static void on_timer(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) uc;
    timer_hits++;
    timer_code = si->si_code;
    timer_value = si->si_value.sival_int;
}

static void part_timer(void) {
    install(SIGRTMIN + 2, on_timer, 0);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 2;
    ev.sigev_value.sival_int = 4242;
    timer_t timer;
    CHECK(timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0, "timer_create");
    struct itimerspec spec = {{0, 10000000}, {0, 10000000}};
    CHECK(timer_settime(timer, 0, &spec, NULL) == 0, "timer_settime");
    sigset_t empty;
    sigemptyset(&empty);
    while (timer_hits < 3) {
        sigsuspend(&empty);
    }
    struct itimerspec now;
    timer_gettime(timer, &now);
    printf("timer: hits>=3 code=%d value=%d interval=%ld\n", timer_code, timer_value, now.it_interval.tv_nsec);
    CHECK(timer_delete(timer) == 0, "timer_delete");
    deflt(SIGRTMIN + 2);
}

/* ---- stop and continue: a timer posts SIGCONT to the stopped process */
static volatile int continued;
static void on_cont(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) uc;
    continued = si->si_code == SI_TIMER ? 2 : 1;
}

static void part_stop(void) {
    install(SIGCONT, on_cont, 0);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGCONT;
    timer_t timer;
    CHECK(timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0, "timer_create");
    /* every 50 ms until deleted: a first SIGCONT that comes before the SIGSTOP (a slow or preempted CPU) continues
       nothing, and only a later one may let the process go on */
    struct itimerspec spec = {{0, 50000000}, {0, 50000000}};
    timer_settime(timer, 0, &spec, NULL);
    raise(SIGSTOP);
    printf("stop: continued=%d\n", continued);
    timer_delete(timer);
    deflt(SIGCONT);
}

/* ---- a read a signal interrupts: EINTR, or restarted with SA_RESTART (needs pipes) */
static int restart_fd;
static void on_alarm_write(int sig, siginfo_t *si, void *uc) {
    (void) sig; (void) si; (void) uc;
    alarms++;
    if (alarms == 2) {
        write(restart_fd, "x", 1);
    }
}

static void part_read(void) {
    int p[2];
    if (pipe(p) != 0) {
        printf("read: no pipes (%s)\n", strerror(errno));
        return;
    }
    alarms = 0;
    install(SIGALRM, on_alarm, 0);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    char c;
    ssize_t n = read(p[0], &c, 1);
    printf("read: without SA_RESTART n=%zd errno=%s\n", n, errno == EINTR ? "EINTR" : "?");
    restart_fd = p[1];
    install(SIGALRM, on_alarm_write, SA_RESTART);
    it = (struct itimerval) {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    n = read(p[0], &c, 1);
    it = (struct itimerval) {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    printf("read: with SA_RESTART n=%zd c=%c alarms=%d\n", n, c, alarms);
    deflt(SIGALRM);
}

/* ---- what sigreturn takes from a frame a handler changed: DF yes, IOPL no; reserved MXCSR bits: a bad frame */
static void set_flags(int sig, siginfo_t *si, void *ucv) {
    (void) sig; (void) si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_EFL] |= 3 << 12 | 1 << 10;
}
static void bad_mxcsr(int sig, siginfo_t *si, void *ucv) {
    (void) sig; (void) si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.fpregs->mxcsr |= 0x10000;
}

static void part_flags(void) {
    install(SIGUSR1, set_flags, 0);
    raise(SIGUSR1);
    unsigned long fl;
    __asm__ volatile("pushfq\npop %0\ncld" : "=r"(fl));
    printf("flags: iopl=%lu df=%lu\n", (fl >> 12) & 3, (fl >> 10) & 1);
    deflt(SIGUSR1);
}

static void restorer_missing(void) {
    /* the raw call, without libc's restorer: Linux cannot deliver and kills with SIGSEGV */
    struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } act = {(void *) record, 4, 0, 0};
    syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 8);
    raise(SIGUSR1);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *what = argc > 1 ? argv[1] : "all";
    int all = strcmp(what, "all") == 0;
    if (all || strcmp(what, "info") == 0) part_info();
    if (all || strcmp(what, "regs") == 0) part_regs();
    if (all || strcmp(what, "nest") == 0) part_nest();
    if (all || strcmp(what, "altstack") == 0) part_altstack();
    if (all || strcmp(what, "mask") == 0) part_mask();
    if (all || strcmp(what, "faults") == 0) part_faults();
    if (all || strcmp(what, "sleep") == 0) part_sleep();
    if (all || strcmp(what, "timer") == 0) part_timer();
    if (strcmp(what, "stop") == 0) part_stop();
    if (strcmp(what, "read") == 0) part_read();
    if (strcmp(what, "wait-usr1") == 0) {
        /* answers the sender with SIGUSR1 and ends only once the sender is gone */
        install(SIGUSR1, record, 0);
        sigset_t usr1, before;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, &before);   /* no check-then-pause race: it arrives only inside sigsuspend */
        while (got_sig == 0) {
            sigsuspend(&before);
        }
        sigprocmask(SIG_SETMASK, &before, NULL);
        int from = got_pid;
        printf("wait-usr1: sig=%d code=%d from=%d\n", got_sig, got_code, from);
        kill(from, SIGUSR1);
        while (kill(from, 0) == 0) {
            usleep(1000);
        }
    }
    if (strcmp(what, "kill") == 0 && argc > 3) {
        install(SIGUSR1, record, 0);
        sigset_t usr1, before;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, &before);   /* the answer may come before this process waits for it */
        int sig = atoi(argv[3]);
        int rc = kill(atoi(argv[2]), sig);
        printf("kill %s %s: %d%s\n", argv[2], argv[3], rc, rc == 0 ? "" : errno == ESRCH ? " ESRCH" : " ?");
        if (rc == 0 && sig == SIGUSR1) {
            while (got_sig == 0) {
                sigsuspend(&before);
            }
            printf("kill: answered from=%d\n", got_pid);
        }
        sigprocmask(SIG_SETMASK, &before, NULL);
    }
    if (strcmp(what, "wait-int") == 0) {
        install(SIGINT, record, 0);
        pause();
        printf("wait-int: sig=%d code=%d\n", got_sig, got_code);
    }
    if (strcmp(what, "term") == 0) raise(SIGTERM);
    if (strcmp(what, "abort") == 0) abort();
    if (strcmp(what, "segv-blocked") == 0) {
        install(SIGSEGV, on_fault, 0);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGSEGV);
        sigprocmask(SIG_BLOCK, &s, NULL);
        *(volatile int *) 0x1234 = 1;
    }
    if (strcmp(what, "restorer") == 0) restorer_missing();
    if (strcmp(what, "flags") == 0) part_flags();
    if (strcmp(what, "badframe") == 0) {
        install(SIGUSR1, bad_mxcsr, 0);
        raise(SIGUSR1);
    }
    printf("signals %s: done\n", what);
    return 0;
}
