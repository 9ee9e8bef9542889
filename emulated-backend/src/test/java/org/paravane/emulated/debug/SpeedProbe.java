package org.paravane.emulated.debug;

import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.Asm;
import org.paravane.emulated.testing.TestVm;

class SpeedProbe {
    @Test
    void speed() {
        long[] iters = {0, 8_000_000, 100, 22, 200};
        long[] insns = {0, 104_000_000, 85_853_600, 111_869_318, 104_858_400};
        for (int k = 1; k <= 4; k++) {
            try (TestVm t = new TestVm()) {
                byte[] code = Asm.assembleFile("/guest/kernels.S", TestVm.CODE, "KERNEL=" + k, "ITERS=" + iters[k],
                        "ld:sieve_buf=0x600000", "ld:crc_table=0x610000");
                t.load(TestVm.CODE, code);
                for (int rep = 0; rep < 3; rep++) {
                    Vcpu v = t.start(0, 3, TestVm.CODE);
                    long t0 = System.nanoTime();
                    long r = t.runToResult(v);
                    long dt = System.nanoTime() - t0;
                    System.out.printf("K%d rep %d: %.3f s, %.1f MIPS (%x)%n", k, rep, dt / 1e9, insns[k] / (dt / 1e3), r);
                }
            }
        }
    }
}
