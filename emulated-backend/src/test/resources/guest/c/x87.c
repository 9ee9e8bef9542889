/* x87 as compilers emit it for long double: series and recurrences in 80-bit precision, square roots (FSQRT),
 * conversions between long double and every integer and floating-point width (FILD/FISTP/FISTTP, FLD/FSTP m32/m64,
 * the unsigned 64-bit forms with their compares and FCMOV), each x87 rounding control and precision control, and a
 * remainder (FPREM); the result hashes the bits. */
#include <stdint.h>

static uint64_t h = 1469598103934665603ULL;
static void mix(uint64_t v) { h = (h ^ v) * 1099511628211ULL; }
static void mixl(long double d) {
    union { long double d; struct { uint64_t m; uint16_t se; } p; } x;
    x.d = d;
    mix(x.p.m);
    mix(x.p.se);
}

static void set_control(unsigned rc, unsigned pc) {
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    cw = (unsigned short) ((cw & ~0x0F00u) | (rc << 10) | (pc << 8));
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

static long double root(long double x) { __asm__("fsqrt" : "+t"(x)); return x; }
static long double rem(long double x, long double y) {
    long double r;
    __asm__("1: fprem\n fnstsw %%ax\n test $0x400, %%ax\n jnz 1b" : "=t"(r) : "0"(x), "u"(y) : "ax");
    return r;
}

static volatile long double third = 1.0L / 3.0L, tenth = 0.1L;

static void series(void) {
    long double s = 0, p = 1, e = 1;
    for (int i = 1; i < 4000; i++) {
        s += third * i - tenth / i;
        p *= 1.0L + 1.0L / (i * i);
        e += 1.0L / (p * i);
    }
    mixl(s); mixl(p); mixl(e);
    long double x = 2;
    for (int i = 0; i < 30; i++) x = (x + 2 / x) / 2;     /* Newton for sqrt(2) */
    mixl(x); mixl(root(2.0L)); mixl(root(third));
    mixl(rem(1e30L, 3.0L)); mixl(rem(-7.5L, 2.0L));
}

static void conversions(void) {
    static const long double v[] = {0.5L, 1.5L, 2.5L, -0.5L, -2.5L, 1e10L, -1e19L, 3.999999L, 1e-310L, -0.0L,
            123456789.987654321L, 18446744073709551615.0L, 9.3e18L, 1e-4940L, 1e4000L};
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
        mix((uint64_t) (int64_t) (v[i] / 1e3L));
        mix((uint32_t) (int32_t) (v[i] / 1e9L));
        mix((uint64_t) (v[i] > 0 && v[i] < 1.8e19L ? v[i] : 7.0L));
        union { float f; uint32_t u; } f = {(float) v[i]};
        union { double d; uint64_t u; } d = {(double) v[i]};
        mix(f.u); mix(d.u);
        mixl((long double) (uint64_t) (i * 0x1234567890ABCDEFULL));
        mixl((long double) (int64_t) -(int64_t) (i * 0x0123456789ABCDEFULL));
        mixl(v[i] * v[i] / 3.0L);
        mixl((long double) d.d + (long double) f.f);
    }
}

static void controls(void) {
    for (unsigned rc = 0; rc < 4; rc++) {
        for (unsigned pc = 0; pc < 4; pc += 2) {
            set_control(rc, pc == 0 ? 0 : pc == 2 ? 2 : 3);
            long double s = 0;
            for (int i = 1; i < 1000; i++) s += third * i - tenth / i;
            mixl(s);
            mixl(root(third * 7));
            long long r;
            __asm__("fistpll %0" : "=m"(r) : "t"(s * 1000) : "st");
            mix((uint64_t) r);
        }
    }
    set_control(0, 3);
}

unsigned long long test_main(void) {
    series();
    conversions();
    controls();
    return h;
}
