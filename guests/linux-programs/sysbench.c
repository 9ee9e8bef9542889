/*
 * System call round trip, measured by the program itself so that the same binary compares native, qemu-x86_64 and
 * Paravane's backends: "sysbench getpid N" makes N getpid calls (raw syscall, no libc cache); "sysbench pread FILE N"
 * makes N 4 KiB preads at offset 0 of FILE (cached after the first). Prints one line:
 *   <what> <N> calls <total ns> ns <per call ns> ns/call
 * The clock is CLOCK_MONOTONIC, read once before and once after the loop.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int usage(void) {
    fprintf(stderr, "usage: sysbench getpid N | sysbench pread FILE N\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "getpid") == 0) {
        long n = atol(argv[2]);
        long sum = 0;
        long long t0 = now();
        for (long i = 0; i < n; i++) {
            sum += syscall(SYS_getpid);
        }
        long long t = now() - t0;
        if (sum != n * (long) getpid()) {
            fprintf(stderr, "getpid changed during the loop\n");
            return 1;
        }
        printf("getpid %ld calls %lld ns %lld ns/call\n", n, t, n ? t / n : 0);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "pread") == 0) {
        long n = atol(argv[3]);
        static char buf[4096];
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) {
            perror(argv[2]);
            return 1;
        }
        if (pread(fd, buf, sizeof buf, 0) < 0) {
            perror("pread");
            return 1;
        }
        long long t0 = now();
        for (long i = 0; i < n; i++) {
            if (pread(fd, buf, sizeof buf, 0) < 0) {
                perror("pread");
                return 1;
            }
        }
        long long t = now() - t0;
        printf("pread4k %ld calls %lld ns %lld ns/call\n", n, t, n ? t / n : 0);
        return 0;
    }
    return usage();
}
