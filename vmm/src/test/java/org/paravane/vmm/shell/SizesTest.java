package org.paravane.vmm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void unitsAreBinary() {
        assertThat(Sizes.parse("4096", "--x")).isEqualTo(4096);
        assertThat(Sizes.parse("16K", "--x")).isEqualTo(16 << 10);
        assertThat(Sizes.parse("64m", "--x")).isEqualTo(64 << 20);
        assertThat(Sizes.parse("2GiB", "--x")).isEqualTo(2L << 30);
    }

    @Test
    void nonsenseIsRefusedWithTheOption() {
        assertThatThrownBy(() -> Sizes.parse("lots", "--memory")).hasMessage("--memory 'lots' is not a size like 4096, 16K, 64M or 2G");
        assertThatThrownBy(() -> Sizes.parse("-1M", "--memory")).hasMessageContaining("--memory '-1M'");
    }
}
