/* Thread-local storage through FS.base: __thread variables, arch_prctl GET_FS/SET_GS/GET_GS. */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static __thread long counter = 40;
static __thread char name[16] = "tls";

int main(void) {
    counter += 2;
    unsigned long fs = 0, gs = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
    unsigned long self;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    printf("counter=%ld name=%s fs-self=%s\n", counter, name, fs == self && fs != 0 ? "yes" : "no");
    static long gsword = 0x1234;
    long rc = syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long) &gsword);
    syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
    long viags;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(viags));
    printf("set_gs=%ld gs-ok=%s gs-read=%#lx\n", rc, gs == (unsigned long) &gsword ? "yes" : "no", viags);
    errno = 0;
    rc = syscall(SYS_arch_prctl, ARCH_SET_FS, 0x800000000000UL);
    printf("bad fs: %ld errno=%d\n", rc, errno);
    rc = syscall(SYS_arch_prctl, 0x9999, 0);
    printf("bad code: %ld errno=%d\n", rc, errno);
    return 0;
}
