/* POSIX threads as a threaded program uses them: each part prints results that do not depend on scheduling, so a run
 * under the Java guest kernel must print exactly what a native run prints. `pthreads [part...]` runs the named parts
 * (all when none); `pthreads hundred <rounds>` makes the 100-thread part longer (a move mid-run). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void check(int rc, const char *what) {
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", what, strerror(rc));
        exit(2);
    }
}

/* ---- mutex: 8 threads increment one counter under a mutex */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *increment(void *arg) {
    long n = (long) arg;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void part_mutex(void) {
    pthread_t t[8];
    for (int i = 0; i < 8; i++) check(pthread_create(&t[i], NULL, increment, (void *) 20000L), "create");
    for (int i = 0; i < 8; i++) check(pthread_join(t[i], NULL), "join");
    printf("mutex: counter=%ld\n", counter);
}

/* ---- condition variables: two threads hand a token back and forth */
static pthread_mutex_t pp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static int turn;
static long pp_sum;

static void *pong(void *arg) {
    int me = (int) (long) arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pp_lock);
        while (turn != me) pthread_cond_wait(&pp_cond, &pp_lock);
        pp_sum += (long) i * (me + 1);
        turn = 1 - me;
        pthread_cond_broadcast(&pp_cond);
        pthread_mutex_unlock(&pp_lock);
    }
    return NULL;
}

static void part_condvar(void) {
    pthread_t a, b;
    check(pthread_create(&a, NULL, pong, (void *) 0L), "create");
    check(pthread_create(&b, NULL, pong, (void *) 1L), "create");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("condvar: sum=%ld turn=%d\n", pp_sum, turn);
}

/* ---- barrier: phases in which every thread writes its slot, then checks everyone's after the barrier */
#define BT 6
static pthread_barrier_t barrier;
static long slots[BT];
static long barrier_errors, barrier_serial;

static void *phases(void *arg) {
    int me = (int) (long) arg;
    long errors = 0, serial = 0;
    for (int p = 1; p <= 100; p++) {
        slots[me] = (long) p * (me + 1);
        if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) serial++;
        for (int j = 0; j < BT; j++)
            if (slots[j] != (long) p * (j + 1)) errors++;
        pthread_barrier_wait(&barrier);
    }
    __atomic_add_fetch(&barrier_errors, errors, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&barrier_serial, serial, __ATOMIC_SEQ_CST);
    return NULL;
}

