package org.paravane.emulated.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.Asm;
import org.paravane.emulated.testing.TestVm;

/** The four benchmark kernels at CPL 3 with few iterations, against checksums computed in Java. */
class KernelsTest {

    static final int ITERS = 20;

    static long expected(int kernel, long iters) {
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
                byte[] buf = new byte[65536];
                for (int i = 0; i < buf.length; i++) {
                    buf[i] = (byte) ((i * 0x45d9f3b) >>> 11);
                }
                int crc = 0xFFFFFFFF;
                for (long p = 0; p < iters; p++) {
                    for (byte b : buf) {
                        crc = (crc >>> 8) ^ table[(crc ^ b) & 0xFF];
                    }
                }
                yield ~crc & 0xFFFF_FFFFL;
            }
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void kernelComputesItsChecksum(int kernel) {
        try (TestVm t = new TestVm()) {
            byte[] code = Asm.assembleFile("/guest/kernels.S", TestVm.CODE, "KERNEL=" + kernel, "ITERS=" + ITERS,
                    "ld:sieve_buf=0x600000", "ld:crc_table=0x610000");
            t.load(TestVm.CODE, code);
            Vcpu v = t.start(0, 3, TestVm.CODE);
            assertThat(t.runToResult(v)).as("K%d checksum", kernel).isEqualTo(expected(kernel, ITERS));
        }
    }
}
