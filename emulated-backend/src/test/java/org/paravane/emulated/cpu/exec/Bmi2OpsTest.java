package org.paravane.emulated.cpu.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** PDEP and PEXT against the SDM's examples and each other; the instructions themselves are in the difftest. */
class Bmi2OpsTest {

    @Test
    void depositAndExtractFollowTheSdmExamples() {
        // SDM vol. 2, PDEP/PEXT figures: source bits S0.. placed at / gathered from the mask's set bits.
        assertThat(Bmi2Ops.deposit(0b1011, 0xF0F0)).isEqualTo(0xB0);
        assertThat(Bmi2Ops.deposit(0xFFFF_FFFF_FFFF_FFFFL, 0x8000_0000_0000_0001L)).isEqualTo(0x8000_0000_0000_0001L);
        assertThat(Bmi2Ops.extract(0x12345678L, 0xFF00)).isEqualTo(0x56);
        assertThat(Bmi2Ops.extract(-1L, 0)).isZero();
        assertThat(Bmi2Ops.extract(0x8000_0000_0000_0000L, 0x8000_0000_0000_0000L)).isEqualTo(1);
    }

    @Test
    void extractUndoesDeposit() {
        Random r = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            long x = r.nextLong(), mask = r.nextLong() & r.nextLong();
            int n = Long.bitCount(mask);
            long low = n == 64 ? x : x & ((1L << n) - 1);
            assertThat(Bmi2Ops.extract(Bmi2Ops.deposit(x, mask), mask)).isEqualTo(low);
            assertThat(Bmi2Ops.deposit(Bmi2Ops.extract(x, mask), mask)).isEqualTo(x & mask);
        }
    }
}
