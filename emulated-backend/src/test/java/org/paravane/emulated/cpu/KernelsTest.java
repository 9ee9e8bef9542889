package org.paravane.emulated.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.Kernels;
import org.paravane.emulated.testing.TestVm;

/** The four benchmark kernels at CPL 3 with few iterations, against checksums computed in Java. */
class KernelsTest {

    static final int ITERS = 20;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void kernelComputesItsChecksum(int kernel) {
        try (TestVm t = new TestVm()) {
            byte[] code = Kernels.build(kernel, ITERS);
            t.load(TestVm.CODE, code);
            Vcpu v = t.start(0, 3, TestVm.CODE);
            assertThat(t.runToResult(v)).as("K%d checksum", kernel).isEqualTo(Kernels.expected(kernel, ITERS));
        }
    }
}
