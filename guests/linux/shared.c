/*
 * Shared mappings: MAP_SHARED of an in-memory file (one set of pages for two mappings, read()/write() coherent with
 * them, the bytes kept after munmap), MAP_SHARED|MAP_ANONYMOUS (shared with a forked child), msync's errnos, and with an argument, a host file
 * mapped shared and written through the mapping (the test reads the host file afterwards).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    long page = 4096;
    int fd = open("/tmp/shared.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    expect("ftruncate", ftruncate(fd, 3 * page), 0);
    char *a = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    expect("two shared maps", a != MAP_FAILED && b != MAP_FAILED && a != b, 1);
    strcpy(a + page + 10, "written through a");
    expect("b sees a's write", strcmp(b + page + 10, "written through a"), 0);
    char buf[64] = {0};
    expect("pread sees the mapping", pread(fd, buf, 17, page + 10), 17);
    expect("same bytes", strcmp(buf, "written through a"), 0);
    expect("pwrite", pwrite(fd, "by write()", 10, 2 * page), 10);
    expect("the mapping sees write()", memcmp(a + 2 * page, "by write()", 10), 0);
    char *p = mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE, fd, 0);
    expect("a private map sees the shared bytes", strcmp(p + page + 10, "written through a"), 0);
    munmap(p, 3 * page);
    expect("msync", msync(a, 3 * page, MS_SYNC), 0);
    expect("msync unaligned", msync(a + 1, page, MS_SYNC) == -1 && errno == EINVAL, 1);
    expect("msync both flags", msync(a, page, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL, 1);
    expect("munmap a", munmap(a, 3 * page), 0);
    expect("munmap b", munmap(b, 3 * page), 0);
    expect("msync unmapped", msync(a, page, MS_SYNC) == -1 && errno == ENOMEM, 1);
    memset(buf, 0, sizeof buf);
    expect("pread after munmap", pread(fd, buf, 17, page + 10), 17);
    expect("the bytes stayed", strcmp(buf, "written through a"), 0);
    close(fd);

    int *anon = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    expect("shared anonymous", anon != MAP_FAILED, 1);
    expect("zero at first", anon[1000], 0);
    anon[1000] = 42;
    expect("keeps a write", anon[1000], 42);
    pid_t child = fork();
    if (child == 0) {
        anon[7] = 1234;   /* seen by the parent: shared memory stays shared across fork */
        strcpy((char *) (anon + 512), "from the child");
        _exit(0);
    }
    int status = -1;
    expect("fork", child > 0, 1);
    expect("wait for the child", waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);
    expect("the child's write is the parent's", anon[7], 1234);
    expect("the child's string", strcmp((char *) (anon + 512), "from the child"), 0);
    expect("munmap anonymous", munmap(anon, 2 * page), 0);

    int ro = open("/tmp/shared.bin", O_RDONLY);
    expect("shared writable map of a read-only fd",
           mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES, 1);
    close(ro);

    if (argc > 1) {
        int h = open(argv[1], O_RDWR);
        char *m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
        expect("host file mapped shared", m != MAP_FAILED, 1);
        memcpy(m, "HOST", 4);
        expect("munmap host", munmap(m, page), 0);
        close(h);
    }
    return report("shared") != 0;
}
