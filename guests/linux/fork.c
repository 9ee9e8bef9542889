/* Processes: fork and wait, copy-on-write, vfork, zombies, re-parenting, process groups, a fork bomb. Mode argv[1]:
   none runs every check and prints "fork: ok" (as the VM's first process: orphans must come back to it); "bomb"
   forks in every process until the VM's limit says EAGAIN (never run it natively: nothing limits it there). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char global[3 * 4096] = "global";

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Parent and child write the same pages (data, heap, stack, an anonymous map) and each sees only its own writes. */
static void copy_on_write(void) {
    char *heap = malloc(10000);
    strcpy(heap, "heap");
    char stack[5000];
    strcpy(stack, "stack");
    char *anon = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(anon, "anon");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(global, "child global");
        strcpy(heap, "child heap");
        strcpy(stack, "child stack");
        strcpy(anon, "child anon");
        global[8192] = 'c';
        pause_ms(20);
        int ok = strcmp(global, "child global") == 0 && strcmp(heap, "child heap") == 0
                && strcmp(stack, "child stack") == 0 && strcmp(anon, "child anon") == 0 && global[8192] == 'c';
        _exit(ok ? 7 : 1);
    }
    strcpy(global, "parent global");
    strcpy(heap, "parent heap");
    strcpy(stack, "parent stack");
    strcpy(anon, "parent anon");
    int status = 0;
    expect("wait4 returns the child", waitpid(pid, &status, 0), pid);
    expect("the child saw only its own writes", WIFEXITED(status) ? WEXITSTATUS(status) : -1, 7);
    expect("the parent sees only its own writes", strcmp(global, "parent global") == 0 && strcmp(heap, "parent heap") == 0
            && strcmp(stack, "parent stack") == 0 && strcmp(anon, "parent anon") == 0 && global[8192] == 0, 1);
}

static void wait_statuses(void) {
    expect("no child: ECHILD", waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, 1);
    fflush(stdout);
    pid_t alive = fork();
    if (alive == 0) {
        pause_ms(100);
        _exit(3);
    }
    expect("WNOHANG while it runs", waitpid(alive, NULL, WNOHANG), 0);
    int status;
    expect("then it is reaped", waitpid(-1, &status, 0), alive);
    expect("exit status 3", WIFEXITED(status) && WEXITSTATUS(status) == 3, 1);
    fflush(stdout);
    pid_t crash = fork();
    if (crash == 0) {
        volatile int *volatile bad = (volatile int *) 8;   /* opaque to gcc's bounds check */
        *bad = 1;
        _exit(0);
    }
    expect("a crashed child", waitpid(crash, &status, 0), crash);
    expect("ended by SIGSEGV", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, 1);
    fflush(stdout);
    pid_t zombie = fork();
    if (zombie == 0) {
        _exit(5);
    }
    pause_ms(50);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    expect("waitid WNOWAIT looks", waitid(P_PID, zombie, &info, WEXITED | WNOWAIT), 0);
    expect("at the zombie", info.si_pid == zombie && info.si_code == CLD_EXITED && info.si_status == 5, 1);
    expect("which is still there to reap", waitpid(zombie, &status, 0), zombie);
    expect("exit status 5", WEXITSTATUS(status), 5);
}

static void vfork_waits(void) {
    volatile int shared = 0;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        shared = 42;   /* vfork's child runs in the parent's memory until it ends */
        _exit(9);
    }
    expect("vfork: the child ran first, in the parent's memory", shared, 42);
    int status;
    expect("vfork child reaped", waitpid(pid, &status, 0), pid);
    expect("vfork child's status", WEXITSTATUS(status), 9);
}

/* A child forks a grandchild and ends: the grandchild is handed to init (the VM's first process, this one). */
static void reparenting(void) {
    pid_t init = getpid();
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            for (int i = 0; i < 200 && getppid() != init; i++) {
                pause_ms(5);
            }
            _exit(getppid() == init ? 0 : 1);
        }
        _exit(grandchild > 0 ? 0 : 1);
    }
    int status;
    expect("the middle child ended", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 0, 1);
    /* The grandchild is init's now: waiting for any child finds it. */
    pid_t got = waitpid(-1, &status, 0);
    expect("the orphan is init's child", got > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);
}

static void groups(void) {
    expect("getpgrp is the pid for init", getpgrp(), getpid());
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pause_ms(50);
        _exit(getpgrp() == getpid() ? 0 : 1);
    }
    expect("setpgid puts the child in its own group", setpgid(pid, pid), 0);
    expect("getpgid sees it", getpgid(pid), pid);
    if (getpgrp() == getpid()) {
        expect("setsid of a group leader: EPERM", setsid() == -1 && errno == EPERM, 1);
    }
    int status;
    waitpid(pid, &status, 0);
    expect("the child saw its group", WEXITSTATUS(status), 0);
    printf("ppid=%d\n", getppid());
}

static int bomb(void) {
    pid_t first = getpid();
    int forked = 0, refused = 0;
    for (int i = 0; i < 16; i++) {
        fflush(stdout);
        pid_t p = fork();
        if (p == 0) {
            forked = 0;
            continue;
        }
        if (p < 0) {
            refused = errno == EAGAIN;
            break;
        }
        forked++;
    }
    /* Whoever was refused reports it up the tree through its exit status: which process meets the limit depends on
       how the processes are scheduled (a fast first process may make its 16 forks before any child forks). */
    int status;
    while (wait(&status) > 0) {
        refused |= WIFEXITED(status) && WEXITSTATUS(status) == 1;
    }
    if (getpid() != first) {
        _exit(refused ? 1 : 0);
    }
    printf("bomb: %s after %d forks\n", refused ? "EAGAIN" : "no EAGAIN", forked);
    return refused ? 0 : 1;
}

/* A process tree that runs a while (for moves between backends): four children each change their copy-on-write copy
   of a buffer in rounds, sleeping between them, and exit with its checksum; the parent prints what they returned. */
static int tree(void) {
    static unsigned char buf[64 * 1024];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (unsigned char) (i * 7);
    }
    pid_t kids[4];
    printf("tree: started\n");
    fflush(stdout);
    for (int k = 0; k < 4; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            unsigned sum = 0;
            for (int round = 0; round < 20; round++) {
                for (size_t i = 0; i < sizeof buf; i++) {
                    buf[i] = (unsigned char) (buf[i] + k + round);
                }
                pause_ms(10);
            }
            for (size_t i = 0; i < sizeof buf; i++) {
                sum = sum * 31 + buf[i];
            }
            _exit((int) (sum % 127));
        }
    }
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] ^= 0x55;
    }
    for (int k = 0; k < 4; k++) {
        int status;
        pid_t got = waitpid(kids[k], &status, 0);
        printf("child %d: %s %d\n", k, got == kids[k] && WIFEXITED(status) ? "exit" : "FAIL", WEXITSTATUS(status));
    }
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof buf; i++) {
        sum = sum * 31 + buf[i];
    }
    printf("parent: %u\n", sum);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "bomb") == 0) {
        return bomb();
    }
    if (argc > 1 && strcmp(argv[1], "tree") == 0) {
        return tree();
    }
    copy_on_write();
    wait_statuses();
    vfork_waits();
    reparenting();
    groups();
    return report("fork");
}
