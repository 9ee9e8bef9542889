/* Control flow gcc emits: jump tables, indirect calls, recursion, tail calls, computed goto, struct copies,
   string functions, variable-length loops with early exits. */
#include <stdint.h>
#include <stddef.h>

struct point { int64_t x, y, z; char tag[40]; };

__attribute__((noinline)) static struct point mirror(struct point p) {
    struct point q = p;
    q.x = -p.y; q.y = -p.x; q.tag[0] ^= 0x20;
    return q;
}

__attribute__((noinline)) static int classify(int c) {
    switch (c) {
        case 0: return 17; case 1: return 3; case 2: return 99; case 3: return -4; case 4: return 12;
        case 5: return 7; case 6: return 1000; case 7: return 8; case 8: return -77; case 9: return 5;
        case 10: return 31; case 11: return 2; case 13: return 64; case 17: return 42; default: return c * 3;
    }
}

static uint64_t ack(uint64_t m, uint64_t n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

typedef uint64_t (*op)(uint64_t, uint64_t);
static uint64_t add(uint64_t a, uint64_t b) { return a + b; }
static uint64_t mul(uint64_t a, uint64_t b) { return a * b + 1; }
static uint64_t xr(uint64_t a, uint64_t b) { return a ^ (b << 3); }
static uint64_t sb(uint64_t a, uint64_t b) { return a - b * 5; }
static const op ops[4] = {add, mul, xr, sb};

__attribute__((noinline)) static uint64_t interp(const unsigned char *code, size_t n) {
    static void *table[] = {&&inc, &&dbl, &&neg, &&rot, &&end};
    uint64_t acc = 1;
    size_t pc = 0;
#define NEXT() do { if (pc >= n) goto end; goto *table[code[pc++] % 5]; } while (0)
    NEXT();
inc: acc += 3; NEXT();
dbl: acc *= 2; NEXT();
neg: acc = ~acc; NEXT();
rot: acc = acc << 7 | acc >> 57; NEXT();
end: return acc;
}

static size_t my_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

__attribute__((noinline)) static uint64_t strings(char *buf, size_t n) {
    for (size_t i = 0; i < n - 1; i++) buf[i] = (char) ('a' + (i * 7) % 26);
    buf[n - 1] = 0;
    char copy[512];
    __builtin_memcpy(copy, buf, n);
    __builtin_memset(buf, 'z', n / 2);
    uint64_t h = my_strlen(copy) + (uint64_t) __builtin_memcmp(copy, buf, n);
    for (size_t i = 0; i < n; i++) h = h * 131 + (unsigned char) copy[i] + (unsigned char) buf[i];
    return h;
}

uint64_t test_main(void) {
    uint64_t h = ack(2, 300) + ack(3, 5);
    struct point p = {1, -2, 3, "hello structure copy"};
    for (int i = 0; i < 1000; i++) {
        p = mirror(p);
        p.z += classify(i % 20);
        h = h * 7 + (uint64_t) p.x + (uint64_t) p.y + (uint64_t) p.z + (unsigned char) p.tag[0];
        h = ops[i & 3](h, (uint64_t) i);
    }
    unsigned char prog[300];
    for (int i = 0; i < 300; i++) prog[i] = (unsigned char) (i * 37 + 11);
    h += interp(prog, 300);
    char buf[400];
    h += strings(buf, sizeof buf);
    return h;
}
