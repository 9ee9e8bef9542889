package org.paravane.api.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CpuStateTest {

    @Test
    void registersAreAddressedByTheirX86Numbers() {
        GeneralRegisters r = GeneralRegisters.ZERO.with(GeneralRegisters.RSP, 0x8000).with(GeneralRegisters.R15, 7)
                .withRip(0x401000).withRflags(GeneralRegisters.RFLAGS_IF);
        assertThat(r.rsp()).isEqualTo(0x8000);
        assertThat(r.get(15)).isEqualTo(7);
        assertThat(r.rip()).isEqualTo(0x401000);
        assertThat(r.rflags()).as("bit 1 always reads one").isEqualTo(GeneralRegisters.RFLAGS_IF | GeneralRegisters.RFLAGS_RESET);
        assertThat(GeneralRegisters.fromArray(r.toArray())).isEqualTo(r);
    }

    @Test
    void registerNumbersOutsideZeroToFifteenAreRefused() {
        assertThatThrownBy(() -> GeneralRegisters.ZERO.get(16)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("16");
        assertThatThrownBy(() -> GeneralRegisters.ZERO.with(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> GeneralRegisters.fromArray(new long[17])).hasMessageContaining("got 17");
    }

    @Test
    void pendingEventsKeepVectorsInRange() {
        PendingEvents.PendingException pf = new PendingEvents.PendingException(14, 0x6, 0x1000);
        assertThat(pf.hasErrorCode()).isTrue();
        assertThat(new PendingEvents.PendingException(3, -1, 0).hasErrorCode()).isFalse();
        assertThatThrownBy(() -> new PendingEvents.PendingException(32, -1, 0)).hasMessageContaining("0..31: 32");
        assertThatThrownBy(() -> new PendingEvents(null, 256, false, false, false)).hasMessageContaining("0..255");
        assertThat(new PendingEvents(pf, 0xEC, false, false, false).interruptVector()).isEqualTo(0xEC);
    }
}
