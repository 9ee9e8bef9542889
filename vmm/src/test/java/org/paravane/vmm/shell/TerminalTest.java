package org.paravane.vmm.shell;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTest {

    @Test
    void aDescriptorThatIsNoTerminalHasNoWindowSize() {
        assertThat(Terminal.size(-1)).isEmpty();          // EBADF
        assertThat(Terminal.size(1 << 20)).isEmpty();     // not open
    }
}
