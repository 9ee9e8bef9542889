/* CPU kernel K1 (register-only ALU): xorshift64 plus rotate-accumulate, arg iterations (0 means 10^7). */
#include "paravane.h"

int main(long iterations) {
    if (iterations <= 0) iterations = 10000000;
    u64 started = pv_time();
    u64 x = 0x9E3779B97F4A7C15UL, acc = 0;
    for (long i = 0; i < iterations; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x;
        acc = (acc << 5) | (acc >> 59);
    }
    u64 elapsed = pv_time() - started;
    pv_report("nanos", elapsed);
    pv_report("checksum", x + acc);
    printf("cpu_alu: %ld iterations, checksum %016lx\n", iterations, x + acc);
    return 0;
}
