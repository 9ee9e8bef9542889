/* CPU kernel K2 (byte loads and stores): sieve of Eratosthenes over 64 KiB, arg passes (0 means 20). */
#include "paravane.h"

#define SIEVE_N 65536
static u8 sieve[SIEVE_N];

int main(long passes) {
    if (passes <= 0) passes = 20;
    u64 started = pv_time();
    u64 primes = 0;
    for (long p = 0; p < passes; p++) {
        for (u64 i = 0; i < SIEVE_N; i++) sieve[i] = 1;
        for (u64 i = 2; i * i < SIEVE_N; i++) {
            if (!sieve[i]) continue;
            for (u64 j = i * i; j < SIEVE_N; j += i) sieve[j] = 0;
        }
        for (u64 i = 2; i < SIEVE_N; i++) primes += sieve[i];
    }
    u64 elapsed = pv_time() - started;
    pv_report("nanos", elapsed);
    pv_report("checksum", primes);
    printf("cpu_sieve: %ld passes, %lu primes (6542 per pass)\n", passes, primes);
    return 0;
}
