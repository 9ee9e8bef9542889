/* Integer arithmetic of every width: division by constants and variables, 128-bit products and quotients,
   shifts and rotates, bit scans and counts, overflow checks, narrow types (movsx/movzx, partial registers). */
#include <stdint.h>

static uint64_t s = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) { s += 0x9E3779B97F4A7C15ULL; uint64_t z = s; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL; z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL; return z ^ (z >> 31); }

__attribute__((noinline)) static uint64_t divs(uint64_t a, uint64_t b, int64_t c, int64_t d) {
    uint64_t r = 0;
    if (b) r += a / b + a % b;
    if (d && !(c == INT64_MIN && d == -1)) r += (uint64_t) (c / d) + (uint64_t) (c % d);
    r += a / 10 + a % 7 + (uint64_t) (c / 3) + (uint64_t) (c % 1000) + (uint32_t) a / 13u + (uint16_t) b / (uint16_t) 5;
    return r;
}

__attribute__((noinline)) static uint64_t wide(uint64_t a, uint64_t b) {
    unsigned __int128 p = (unsigned __int128) a * b;
    __int128 q = (__int128) (int64_t) a * (int64_t) b;
    uint64_t r = (uint64_t) (p >> 64) ^ (uint64_t) p ^ (uint64_t) (q >> 64);
    if (b) r += (uint64_t) (p / b) + (uint64_t) ((p + a) % (b | 1));
    if (b >> 1) { unsigned __int128 n = ((unsigned __int128) a << 64) | b; r += (uint64_t) (n / (b >> 1)); }
    return r;
}

__attribute__((noinline)) static uint64_t bits(uint64_t a, uint32_t b) {
    uint64_t r = 0;
    if (a) r += (uint64_t) __builtin_ctzll(a) + (uint64_t) __builtin_clzll(a);
    if (b) r += (uint64_t) __builtin_ctz(b) * 3 + (uint64_t) __builtin_clz(b);
    r += (uint64_t) __builtin_popcountll(a) + (uint64_t) __builtin_parityll(a) + __builtin_bswap64(a) + __builtin_bswap32(b);
    r += (a << (b & 63)) ^ (a >> (b & 31)) ^ (uint64_t) ((int64_t) a >> (b & 15));
    r += (a << 13 | a >> 51) + (uint32_t) (b << 7 | b >> 25);
    return r;
}

__attribute__((noinline)) static uint64_t narrow(int8_t c, uint8_t u, int16_t h, uint16_t w, int32_t i) {
    int8_t c2 = (int8_t) (c * 3 + u);
    int16_t h2 = (int16_t) (h * c - w);
    uint16_t w2 = (uint16_t) (w >> 3 | u << 9);
    int32_t i2 = i / (c | 1) + h2 * w2;
    return (uint64_t) (int64_t) c2 + (uint64_t) (int64_t) h2 + w2 + (uint64_t) (int64_t) i2 + (uint8_t) (u + c);
}

__attribute__((noinline)) static uint64_t overflow(int64_t a, int64_t b, uint32_t x, uint32_t y) {
    int64_t r1; uint32_t r2; int32_t r3;
    uint64_t r = 0;
    r += __builtin_add_overflow(a, b, &r1) ? 1 : (uint64_t) r1;
    r += __builtin_mul_overflow(a, b, &r1) ? 2 : (uint64_t) r1;
    r += __builtin_sub_overflow(x, y, &r2) ? 3 : r2;
    r += __builtin_mul_overflow((int32_t) x, (int32_t) y, &r3) ? 4 : (uint64_t) (int64_t) r3;
    r += (a < b) + (x < y) * 2 + ((int32_t) x < (int32_t) y) * 4 + (a == b) * 8;
    return r;
}

uint64_t test_main(void) {
    uint64_t h = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t a = rnd(), b = rnd();
        if ((i & 7) == 0) b &= 0xFF;
        if ((i & 15) == 1) a = (uint64_t) INT64_MIN;
        h = h * 0x100000001B3ULL ^ divs(a, b, (int64_t) a, (int64_t) b >> (i & 63));
        h = h * 0x100000001B3ULL ^ wide(a, b);
        h = h * 0x100000001B3ULL ^ bits(a, (uint32_t) b);
        h = h * 0x100000001B3ULL ^ narrow((int8_t) a, (uint8_t) b, (int16_t) (a >> 8), (uint16_t) (b >> 16), (int32_t) (a >> 32));
        h = h * 0x100000001B3ULL ^ overflow((int64_t) a >> (i & 7), (int64_t) b >> (i & 31), (uint32_t) a, (uint32_t) b);
    }
    return h;
}
