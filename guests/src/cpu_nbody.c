/*
 * CPU kernel K5 (double-precision floating point, SSE2): the n-body simulation of the Jovian planets (the Computer
 * Language Benchmarks Game's model), arg steps of 0.01 days (0 means 200000). Prints the energy before and after with
 * its exact bits and a decimal rendering done in integer code (128-bit arithmetic, so libgcc's division is used), so
 * the output is byte-identical wherever the same IEEE arithmetic ran: natively (guests/native), on KVM, emulated.
 */
#include "paravane.h"

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define BODIES 5

typedef unsigned __int128 u128;

struct body {
    double x, y, z, vx, vy, vz, mass;
};

/* The start state; each run works on its own copy, so a loaded image can run again (the JMH benchmark does). */
static const struct body initial[BODIES] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS_PER_YEAR,
     7.69901118419740425e-03 * DAYS_PER_YEAR, -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * DAYS_PER_YEAR,
     4.99852801234917238e-03 * DAYS_PER_YEAR, 2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS_PER_YEAR,
     2.37847173959480950e-03 * DAYS_PER_YEAR, -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * DAYS_PER_YEAR,
     1.62824170038242295e-03 * DAYS_PER_YEAR, -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
};

static struct body bodies[BODIES];

/* SQRTSD itself: no libm in a freestanding guest, and no errno path for negative inputs. */
static inline double square_root(double v) {
    double r;
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(v));
    return r;
}

static void offset_momentum(void) {
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < BODIES; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static double energy(void) {
    double e = 0;
    for (int i = 0; i < BODIES; i++) {
        struct body *b = &bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < BODIES; j++) {
            double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
            e -= b->mass * bodies[j].mass / square_root(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(double dt) {
    for (int i = 0; i < BODIES; i++) {
        struct body *b = &bodies[i];
        for (int j = i + 1; j < BODIES; j++) {
            struct body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * square_root(d2));
            b->vx -= dx * c->mass * mag;
            b->vy -= dy * c->mass * mag;
            b->vz -= dz * c->mass * mag;
            c->vx += dx * b->mass * mag;
            c->vy += dy * b->mass * mag;
            c->vz += dz * b->mass * mag;
        }
    }
    for (int i = 0; i < BODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static u64 bits_of(double v) {
    u64 bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

/*
 * |v| rounded (half up, on its exact binary value) to `frac` decimal places, written with integer arithmetic only:
 * v = mantissa * 2^exponent, scaled by 10^frac in 128 bits. For magnitudes below 2^40 and frac <= 9.
 */
static char *decimal(char *out, double v, int frac) {
    u64 bits = bits_of(v);
    int exponent = (int)(bits >> 52 & 0x7FF);
    u64 mantissa = bits & ((1UL << 52) - 1);
    char *p = out;
    if (exponent == 0x7FF || frac > 9 || exponent > 1075 + 40) {
        memcpy(out, "(not rendered)", 15);
        return out;
    }
    if (bits >> 63) *p++ = '-';
    if (exponent) mantissa |= 1UL << 52;
    else exponent = 1;
    int shift = exponent - 1075;   /* v = mantissa * 2^shift */
    u128 scale = 1;
    for (int i = 0; i < frac; i++) scale *= 10;
    u128 x = (u128)mantissa * scale;
    if (shift >= 0) {
        x <<= shift;
    } else if (-shift >= 127) {
        x = 0;
    } else {
        u128 rest = x & (((u128)1 << -shift) - 1);
        x >>= -shift;
        if (rest >= (u128)1 << (-shift - 1)) x++;
    }
    u128 whole = x / scale, part = x % scale;
    char digits[48];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(whole % 10));
        whole /= 10;
    } while (whole);
    while (n) *p++ = digits[--n];
    if (frac) {
        *p++ = '.';
        for (int i = frac - 1; i >= 0; i--) {
            p[i] = (char)('0' + (int)(part % 10));
            part /= 10;
        }
        p += frac;
    }
    *p = 0;
    return out;
}

int main(long steps) {
    if (steps <= 0) steps = 200000;
    char text[64];
    u64 started = pv_time();
    memcpy(bodies, initial, sizeof bodies);
    offset_momentum();
    double before = energy();
    for (long s = 0; s < steps; s++) advance(0.01);
    double after = energy();
    u64 elapsed = pv_time() - started;
    u64 positions = 0;
    for (int i = 0; i < BODIES; i++) positions = (positions << 7 | positions >> 57) ^ bits_of(bodies[i].x + bodies[i].y + bodies[i].z);
    pv_report("nanos", elapsed);
    pv_report("checksum", bits_of(after) ^ positions);
    printf("cpu_nbody: %d bodies, %ld steps of 0.01 days\n", BODIES, steps);
    printf("energy before %s (bits %016lx)\n", decimal(text, before, 9), bits_of(before));
    printf("energy after  %s (bits %016lx)\n", decimal(text, after, 9), bits_of(after));
    printf("positions %016lx\n", positions);
    return 0;
}
