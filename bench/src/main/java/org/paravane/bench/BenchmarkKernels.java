package org.paravane.bench;

/** The iteration counts the bench build assembles the kernels with, and their checksums (computed here in Java). */
final class BenchmarkKernels {
    private BenchmarkKernels() {
    }

    /** A tenth of the reference counts of emulation.md (K1 80 M, K2 1000, K3 220, K4 2000). */
    static long iterations(int kernel) {
        return switch (kernel) {
            case 1 -> 8_000_000;
            case 2 -> 100;
            case 3 -> 22;
            default -> 200;
        };
    }

    static long checksum(int kernel) {
        long iters = iterations(kernel);
        return switch (kernel) {
            case 1 -> {
                long rax = 0x9E3779B97F4A7C15L, rbx = 0;
                for (long i = 0; i < iters; i++) {
                    rax ^= rax << 13;
                    rax ^= rax >>> 7;
                    rax ^= rax << 17;
                    rbx = Long.rotateLeft(rbx + rax, 5);
                }
                yield rax + rbx;
            }
            case 2 -> 6542L * iters;
            case 3 -> 196418L * iters;
            default -> {
                int[] table = new int[256];
                for (int i = 0; i < 256; i++) {
                    int v = i;
                    for (int k = 0; k < 8; k++) {
                        v = (v & 1) != 0 ? (v >>> 1) ^ 0xEDB88320 : v >>> 1;
                    }
                    table[i] = v;
                }
                int crc = 0xFFFFFFFF;
                for (long p = 0; p < iters; p++) {
                    for (int i = 0; i < 65536; i++) {
                        crc = (crc >>> 8) ^ table[(crc ^ ((i * 0x45d9f3b) >>> 11)) & 0xFF];
                    }
                }
                yield ~crc & 0xFFFF_FFFFL;
            }
        };
    }
}
