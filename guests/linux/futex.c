/* The futex system call directly: its errors, timeouts, WAKE_OP's change to the word, and (with threads) waits, wakes
 * and a CMP_REQUEUE between two words. Prints only what does not depend on scheduling. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h>'s values (musl-gcc has no kernel headers) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    (((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff))

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts, uint32_t *uaddr2, uint32_t val3) {
    long rc = syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
    return rc < 0 ? -errno : rc;
}

static long futex2(uint32_t *uaddr, int op, uint32_t val, long val2, uint32_t *uaddr2, uint32_t val3) {
    long rc = syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
    return rc < 0 ? -errno : rc;
}

static uint32_t word, other;

static void *waiter(void *arg) {
    (void) arg;
    long rc = 0;
    while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0) {
        rc = futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        if (rc != 0 && rc != -EAGAIN && rc != -EINTR) break;
    }
    return (void *) rc;
}

static double since(const struct timespec *a) {
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    uint32_t w = 1;
    printf("wait on a changed word: %ld\n", futex(&w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
    printf("wake nobody: %ld\n", futex(&w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    printf("misaligned: %ld\n", futex((uint32_t *) ((char *) &w + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    printf("bad address shared wait: %ld\n", futex((uint32_t *) 16, FUTEX_WAIT, 0, NULL, NULL, 0));
    printf("empty bitset: %ld\n", futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0));
    printf("realtime plain wait: %ld\n", futex(&w, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    struct timespec bad = {0, 1000000000};
    printf("bad timeout: %ld\n", futex(&w, FUTEX_WAIT_PRIVATE, 1, &bad, NULL, 0));

    struct timespec start, rel = {0, 20000000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    long rc = futex(&w, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0);
    double took = since(&start);
    printf("relative 20 ms: %ld waited-enough=%s\n", rc, took >= 0.019 ? "yes" : "no");
    /* the deadline is 20 ms after start itself: a start read after it (a preemption, a slow first run of the
       code between) made an exact wait look short */
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &start);
    abs = start;
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
    rc = futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
    took = since(&start);
    printf("absolute monotonic: %ld waited-enough=%s\n", rc, took >= 0.019 ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_sec -= 1;
    printf("absolute realtime passed: %ld\n",
           futex(&w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY));

    uint32_t a = 0, b = 5;
    rc = futex2(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 4));
    printf("wake_op add: %ld b=%u\n", rc, b);
    rc = futex2(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 0));
    printf("wake_op or-shift: %ld b=%u\n", rc, b);
    printf("cmp_requeue mismatch: %ld\n", futex2(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 7));

    /* three threads wait on word; requeues move them all to other (as each arrives), then each is woken there */
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, waiter, NULL);
    long requeued = 0, rounds = 0;
    while (requeued < 3 && rounds++ < 100000) {
        long r = futex2(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, 0x7fffffff, &other, 0);
        if (r > 0) requeued += r;
        else sched_yield();
    }
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    long wakes = 0;
    for (int i = 0; i < 3; i++) wakes += futex(&other, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    long zero = 0;
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        zero += (long) r == 0;
    }
    printf("threads: requeued=%ld wakes=%ld returned-0=%ld\n", requeued, wakes, zero);
    return 0;
}
