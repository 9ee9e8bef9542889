package org.paravane.bench;

import org.paravane.emulated.testing.Kernels;

/** The iteration counts the bench build assembles the kernels with, and the checksums they must return. */
final class BenchmarkKernels {
    private BenchmarkKernels() {
    }

    /**
     * A tenth of the kernels' reference counts (K1 80 M, K2 1000, K3 220, K4 2000); as in bench/pom.xml. K5, the n-body
     * guest in C (guests/src/cpu_nbody.c), takes its step count in RDI.
     */
    static long iterations(int kernel) {
        return switch (kernel) {
            case 1 -> 8_000_000;
            case 2 -> 100;
            case 3 -> 22;
            case 5 -> 2_000;
            default -> 200;
        };
    }

    /** The Java model of the kernels the emulated backend's tests check them against; K5's is {@link NBodyModel}. */
    static long checksum(int kernel) {
        return kernel == 5 ? NBodyModel.checksum(iterations(kernel)) : Kernels.expected(kernel, iterations(kernel));
    }
}
