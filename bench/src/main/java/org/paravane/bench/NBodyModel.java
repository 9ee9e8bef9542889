package org.paravane.bench;

/**
 * guests/src/cpu_nbody.c in Java, operation for operation in the same order: Java's double arithmetic and
 * {@link Math#sqrt} round as SSE2's do, so the checksum is the one the guest must report, bit for bit.
 */
final class NBodyModel {
    private static final double PI = 3.141592653589793, SOLAR_MASS = 4 * PI * PI, DAYS_PER_YEAR = 365.24;
    private static final int X = 0, Y = 1, Z = 2, VX = 3, VY = 4, VZ = 5, MASS = 6;

    private NBodyModel() {
    }

    private static double[][] initial() {
        return new double[][] {
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
    }

    /** The guest's "checksum" report after {@code steps} steps: the final energy's bits mixed with the positions'. */
    static long checksum(long steps) {
        double[][] b = simulate(steps);
        long positions = 0;
        for (double[] body : b) {
            positions = Long.rotateLeft(positions, 7) ^ Double.doubleToRawLongBits(body[X] + body[Y] + body[Z]);
        }
        return Double.doubleToRawLongBits(energy(b)) ^ positions;
    }

    /** The bodies after {@code steps} steps of 0.01 days, from the initial state with the Sun's momentum offset. */
    static double[][] simulate(long steps) {
        double[][] b = initial();
        double px = 0, py = 0, pz = 0;
        for (double[] body : b) {
            px += body[VX] * body[MASS];
            py += body[VY] * body[MASS];
            pz += body[VZ] * body[MASS];
        }
        b[0][VX] = -px / SOLAR_MASS;
        b[0][VY] = -py / SOLAR_MASS;
        b[0][VZ] = -pz / SOLAR_MASS;
        for (long s = 0; s < steps; s++) {
            advance(b, 0.01);
        }
        return b;
    }

    static double energy(double[][] b) {
        double e = 0;
        for (int i = 0; i < b.length; i++) {
            e += 0.5 * b[i][MASS] * (b[i][VX] * b[i][VX] + b[i][VY] * b[i][VY] + b[i][VZ] * b[i][VZ]);
            for (int j = i + 1; j < b.length; j++) {
                double dx = b[i][X] - b[j][X], dy = b[i][Y] - b[j][Y], dz = b[i][Z] - b[j][Z];
                e -= b[i][MASS] * b[j][MASS] / Math.sqrt(dx * dx + dy * dy + dz * dz);
            }
        }
        return e;
    }

    private static void advance(double[][] b, double dt) {
        for (int i = 0; i < b.length; i++) {
            for (int j = i + 1; j < b.length; j++) {
                double dx = b[i][X] - b[j][X], dy = b[i][Y] - b[j][Y], dz = b[i][Z] - b[j][Z];
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * Math.sqrt(d2));
                b[i][VX] -= dx * b[j][MASS] * mag;
                b[i][VY] -= dy * b[j][MASS] * mag;
                b[i][VZ] -= dz * b[j][MASS] * mag;
                b[j][VX] += dx * b[i][MASS] * mag;
                b[j][VY] += dy * b[i][MASS] * mag;
                b[j][VZ] += dz * b[i][MASS] * mag;
            }
        }
        for (double[] body : b) {
            body[X] += dt * body[VX];
            body[Y] += dt * body[VY];
            body[Z] += dt * body[VZ];
        }
    }
}
