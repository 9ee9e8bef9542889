/* Floating point as compilers emit it for SSE2: an n-body step, a matrix product, square roots, divisions,
 * float/double/integer conversions, and the same sums under each MXCSR rounding mode; the result hashes the bits. */
#include <stdint.h>

static uint64_t h = 1469598103934665603ULL;
static void mix(uint64_t v) { h = (h ^ v) * 1099511628211ULL; }
static void mixd(double d) { union { double d; uint64_t u; } x = {d}; mix(x.u); }
static void mixf(float f) { union { float f; uint32_t u; } x = {f}; mix(x.u); }

static void set_rounding(unsigned mode) {
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    m = (m & ~0x6000u) | (mode << 13);
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

/* No libm here: SQRTSD directly (gcc's __builtin_sqrt calls sqrt() for errno). */
static double root(double x) { double r; __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x)); return r; }

static double px[5], py[5], pz[5], vx[5], vy[5], vz[5], mass[5];

static void nbody(int steps) {
    for (int i = 0; i < 5; i++) {
        px[i] = i * 1.1 - 2.0; py[i] = i * i * 0.3; pz[i] = 1.0 / (i + 1);
        vx[i] = 0.01 * i; vy[i] = -0.02 * i; vz[i] = 0.003; mass[i] = 1.0 + i / 3.0;
    }
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < 5; i++) {
            for (int j = i + 1; j < 5; j++) {
                double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = 0.01 / (d2 * root(d2));
                vx[i] -= dx * mass[j] * mag; vy[i] -= dy * mass[j] * mag; vz[i] -= dz * mass[j] * mag;
                vx[j] += dx * mass[i] * mag; vy[j] += dy * mass[i] * mag; vz[j] += dz * mass[i] * mag;
            }
        }
        for (int i = 0; i < 5; i++) {
            px[i] += 0.01 * vx[i]; py[i] += 0.01 * vy[i]; pz[i] += 0.01 * vz[i];
        }
    }
    for (int i = 0; i < 5; i++) {
        mixd(px[i]); mixd(vy[i]);
    }
}

static float a[24][24], b[24][24], c[24][24];

static void matrix(void) {
    for (int i = 0; i < 24; i++)
        for (int j = 0; j < 24; j++) {
            a[i][j] = (float) (i - j) / 7.0f;
            b[i][j] = (float) (i * j % 11) * 0.37f;
        }
    for (int i = 0; i < 24; i++)
        for (int j = 0; j < 24; j++) {
            float s = 0;
            for (int k = 0; k < 24; k++) s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
    for (int i = 0; i < 24; i++) mixf(c[i][(i * 5) % 24]);
}

static void conversions(void) {
    static const double v[] = {0.5, 1.5, 2.5, -0.5, -2.5, 1e10, -1e19, 3.999999, 1e-310, -0.0, 123456789.987654321};
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
        mix((uint64_t) (int64_t) v[i]);
        mix((uint32_t) (int32_t) (v[i] / 1e3));
        mixf((float) v[i]);
        mixd((double) (float) v[i]);
        mixd((double) (int64_t) (v[i] * 3));
        mixf((float) (int64_t) (v[i] * 7));
        mixd(v[i] * v[i] / 3.0);
    }
}

static volatile double third = 1.0 / 3.0, tenth = 0.1;

static void rounding(void) {
    for (unsigned mode = 0; mode < 4; mode++) {
        set_rounding(mode);
        double s = 0;
        for (int i = 1; i < 200; i++) s += third * i - tenth / i;
        mixd(s);
        mixd(root(third * 7));
        mixf((float) (tenth * 3));
        int64_t rounded;
        __asm__("cvtsd2si %1, %0" : "=r"(rounded) : "x"(s));   /* rounds by MXCSR */
        mix((uint64_t) rounded);
    }
    set_rounding(0);
}

unsigned long long test_main(void) {
    nbody(300);
    matrix();
    conversions();
    rounding();
    return h;
}
