package org.paravane.api.asyncpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WaitModeTest {

    @Test
    void theServicePropertyNamesTheMode() {
        for (WaitMode m : WaitMode.values()) {
            assertThat(WaitMode.ofProperty(m.property())).isSameAs(m);
        }
        assertThat(WaitMode.ofProperty("halt")).isSameAs(WaitMode.HALT);
        assertThatThrownBy(() -> WaitMode.ofProperty("spin")).hasMessageContaining("'spin'")
                .hasMessageContaining("schedule, halt");
    }
}
