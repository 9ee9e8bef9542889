package org.paravane.vmm.linux.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LayoutTest {

    @Test
    void fixedLayoutIsLinuxsWithoutRandomisation() {
        Layout l = Layout.fixed(0x4c5123, 8L << 20);
        assertThat(l.stackTop()).isEqualTo(0x7ffffffff000L);
        assertThat(l.stackBottom()).isEqualTo(0x7ffffffff000L - (8L << 20));
        // gap = max(128 MiB, stack + guard gap): 128 MiB below TASK_SIZE
        assertThat(l.mmapBase()).isEqualTo(0x7ffffffff000L - (128L << 20));
        assertThat(l.brkStart()).isEqualTo(0x4c6000);
    }

    @Test
    void aLargeStackLimitMovesTheMmapBaseDown() {
        Layout l = Layout.fixed(0x500000, 1L << 30);
        assertThat(l.mmapBase()).isEqualTo(Layout.TASK_SIZE - (1L << 30) - Layout.STACK_GUARD_GAP);
    }

    @Test
    void randomisedLayoutsAreReproducibleFromTheSeed() {
        Layout a = Layout.randomized(0x500000, 8L << 20, new SplittableRandom(42));
        Layout b = Layout.randomized(0x500000, 8L << 20, new SplittableRandom(42));
        Layout c = Layout.randomized(0x500000, 8L << 20, new SplittableRandom(43));
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(a.mmapBase()).isLessThan(a.stackBottom());
        assertThat(a.brkStart()).isGreaterThanOrEqualTo(0x500000);
    }

    @Test
    void badInputIsRefusedWithItsValue() {
        assertThatThrownBy(() -> Layout.fixed(0, 8L << 20)).hasMessageContaining("image end 0x0");
        assertThatThrownBy(() -> Layout.fixed(0x400000, 0)).hasMessageContaining("RLIMIT_STACK");
    }
}
