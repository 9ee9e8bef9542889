/*
 * A CPU-bound neighbour: computes in rounds until /tmp/lazyread.done appears (or argv[1] rounds when given), then
 * prints how many rounds it did and the result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long limit = argc > 1 ? atol(argv[1]) : -1;
    uint64_t x = 1;
    long rounds = 0;
    while (limit < 0 ? access("/tmp/lazyread.done", F_OK) != 0 : rounds < limit) {
        for (int i = 0; i < 100000; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        }
        rounds++;
    }
    printf("rounds %ld x %016llx\n", rounds, (unsigned long long) x);
    return 0;
}
