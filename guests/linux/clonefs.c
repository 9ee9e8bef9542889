/* CLONE_FS: a process made by clone with CLONE_FS shares its creator's working directory and umask (a chdir or umask
 * of either is seen by both); without it (fork) the child has copies. A pthread (clone with CLONE_FS) shares them too.
 * Prints what the parent sees after each child; compared with a native run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[65536] __attribute__((aligned(16)));

static int child(void *arg) {
    (void) arg;
    if (chdir("/proc") != 0) {
        return 1;
    }
    umask(077);
    return 0;
}

static void after(const char *what, int flags) {
    if (chdir("/") != 0) {
        printf("FAIL chdir /\n");
    }
    umask(022);
    pid_t pid = clone(child, stack + sizeof stack, flags | SIGCHLD, NULL);
    int st = -1;
    if (pid < 0 || waitpid(pid, &st, 0) != pid) {
        printf("%s: FAIL clone or wait\n", what);
        return;
    }
    char cwd[256];
    mode_t old = umask(022);
    printf("%s: child exit=%d parent cwd=%s umask=%03o\n", what, WEXITSTATUS(st),
           getcwd(cwd, sizeof cwd) ? cwd : "?", (unsigned) old);
}

static void *thread(void *arg) {
    child(arg);
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    after("fork", 0);
    after("CLONE_FS", CLONE_FS);
    after("CLONE_FS|CLONE_FILES", CLONE_FS | CLONE_FILES);
    if (chdir("/") != 0) {
        printf("FAIL chdir /\n");
    }
    umask(022);
    pthread_t t;
    pthread_create(&t, NULL, thread, NULL);
    pthread_join(t, NULL);
    char cwd[256];
    printf("thread: cwd=%s umask=%03o\n", getcwd(cwd, sizeof cwd) ? cwd : "?", (unsigned) umask(022));
    printf("clonefs: done\n");
    return 0;
}
