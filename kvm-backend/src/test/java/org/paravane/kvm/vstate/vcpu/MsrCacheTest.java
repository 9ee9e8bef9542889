package org.paravane.kvm.vstate.vcpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.Msr;

class MsrCacheTest {
    /** In write order, the async-PF vector before the enable, as the vCPU carries them. */
    private static final List<Msr> CARRIED = List.of(Msr.SYSENTER_CS, Msr.STAR, Msr.LSTAR, Msr.KVM_ASYNC_PF_INT, Msr.KVM_ASYNC_PF_EN);

    private static final ModelSpecificRegisters STATE = ModelSpecificRegisters.NONE.with(Msr.SYSENTER_CS, 0x10)
            .with(Msr.LSTAR, 0xffff_8000_0000_1000L).with(Msr.KVM_ASYNC_PF_INT, 0xEC).with(Msr.KVM_ASYNC_PF_EN, 0x3001);

    @Test
    void nothingKnownMeansEveryCarriedMsrIsWrittenInOrder() {
        MsrCache cache = new MsrCache();
        assertThat(cache.known()).isNull();
        assertThat(cache.holds(STATE)).isFalse();
        assertThat(cache.changes(STATE, CARRIED)).containsExactlyElementsOf(CARRIED);
    }

    @Test
    void aRememberedStateNeedsNoWrite() {
        MsrCache cache = new MsrCache();
        cache.remember(STATE);
        assertThat(cache.holds(STATE)).isTrue();
        assertThat(cache.changes(STATE, CARRIED)).isEmpty();
    }

    @Test
    void onlyWhatDiffersIsWrittenTheAsyncPfVectorBeforeTheEnable() {
        MsrCache cache = new MsrCache();
        cache.remember(STATE);
        ModelSpecificRegisters moved = STATE.with(Msr.KVM_ASYNC_PF_EN, 0).with(Msr.KVM_ASYNC_PF_INT, 0xED).with(Msr.STAR, 7);
        assertThat(cache.holds(moved)).isFalse();
        assertThat(cache.changes(moved, CARRIED)).containsExactly(Msr.STAR, Msr.KVM_ASYNC_PF_INT, Msr.KVM_ASYNC_PF_EN);
    }

    @Test
    void afterTheGuestRanNothingIsKnown() {
        MsrCache cache = new MsrCache();
        cache.remember(STATE);
        cache.forget();
        assertThat(cache.known()).isNull();
        assertThat(cache.holds(STATE)).isFalse();
        assertThat(cache.changes(STATE, CARRIED)).containsExactlyElementsOf(CARRIED);
    }

    @Test
    void anMsrTheVcpuDoesNotCarryIsNeverWritten() {
        MsrCache cache = new MsrCache();
        assertThat(cache.changes(STATE, List.of(Msr.SYSENTER_CS))).containsExactly(Msr.SYSENTER_CS);
    }
}
