package org.paravane.vmm.kernel.abi.paravane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The whole of RAX is the hypercall number (issue 12, item 7). */
class HypercallTest {

    @Test
    void numbersNameTheirHypercalls() {
        assertThat(Hypercall.of(0)).isEqualTo(Hypercall.EXIT);
        assertThat(Hypercall.of(1)).isEqualTo(Hypercall.WRITE);
        assertThat(Hypercall.of(8)).isEqualTo(Hypercall.REPORT);
    }

    @Test
    void anythingElseNamesNone() {
        assertThat(Hypercall.of(1L << 63)).as("2^63, low half 0 (exit)").isNull();
        assertThat(Hypercall.of((1L << 32) + 1)).as("2^32 + 1, low half 1 (write)").isNull();
        assertThat(Hypercall.of(-1)).isNull();
        assertThat(Hypercall.of(9)).isNull();
    }
}
