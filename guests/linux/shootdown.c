/* TLB shootdown across vCPUs: one thread keeps using a page (on the VM's other vCPU: threads spread over the vCPUs)
 * while the main thread forks, munmaps or mprotects it. Every change must reach the other thread before the call
 * returns: a write after fork lands in the parent's copy only, a read after munmap and a write after mprotect(PROT_READ)
 * are SIGSEGV, never stale data. `shootdown [part...]` runs fork, munmap, mprotect (all when none); each prints a line
 * that does not depend on scheduling, so a run under the Java guest kernel prints what a native run prints.
 *
 * The other thread learns that the call returned through a MAP_SHARED control page (shared, never copy-on-write), and
 * only then does the access that must not go through an old translation: no timing assumption, only a correct or a
 * stale translation at that moment. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 20

struct control {
    atomic_long quiet;     /* round before whose call the other thread stops touching the page (keeping its TLB) */
    atomic_long quiet_ack;
    atomic_long request;   /* round whose access the main thread asks for, after its call returned */
    atomic_long done;      /* round the other thread did its access for */
    atomic_long resume;    /* round after which the other thread may go on using the page */
    atomic_int stop;
    atomic_long stale;     /* accesses that went through an old translation */
};

static struct control *ctl;
static volatile long *page;
static long page_size;

static void check(int ok, const char *what) {
    if (!ok) {
        perror(what);
        exit(2);
    }
}

static void *map_page(void *at) {
    void *p = mmap(at, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1, 0);
    check(p != MAP_FAILED, "mmap");
    return p;
}

static void await_value(atomic_long *v, long want) {
    while (atomic_load(v) != want) {
    }
}

/* ---- fork: the writer counts up in the page; after fork returned it writes a marker the child must not see */
static void *writer(void *arg) {
    (void) arg;
    long counter = 0, seen = 0;
    while (!atomic_load(&ctl->stop)) {
        long r = atomic_load(&ctl->request);
        if (r != seen) {
            seen = r;
            *page = -r;                   /* after fork returned: the parent's copy only */
            atomic_store(&ctl->done, r);
            await_value(&ctl->resume, r);
        } else {
            *page = ++counter;
        }
    }
    return NULL;
}

static void part_fork(void) {
    atomic_store(&ctl->request, 0);
    atomic_store(&ctl->done, 0);
    atomic_store(&ctl->resume, 0);
    atomic_store(&ctl->stop, 0);
    page = map_page(NULL);
    *page = 0;
    pthread_t t;
    check(pthread_create(&t, NULL, writer, NULL) == 0, "pthread_create");
    int saw_marker = 0;
    for (long r = 1; r <= ROUNDS; r++) {
        int go[2];
        check(pipe(go) == 0, "pipe");
        pid_t child = fork();
        check(child >= 0, "fork");
        if (child == 0) {
            char c;
            check(read(go[0], &c, 1) == 1, "read");
            _exit(*page == -r ? 1 : 0);   /* this round's marker: written to the child's page after fork returned */
        }
        atomic_store(&ctl->request, r);
        await_value(&ctl->done, r);
        check(write(go[1], "g", 1) == 1, "write");
        int status;
        check(waitpid(child, &status, 0) == child, "waitpid");
        saw_marker += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        close(go[0]);
        close(go[1]);
        atomic_store(&ctl->resume, r);
    }
    atomic_store(&ctl->stop, 1);
    pthread_join(t, NULL);
    printf("fork: %d rounds, children that saw a write made after fork returned: %d\n", ROUNDS, saw_marker);
}

/* ---- munmap and mprotect: the toucher uses the page; after the call returned its access must fault */
static __thread sigjmp_buf fault_return;
static __thread volatile int expecting_fault;

static void on_segv(int sig) {
    (void) sig;
    if (!expecting_fault) {
        abort();
    }
    siglongjmp(fault_return, 1);
}

static void *toucher(void *arg) {
    (void) arg;
    long seen = 0;
    while (!atomic_load(&ctl->stop)) {
        long r = atomic_load(&ctl->quiet);
        if (r == seen) {
            *page += 1;   /* keeps a writable translation in use */
            continue;
        }
        seen = r;
        atomic_store(&ctl->quiet_ack, r);   /* from here on only the control page until the call returned */
        await_value(&ctl->request, r);
        expecting_fault = 1;
        if (sigsetjmp(fault_return, 1) == 0) {
            *page = r;
            atomic_fetch_add(&ctl->stale, 1);   /* no fault: an old translation was used */
        }
        expecting_fault = 0;
        atomic_store(&ctl->done, r);
        await_value(&ctl->resume, r);
    }
    return NULL;
}

static void part_unmap_or_protect(int protect) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    check(sigaction(SIGSEGV, &sa, NULL) == 0, "sigaction");
    atomic_store(&ctl->quiet, 0);
    atomic_store(&ctl->quiet_ack, 0);
    atomic_store(&ctl->request, 0);
    atomic_store(&ctl->done, 0);
    atomic_store(&ctl->resume, 0);
    atomic_store(&ctl->stop, 0);
    atomic_store(&ctl->stale, 0);
    page = map_page(NULL);
    *page = 42;
    pthread_t t;
    check(pthread_create(&t, NULL, toucher, NULL) == 0, "pthread_create");
    for (long r = 1; r <= ROUNDS; r++) {
        atomic_store(&ctl->quiet, r);
        await_value(&ctl->quiet_ack, r);
        if (protect) {
            check(mprotect((void *) page, page_size, PROT_READ) == 0, "mprotect");
        } else {
            check(munmap((void *) page, page_size) == 0, "munmap");
        }
        atomic_store(&ctl->request, r);
        await_value(&ctl->done, r);
        if (protect) {
            check(mprotect((void *) page, page_size, PROT_READ | PROT_WRITE) == 0, "mprotect");
        } else {
            map_page((void *) page);
        }
        *page = 42;
        atomic_store(&ctl->resume, r);
    }
    atomic_store(&ctl->stop, 1);
    pthread_join(t, NULL);
    printf("%s: %d rounds, accesses after the call returned that did not fault: %ld\n",
           protect ? "mprotect" : "munmap", ROUNDS, atomic_load(&ctl->stale));
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    page_size = sysconf(_SC_PAGESIZE);
    ctl = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    check(ctl != MAP_FAILED, "mmap control");
    int all = argc < 2;
    for (int i = 1; i < argc || all; i++) {
        const char *part = all ? (i == 1 ? "fork" : i == 2 ? "munmap" : "mprotect") : argv[i];
        if (strcmp(part, "fork") == 0) {
            part_fork();
        } else if (strcmp(part, "munmap") == 0) {
            part_unmap_or_protect(0);
        } else if (strcmp(part, "mprotect") == 0) {
            part_unmap_or_protect(1);
        } else {
            fprintf(stderr, "unknown part %s\n", part);
            return 2;
        }
        if (all && i == 3) {
            break;
        }
    }
    return 0;
}
