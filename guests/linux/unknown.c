/* 100 system calls the kernel does not know: each must answer ENOSYS, and the process goes on. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    int enosys = 0;
    for (long i = 0; i < 100; i++) {
        errno = 0;
        long rc = syscall(1000 + i, 1, 2, 3);
        enosys += rc == -1 && errno == ENOSYS;
    }
    printf("unknown: %d of 100 answered ENOSYS\n", enosys);
    return enosys == 100 ? 0 : 1;
}
