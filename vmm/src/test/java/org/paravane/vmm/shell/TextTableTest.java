package org.paravane.vmm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendCapabilities;

class TextTableTest {

    @Test
    void columnsAlignToTheWidestCell() {
        String out = new TextTable("A", "BB").row("long cell", 1).row("x", 22).toString();
        assertThat(out.lines()).containsExactly("A          BB", "long cell  1", "x          22");
    }

    @Test
    void rowWithWrongCellCountIsRejected() {
        assertThatThrownBy(() -> new TextTable("A", "B").row("only one"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells");
    }

    @Test
    void capabilitiesDescribeWhatTheBackendCanDo() {
        var caps = new BackendCapabilities(true, true, true, false, false, 1024, "PVM");
        assertThat(WiringCommands.describe(caps)).isEqualTo("hardware, kernel async PF, lazy memory, max 1024 vCPUs");
    }
}
