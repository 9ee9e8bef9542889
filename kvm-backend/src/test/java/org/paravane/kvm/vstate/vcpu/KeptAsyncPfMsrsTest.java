package org.paravane.kvm.vstate.vcpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.AsyncPfAbi;

class KeptAsyncPfMsrsTest {

    @Test
    void writtenValuesReadBackAndTheAckReadsZero() {
        KeptAsyncPfMsrs kept = new KeptAsyncPfMsrs("vCPU 0 of VM 'test'");
        kept.write(AsyncPfAbi.MSR_ASYNC_PF_INT, 0xEC);
        kept.write(AsyncPfAbi.MSR_ASYNC_PF_EN, 0x200000 | 1);
        kept.write(AsyncPfAbi.MSR_ASYNC_PF_ACK, 1);
        assertThat(kept.read(AsyncPfAbi.MSR_ASYNC_PF_INT)).isEqualTo(0xEC);
        assertThat(kept.read(AsyncPfAbi.MSR_ASYNC_PF_EN)).isEqualTo(0x200001);
        assertThat(kept.read(AsyncPfAbi.MSR_ASYNC_PF_ACK)).isZero();
        assertThat(kept.vector()).isEqualTo(0xEC);
        assertThat(kept.enable()).isEqualTo(0x200001);
    }

    @Test
    void reservedEnableBitsRaiseGpAndKeepTheOldValue() {
        KeptAsyncPfMsrs kept = new KeptAsyncPfMsrs("vCPU 1 of VM 'test'");
        kept.write(AsyncPfAbi.MSR_ASYNC_PF_EN, 1);
        assertThatThrownBy(() -> kept.write(AsyncPfAbi.MSR_ASYNC_PF_EN, 0x10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vCPU 1 of VM 'test': WRMSR MSR_KVM_ASYNC_PF_EN <- 0x10 sets reserved bits 5:4 and raises #GP");
        assertThat(kept.enable()).isEqualTo(1);
    }

    @Test
    void aVectorWiderThanEightBitsRaisesGp() {
        KeptAsyncPfMsrs kept = new KeptAsyncPfMsrs("vCPU 0 of VM 'test'");
        assertThatThrownBy(() -> kept.write(AsyncPfAbi.MSR_ASYNC_PF_INT, 0x1EC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MSR_KVM_ASYNC_PF_INT <- 0x1ec sets reserved bits 63:8");
        assertThat(kept.vector()).isZero();
    }

    @Test
    void onlyTheThreeAsyncPfMsrsAreKept() {
        assertThat(KeptAsyncPfMsrs.isAsyncPfMsr(AsyncPfAbi.MSR_ASYNC_PF_EN)).isTrue();
        assertThat(KeptAsyncPfMsrs.isAsyncPfMsr(AsyncPfAbi.MSR_ASYNC_PF_INT)).isTrue();
        assertThat(KeptAsyncPfMsrs.isAsyncPfMsr(AsyncPfAbi.MSR_ASYNC_PF_ACK)).isTrue();
        assertThat(KeptAsyncPfMsrs.isAsyncPfMsr(0xC0000082)).isFalse();
    }
}
