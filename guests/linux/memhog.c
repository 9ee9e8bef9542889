/* Exhausting the VM's memory (a Linux guest's bad input): `memhog touch <MiB>` maps and touches more than the VM has
 * and must be killed (SIGKILL, as Linux's OOM killer does); `memhog bomb <MiB>` keeps forking children that each touch
 * <MiB> and stay, next to a bystander child that allocates nothing: the bomb must end (a fork fails, or a child that
 * touches is killed) with the parent and the bystander still running. Prints what it saw; exit 0 when that held. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_KIDS 1024

static void touch(long mib) {
    long size = mib << 20, page = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmap of %ld MiB failed: %s\n", mib, strerror(errno));
        exit(3);
    }
    for (long i = 0; i < size; i += page) {
        p[i] = 1;
    }
}

/* 1: the child touched its memory and stays; 0: it was killed by SIGKILL; -1: it ended otherwise */
static int outcome(pid_t kid, int ready) {
    for (;;) {
        struct pollfd p = {ready, POLLIN, 0};
        if (poll(&p, 1, 50) == 1) {
            char c;
            if (read(ready, &c, 1) == 1) {
                return 1;
            }
        }
        int status;
        if (waitpid(kid, &status, WNOHANG) == kid) {
            return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : -1;
        }
    }
}

static int bomb(long mib) {
    int ready[2];
    if (pipe(ready) != 0) {
        perror("pipe");
        return 2;
    }
    pid_t bystander = fork();
    if (bystander == 0) {
        for (;;) {
            pause();
        }
    }
    pid_t kids[MAX_KIDS];
    int n = 0, ended = 0;
    while (n < MAX_KIDS && !ended) {
        pid_t kid = fork();
        if (kid < 0) {
            printf("bomb: fork failed with %s\n", errno == ENOMEM ? "ENOMEM" : errno == EAGAIN ? "EAGAIN" : strerror(errno));
            ended = 1;
            break;
        }
        if (kid == 0) {
            touch(mib);
            if (write(ready[1], "r", 1) != 1) {
                _exit(4);
            }
            for (;;) {
                pause();
            }
        }
        switch (outcome(kid, ready[0])) {
        case 1:
            kids[n++] = kid;
            break;
        case 0:
            ended = 1;
            break;
        default:
            printf("bomb: a child ended otherwise\n");
            return 1;
        }
        /* the OOM killer may have taken an earlier child (the largest) for this one */
        for (int i = 0; i < n; i++) {
            int status;
            if (waitpid(kids[i], &status, WNOHANG) == kids[i]) {
                ended |= WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
                kids[i--] = kids[--n];
            }
        }
        if (ended) {
            printf("bomb: a child touching %ld MiB was killed by SIGKILL\n", mib);
        }
    }
    int status;
    pid_t gone = waitpid(bystander, &status, WNOHANG);
    printf("bomb: ended=%d, bystander %s\n", ended, gone == 0 ? "still running" : "gone");
    for (int i = 0; i < n; i++) {
        kill(kids[i], SIGKILL);
        waitpid(kids[i], &status, 0);
    }
    kill(bystander, SIGTERM);
    waitpid(bystander, &status, 0);
    printf("bomb: parent still running, bystander ended by %s\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM
           ? "the parent's SIGTERM" : "something else");
    return ended && gone == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "touch") == 0) {
        touch(atol(argv[2]));
        printf("touch: %s MiB touched\n", argv[2]);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "bomb") == 0) {
        return bomb(atol(argv[2]));
    }
    fprintf(stderr, "usage: memhog touch <MiB> | memhog bomb <MiB>\n");
    return 2;
}
