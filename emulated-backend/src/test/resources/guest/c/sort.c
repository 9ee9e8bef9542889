/* Sorting and searching: recursion, pointer arithmetic, swaps, signed/unsigned compares. */
#include <stdint.h>

static uint64_t state = 88172645463325252ULL;
static uint64_t rnd(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }

static void quick(int64_t *a, long lo, long hi) {
    while (lo < hi) {
        int64_t p = a[(lo + hi) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { int64_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quick(a, lo, j); lo = i; } else { quick(a, i, hi); hi = j; }
    }
}

static void sift(uint32_t *a, long n, long i) {
    for (;;) {
        long m = i, l = 2 * i + 1, r = l + 1;
        if (l < n && a[l] > a[m]) m = l;
        if (r < n && a[r] > a[m]) m = r;
        if (m == i) return;
        uint32_t t = a[i]; a[i] = a[m]; a[m] = t; i = m;
    }
}

static void heap(uint32_t *a, long n) {
    for (long i = n / 2 - 1; i >= 0; i--) sift(a, n, i);
    for (long k = n - 1; k > 0; k--) { uint32_t t = a[0]; a[0] = a[k]; a[k] = t; sift(a, k, 0); }
}

static short shorts[3000];

static void insertion(short *a, int n) {
    for (int i = 1; i < n; i++) {
        short v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static int64_t big[20000];
static uint32_t words[20000];

uint64_t test_main(void) {
    uint64_t h = 0;
    for (int i = 0; i < 20000; i++) { big[i] = (int64_t) rnd(); words[i] = (uint32_t) rnd(); }
    for (int i = 0; i < 3000; i++) shorts[i] = (short) rnd();
    quick(big, 0, 19999);
    heap(words, 20000);
    insertion(shorts, 3000);
    for (int i = 1; i < 20000; i++) {
        if (big[i - 1] > big[i] || words[i - 1] > words[i]) return 0xBAD;
        h = h * 31 + (uint64_t) big[i] + words[i];
    }
    for (int i = 1; i < 3000; i++) { if (shorts[i - 1] > shorts[i]) return 0xBAD2; h ^= (uint64_t) (long) shorts[i] << (i & 31); }
    /* binary search */
    long found = 0;
    for (int k = 0; k < 5000; k++) {
        int64_t key = big[(k * 7919) % 20000];
        long lo = 0, hi = 19999;
        while (lo <= hi) { long mid = lo + (hi - lo) / 2; if (big[mid] < key) lo = mid + 1; else if (big[mid] > key) hi = mid - 1; else { found++; break; } }
    }
    return h + found;
}
