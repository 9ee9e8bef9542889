package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.paravane.api.backend.VcpuExit;

/** KVM's ways of giving up on an exception are named as the software CPU's triple fault is (KVM is not usable here). */
class ExceptionsTest {

    @Test
    void kvmInternalErrorsWhileDeliveringAnExceptionAreTripleFaults() {
        for (int suberror = 1; suberror <= 3; suberror++) {
            assertThat(Exceptions.deliveryFailure(new VcpuExit.Failed("KVM_EXIT_INTERNAL_ERROR", suberror, "")))
                    .as("suberror %d", suberror).isTrue();
        }
        assertThat(Exceptions.deliveryFailure(new VcpuExit.Failed("KVM_EXIT_INTERNAL_ERROR", 4, "")))
                .as("UNEXPECTED_EXIT_REASON is no delivery failure").isFalse();
        assertThat(Exceptions.deliveryFailure(new VcpuExit.Failed("KVM_EXIT_FAIL_ENTRY", 1, ""))).isFalse();
        assertThat(Exceptions.deliveryFailure(new VcpuExit.Failed("emulation failure", 0, ""))).isFalse();
    }
}
