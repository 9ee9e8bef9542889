/* mmap semantics: anonymous and file-backed private mappings, protections, mremap, madvise, brk, and the errnos. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    long page = sysconf(_SC_PAGESIZE);
    expect("page size", page, 4096);
    char *a = mmap(NULL, 64 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect("anon map", a != MAP_FAILED, 1);
    long zeros = 0;
    for (long i = 0; i < 64 * page; i += 512) {
        zeros += a[i] == 0;
    }
    expect("anon is zero", zeros, 64 * page / 512);
    memset(a, 'x', 64 * page);
    expect("written", a[64 * page - 1], 'x');
    char *b = mremap(a, 64 * page, 256 * page, MREMAP_MAYMOVE);
    expect("mremap grow", b != MAP_FAILED, 1);
    expect("mremap keeps contents", b[0] == 'x' && b[64 * page - 1] == 'x' && b[64 * page] == 0, 1);
    expect("madvise dontneed", madvise(b, page, MADV_DONTNEED), 0);
    expect("dontneed zeroes", b[0], 0);
    expect("mprotect read-only", mprotect(b, page, PROT_READ), 0);
    expect("still readable", b[1], 0);
    expect("munmap", munmap(b, 256 * page), 0);

    errno = 0;
    expect("mmap length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL, 1);
    expect("mmap unaligned fixed", mmap((void *) 0x10001, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
            == MAP_FAILED && errno == EINVAL, 1);
    expect("mmap no type", mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL, 1);
    expect("mmap bad fd", mmap(NULL, page, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED && errno == EBADF, 1);
    expect("munmap unaligned", munmap((void *) 0x10001, page) == -1 && errno == EINVAL, 1);
    expect("mprotect unmapped", mprotect((void *) 0x10000, page, PROT_READ) == -1 && errno == ENOMEM, 1);
    expect("madvise bad advice", madvise(a, page, 9999) == -1 && errno == EINVAL, 1);

    char *huge = mmap(NULL, 100UL << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("100 GiB map: %s\n", huge == MAP_FAILED ? strerror(errno) : "mapped");
    if (huge != MAP_FAILED) {
        huge[0] = 1;
        huge[(100UL << 30) - 1] = 2;
        expect("touch both ends of 100 GiB", huge[0] + huge[(100UL << 30) - 1], 3);
        munmap(huge, 100UL << 30);
    }

    char *guard = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect("guard map", guard != MAP_FAILED, 1);
    expect("open the middle", mprotect(guard + page, page, PROT_READ | PROT_WRITE), 0);
    guard[page] = 7;
    expect("middle usable", guard[page], 7);

    if (argc > 1) {
        int fd = open(argv[1], O_RDONLY);
        expect("open file to map", fd >= 0, 1);
        char *f = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        close(fd);
        expect("file map", f != MAP_FAILED, 1);
        expect("file contents", f != MAP_FAILED && memcmp(f, "host file\n", 10) == 0, 1);
        expect("zeros after the end", f != MAP_FAILED ? f[page - 1] : -1, 0);
        if (f != MAP_FAILED) {
            f[0] = 'H';   /* private: the file stays as it was */
        }
        char again[10];
        fd = open(argv[1], O_RDONLY);
        expect("file unchanged", read(fd, again, 10) == 10 && again[0] == 'h', 1);
        close(fd);
    }

    /* brk itself: musl's sbrk refuses to grow the heap, so ask the kernel directly. */
    char *brk0 = (char *) syscall(SYS_brk, 0);
    expect("brk grow", syscall(SYS_brk, brk0 + (1 << 20)) == (long) (brk0 + (1 << 20)), 1);
    memset(brk0, 1, 1 << 20);
    expect("heap usable", brk0[(1 << 20) - 1], 1);
    expect("brk shrink", syscall(SYS_brk, brk0) == (long) brk0, 1);

    FILE *maps = fopen("/proc/self/maps", "r");
    char line[256];
    int heap = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        heap |= strstr(line, "[heap]") != NULL;
    }
    if (maps) {
        fclose(maps);
    }
    printf("maps read\n");
    return report("mmap");
}
