/* CPU kernel K3 (call/ret heavy): naive recursive fib(27), arg times (0 means 2). */
#include "paravane.h"

__attribute__((noinline)) static u64 fib(u64 n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(long times) {
    if (times <= 0) times = 2;
    u64 started = pv_time();
    u64 sum = 0;
    for (long t = 0; t < times; t++) {
        __asm__ volatile("" ::: "memory");   /* keep each call: no hoisting of the pure fib */
        sum += fib(27);
    }
    u64 elapsed = pv_time() - started;
    pv_report("nanos", elapsed);
    pv_report("checksum", sum);
    printf("cpu_fib: %ld x fib(27) = %lu (196418 each)\n", times, sum);
    return 0;
}
