/*
 * Reads a file two ways and prints one checksum of all its bytes: the first half through a private read-only
 * mapping (page by page, as a scanner would), the second half with pread in 4 KiB pieces. Against a lazily served
 * file both ways meet pages that have not arrived: the mapping takes async page faults, pread faults in the kernel.
 * At exit, whatever the outcome, it creates /tmp/lazyread.done, which spin (the CPU-bound neighbour) waits for.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t mix(uint64_t h, const unsigned char *p, long n) {
    for (long i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;   /* FNV-1a */
    }
    return h;
}

static void done(void) {
    close(open("/tmp/lazyread.done", O_CREAT | O_WRONLY, 0644));
}

int main(int argc, char **argv) {
    atexit(done);
    if (argc != 2) {
        fprintf(stderr, "usage: lazyread FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(argv[1]);
        return 1;
    }
    long size = st.st_size, half = (size / 2) & ~4095L;
    uint64_t h = 0xcbf29ce484222325ULL;
    if (half > 0) {
        unsigned char *m = mmap(NULL, half, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        h = mix(h, m, half);
        munmap(m, half);
    }
    unsigned char buf[4096];
    long pieces = 0;
    for (long at = half; at < size; at += sizeof buf) {
        long want = size - at < (long) sizeof buf ? size - at : (long) sizeof buf;
        ssize_t n = pread(fd, buf, want, at);
        if (n != want) {
            fprintf(stderr, "pread at %ld: %zd of %ld\n", at, n, want);
            return 1;
        }
        h = mix(h, buf, n);
        pieces++;
    }
    close(fd);
    printf("size %ld mapped %ld preads %ld fnv %016llx\n", size, half, pieces, (unsigned long long) h);
    return 0;
}
