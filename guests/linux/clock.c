/* Clocks and sleeping: every clock reads, monotonic does not go back, sleeps last at least what was asked. */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "check.h"

static long ns(struct timespec t) {
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void) {
    clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                          CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME};
    struct timespec t, r;
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "clock %d", clocks[i]);
        expect(what, clock_gettime(clocks[i], &t), 0);
        snprintf(what, sizeof what, "res %d", clocks[i]);
        expect(what, clock_getres(clocks[i], &r) == 0 && r.tv_sec == 0 && r.tv_nsec > 0, 1);
    }
    errno = 0;
    expect("bad clock", clock_gettime(99, &t) == -1 && errno == EINVAL, 1);
    clock_gettime(CLOCK_REALTIME, &t);
    expect("realtime is after 2024", t.tv_sec > 1704067200L, 1);
    struct timeval tv;
    expect("gettimeofday", gettimeofday(&tv, NULL), 0);
    expect("time agrees", time(NULL) - tv.tv_sec <= 1, 1);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec d = {0, 50 * 1000 * 1000};
    expect("nanosleep", nanosleep(&d, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    expect("slept 50 ms", ns(b) - ns(a) >= 50000000L, 1);
    struct timespec until = b;
    until.tv_nsec += 30 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    expect("clock_nanosleep absolute", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    expect("woke after the deadline", ns(a) >= ns(until), 1);
    struct timespec bad = {0, 1000000000L};
    expect("nanosleep bad nsec", nanosleep(&bad, NULL) == -1 && errno == EINVAL, 1);
    expect("clock_nanosleep bad clock", clock_nanosleep(99, 0, &d, NULL), EINVAL);
    return report("clock");
}