static void part_barrier(void) {
    pthread_t t[BT];
    check(pthread_barrier_init(&barrier, NULL, BT), "barrier");
    for (long i = 0; i < BT; i++) check(pthread_create(&t[i], NULL, phases, (void *) i), "create");
    for (int i = 0; i < BT; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    printf("barrier: errors=%ld serial=%ld\n", barrier_errors, barrier_serial);
}

/* ---- rwlock: writers move a pair together, readers must never see it torn */
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long pair_a, pair_b, torn, reads;

static void *writer(void *arg) {
    (void) arg;
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_wrlock(&rw);
        pair_a++;
        sched_yield();
        pair_b++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *reader(void *arg) {
    (void) arg;
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_rdlock(&rw);
        if (pair_a != pair_b) __atomic_add_fetch(&torn, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&reads, 1, __ATOMIC_SEQ_CST);
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void part_rwlock(void) {
    pthread_t t[6];
    for (int i = 0; i < 6; i++) check(pthread_create(&t[i], NULL, i < 2 ? writer : reader, NULL), "create");
    for (int i = 0; i < 6; i++) pthread_join(t[i], NULL);
    printf("rwlock: a=%ld b=%ld torn=%ld reads=%ld\n", pair_a, pair_b, torn, reads);
}

/* ---- thread-local storage: each thread's copy starts from the initial image and stays its own */
static __thread long tls_value = 1000;
static __thread char tls_name[16] = "initial";

static void *tls_worker(void *arg) {
    long me = (long) arg;
    long before = tls_value;
    snprintf(tls_name, sizeof tls_name, "thread-%ld", me);
    for (int i = 0; i < 1000; i++) {
        tls_value += me;
        if (i % 100 == 0) sched_yield();
    }
    char expected[16];
    snprintf(expected, sizeof expected, "thread-%ld", me);
    long ok = before == 1000 && tls_value == 1000 + 1000 * me && strcmp(tls_name, expected) == 0;
    return (void *) ok;
}

static void part_tls(void) {
    pthread_t t[8];
    long ok = 0;
    for (long i = 0; i < 8; i++) check(pthread_create(&t[i], NULL, tls_worker, (void *) i), "create");
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok += (long) r;
    }
    printf("tls: threads-ok=%ld main=%ld %s\n", ok, tls_value, tls_name);
}

/* ---- join and detached threads */
static void *square(void *arg) {
    long v = (long) arg;
    return (void *) (v * v);
}

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int detached_done;
static long detached_sum;

static void *detached_worker(void *arg) {
    long v = (long) arg;
    pthread_mutex_lock(&done_lock);
    detached_sum += v * 3;
    detached_done++;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&done_lock);
    return NULL;
}

static void part_join(void) {
    pthread_t t[10];
    long sum = 0;
    for (long i = 0; i < 10; i++) check(pthread_create(&t[i], NULL, square, (void *) i), "create");
    for (int i = 0; i < 10; i++) {
        void *r;
        check(pthread_join(t[i], &r), "join");
        sum += (long) r;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (long i = 1; i <= 20; i++) {
        pthread_t d;
        check(pthread_create(&d, &attr, detached_worker, (void *) i), "create detached");
    }
    pthread_mutex_lock(&done_lock);
    while (detached_done < 20) pthread_cond_wait(&done_cond, &done_lock);
    pthread_mutex_unlock(&done_lock);
    printf("join: squares=%ld detached=%d sum=%ld\n", sum, detached_done, detached_sum);
}

/* ---- 100 threads: a deterministic computation split over them, combined in order */
static long hundred_rounds = 200;

static void *hundred_worker(void *arg) {
    uint64_t x = (uint64_t) (long) arg * 0x9E3779B97F4A7C15ULL + 1;
    for (long i = 0; i < hundred_rounds * 100; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return (void *) (uintptr_t) (x & 0xFFFFFFFF);
}

static void part_hundred(void) {
    pthread_t t[100];
    uint64_t combined = 0;
    for (long i = 0; i < 100; i++) check(pthread_create(&t[i], NULL, hundred_worker, (void *) i), "create");
    for (int i = 0; i < 100; i++) {
        void *r;
        check(pthread_join(t[i], &r), "join");
        combined = combined * 31 + (uintptr_t) r;
    }
    printf("hundred: threads=100 rounds=%ld combined=%016llx\n", hundred_rounds, (unsigned long long) combined);
}

/* ---- producer/consumer over a bounded buffer */
#define QN 8
static long queue[QN];
static int q_head, q_count;
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER, q_not_empty = PTHREAD_COND_INITIALIZER;
#define ITEMS 3000

static void *producer(void *arg) {
    long base = (long) arg * ITEMS;
    for (long i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&q_lock);
        while (q_count == QN) pthread_cond_wait(&q_not_full, &q_lock);
        queue[(q_head + q_count++) % QN] = base + i;
        pthread_cond_signal(&q_not_empty);
        pthread_mutex_unlock(&q_lock);
    }
    return NULL;
}

static void *consumer(void *arg) {
    (void) arg;
    long sum = 0, n = 0;
    for (;;) {
        pthread_mutex_lock(&q_lock);
        while (q_count == 0) pthread_cond_wait(&q_not_empty, &q_lock);
        long v = queue[q_head];
        q_head = (q_head + 1) % QN;
        q_count--;
        pthread_cond_signal(&q_not_full);
        pthread_mutex_unlock(&q_lock);
        if (v < 0) break;
        sum += v;
        n++;
    }
    return (void *) (sum * 8 + (n > 0));
}

static void part_prodcons(void) {
    pthread_t p[3], c[3];
    for (long i = 0; i < 3; i++) check(pthread_create(&c[i], NULL, consumer, NULL), "create");
    for (long i = 0; i < 3; i++) check(pthread_create(&p[i], NULL, producer, (void *) i), "create");
    for (int i = 0; i < 3; i++) pthread_join(p[i], NULL);
    for (int i = 0; i < 3; i++) {   /* one end marker per consumer */
        pthread_mutex_lock(&q_lock);
        while (q_count == QN) pthread_cond_wait(&q_not_full, &q_lock);
        queue[(q_head + q_count++) % QN] = -1;
        pthread_cond_signal(&q_not_empty);
        pthread_mutex_unlock(&q_lock);
    }
    long total = 0;
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(c[i], &r);
        total += (long) r / 8;
    }
    printf("prodcons: items=%d total=%ld\n", 3 * ITEMS, total);
}

/* ---- robust mutex: its owner ends holding it; the next locker learns EOWNERDEAD */
static pthread_mutex_t robust;

static void *die_holding(void *arg) {
    (void) arg;
    pthread_mutex_lock(&robust);
    return NULL;   /* ends without unlocking */
}

static void part_robust(void) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    check(pthread_mutex_init(&robust, &a), "robust init");
    pthread_t t;
    check(pthread_create(&t, NULL, die_holding, NULL), "create");
    pthread_join(t, NULL);
    int rc = pthread_mutex_lock(&robust);
    int consistent = rc == EOWNERDEAD ? pthread_mutex_consistent(&robust) : -1;
    pthread_mutex_unlock(&robust);
    int again = pthread_mutex_lock(&robust);
    pthread_mutex_unlock(&robust);
    printf("robust: first=%s consistent=%d again=%d\n", rc == EOWNERDEAD ? "EOWNERDEAD" : strerror(rc), consistent,
           again);
}

static const struct {
    const char *name;
    void (*run)(void);
} parts[] = {
    {"mutex", part_mutex}, {"condvar", part_condvar}, {"barrier", part_barrier}, {"rwlock", part_rwlock},
    {"tls", part_tls}, {"join", part_join}, {"hundred", part_hundred}, {"prodcons", part_prodcons},
    {"robust", part_robust},
};

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int n = sizeof parts / sizeof parts[0];
    if (argc == 1) {
        for (int i = 0; i < n; i++) parts[i].run();
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        int found = 0;
        for (int i = 0; i < n; i++) {
            if (strcmp(argv[a], parts[i].name) == 0) {
                if (strcmp(argv[a], "hundred") == 0 && a + 1 < argc && atol(argv[a + 1]) > 0) hundred_rounds = atol(argv[++a]);
                parts[i].run();
                found = 1;
            }
        }
        if (!found) {
            fprintf(stderr, "unknown part %s\n", argv[a]);
            return 2;
        }
    }
    return 0;
}
