/*
 * Paravane guest ABI: how a guest program talks to the Java guest kernel. This header is the one definition of
 * the ABI; the kernel's Java side (GuestAbi and Hypercall in org.paravane.vmm.kernel.abi.paravane) is checked
 * against it by a test.
 *
 * Programs are static ELF64 x86-64 executables built freestanding (see Makefile). A task starts at _start with
 * RDI = its argument and RSP 16-byte aligned at the top of its stack. Hypercalls use the SYSCALL instruction:
 * RAX = number, arguments in RDI, RSI, RDX, R10, R8, R9, result in RAX (negative = -error); RCX and R11 are
 * clobbered. User tasks run at CPL 3, kernel tasks (images carrying PV_KERNEL_TASK) at CPL 0.
 */
#ifndef PARAVANE_H
#define PARAVANE_H

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef unsigned char u8;
typedef unsigned long size_t;

/* Hypercall numbers. */
#define PV_HC_EXIT              0   /* exit(code): the task ends */
#define PV_HC_WRITE             1   /* write(fd 1|2, buf, len) -> len: console output */
#define PV_HC_YIELD             2   /* yield(): give up the vCPU */
#define PV_HC_TIME              3   /* time() -> nanoseconds since the VM started */
#define PV_HC_PREEMPT_DISABLE   4   /* kernel tasks only: enter a non-preemptible section */
#define PV_HC_PREEMPT_ENABLE    5
#define PV_HC_RCU_READ_LOCK     6   /* kernel tasks only: enter an RCU read-side section */
#define PV_HC_RCU_READ_UNLOCK   7
#define PV_HC_REPORT            8   /* report(name, value): a named result (checksum) for the host */

/* Errors a hypercall returns (negated). */
#define PV_EPERM   1
#define PV_EFAULT 14
#define PV_EINVAL 22
#define PV_ENOSYS 38

/* Virtual addresses every task sees. */
#define PV_TEXT_VA     0x0000000000400000UL  /* where images are linked */
#define PV_INFO_VA     0x00007fff00000000UL  /* the task's info page (struct pv_info) */
#define PV_STACK_TOP   0x00007ffe00000000UL  /* initial RSP */
#define PV_STACK_SIZE  0x0000000000040000UL  /* 256 KiB */
#define PV_DATA_VA     0x0000100000000000UL  /* the task's data region, if the kernel gave it one */

#define PV_INFO_MAGIC  0x454e415641524150UL  /* "PARAVANE" */

/* The info page: written by the kernel before the task starts; `work` is written by the task, read by the host. */
struct pv_info {
    u64 magic;
    u64 task_id;
    u64 arg;
    u64 data_base;       /* PV_DATA_VA, or 0 when the task has no data region */
    u64 data_size;       /* bytes */
    volatile u64 work;   /* work units done so far */
};

/* An ELF note (name "Paravane", type PV_NOTE_IMAGE) with flags for the loader. */
#define PV_NOTE_IMAGE        1
#define PV_IMAGE_KERNEL_TASK 1u  /* run at CPL 0 */

#define PV_KERNEL_TASK \
    __attribute__((section(".note.paravane"), used, aligned(4))) \
    static const struct { u32 namesz, descsz, type; char name[12]; u32 flags; } pv_image_note = \
    { 9, 4, PV_NOTE_IMAGE, "Paravane", PV_IMAGE_KERNEL_TASK }

#ifdef PARAVANE_NATIVE
s64 pv_hypercall(u64 nr, u64 a0, u64 a1, u64 a2);   /* outside the guest kernel: guests/native, guests/flat */
#else
static inline s64 pv_hypercall(u64 nr, u64 a0, u64 a1, u64 a2) {
    s64 ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
    return ret;
}
#endif

static inline struct pv_info *pv_info(void) { return (struct pv_info *)PV_INFO_VA; }

__attribute__((noreturn)) void pv_exit(int code);
s64 pv_write(int fd, const void *buf, size_t len);
void pv_yield(void);
u64 pv_time(void);
s64 pv_preempt_disable(void);
s64 pv_preempt_enable(void);
s64 pv_rcu_read_lock(void);
s64 pv_rcu_read_unlock(void);
s64 pv_report(const char *name, u64 value);

/* A small libc. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int puts(const char *s);                       /* writes s and a newline to stdout */
int printf(const char *fmt, ...);              /* %d %u %x %lx %lu %ld %s %c %p %% (and 0-padding widths) */

#endif
