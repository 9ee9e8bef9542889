package org.paravane.api.asyncpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GuestFaultTest {

    private static GuestFault fault(GuestFault.Trigger trigger, long cr2, int reason) {
        return new GuestFault(1, trigger, cr2, 0, reason, 0x401000, 3, true, 0, 0, false, PreemptionModel.PREEMPTIBLE,
                new GuestApfContext() {
                    public int readToken() {
                        return 0;
                    }

                    public void clearToken() {
                    }

                    public void acknowledge() {
                    }

                    public SleeperTable sleepers() {
                        return null;
                    }

                    public Sleeper taskSleeper() {
                        return null;
                    }

                    public Sleeper vcpuSleeper() {
                        return null;
                    }
                });
    }

    @Test
    void theReasonTravelsWithThePageFaultAndTheTokenIsTheLowHalfOfCr2() {
        GuestFault f = fault(GuestFault.Trigger.PAGE_FAULT, 0xFFFF_FFFF_0000_1003L, AsyncPfAbi.FLAG_PAGE_NOT_PRESENT);
        assertThat(f.reason()).isEqualTo(AsyncPfAbi.FLAG_PAGE_NOT_PRESENT);
        assertThat(f.token()).isEqualTo(0x1003);
    }

    @Test
    void aPageReadyInterruptCarriesNoReason() {
        assertThat(fault(GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 0).reason()).isZero();
        assertThatThrownBy(() -> fault(GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("page ready").hasMessageContaining("0x1");
    }
}
