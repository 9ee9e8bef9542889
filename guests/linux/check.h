/*
 * The reporter of the self-checking Linux test programs: one line per check ("ok <what>" or "FAIL <what>: ..."),
 * then "<name>: ok" or "<name>: <n> failures" from report(). The Java tests look for these lines, and a native run
 * of the same program prints the same.
 */
#ifndef PARAVANE_LINUX_CHECK_H
#define PARAVANE_LINUX_CHECK_H

#include <errno.h>
#include <stdio.h>

static int failures;

static inline void expect(const char *what, long got, long want) {
    if (got != want) {
        printf("FAIL %s: got %ld, want %ld (errno %d)\n", what, got, want, errno);
        failures++;
    } else {
        printf("ok %s\n", what);
    }
}

/* A call that must fail (rc -1) with errno err. */
static inline void expect_errno(const char *what, long rc, int err) {
    int e = errno;
    if (rc != -1 || e != err) {
        printf("FAIL %s: rc %ld errno %d, want errno %d\n", what, rc, e, err);
        failures++;
    } else {
        printf("ok %s\n", what);
    }
}

/* Prints the summary line and answers the number of failures. */
static inline int report(const char *name) {
    if (failures) {
        printf("%s: %d failures\n", name, failures);
    } else {
        printf("%s: ok\n", name);
    }
    return failures;
}

#endif
