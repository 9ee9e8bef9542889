package org.paravane.emulated.testing;

import org.paravane.testkit.Asm;

/** The benchmark kernels of {@code /guest/kernels.S}: built at {@link TestVm#CODE}, and their checksums in Java. */
public final class Kernels {
    private Kernels() {
    }

    /** K1..K4 with {@code iters} outer iterations, linked at {@link TestVm#CODE}. */
    public static byte[] build(int kernel, long iters) {
        return Asm.assembleFile("/guest/kernels.S", TestVm.CODE, "KERNEL=" + kernel, "ITERS=" + iters,
                "ld:sieve_buf=0x600000", "ld:crc_table=0x610000");
    }

    /** The checksum kernel {@code kernel} returns after {@code iters} iterations. */
    public static long expected(int kernel, long iters) {
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

}
