/* Prints 20 steps of a computation kept in TLS and SSE registers, sleeping between them: a VM can move meanwhile. */
#include <stdio.h>
#include <time.h>

static __thread double acc = 1.0;

int main(void) {
    for (int i = 0; i < 20; i++) {
        acc = acc * 1.5 + i;
        printf("%d %.3f\n", i, acc);
        fflush(stdout);
        struct timespec d = {0, 40 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
    return 0;
}
