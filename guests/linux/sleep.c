/* Sleeps argv[1] milliseconds (default 500) with nanosleep, then says so: the task must leave its vCPU meanwhile. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 500;
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    int rc = nanosleep(&d, NULL);
    printf("slept %ld ms: %d\n", ms, rc);
    return rc;
}
