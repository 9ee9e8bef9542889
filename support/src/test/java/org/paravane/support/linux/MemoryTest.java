package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class MemoryTest {

    @Test
    void anonymousMemoryReadsZeroAndIsWritable() {
        MemorySegment m = Memory.anonymous(1 << 20);
        try {
            assertThat(m.byteSize()).isEqualTo(1 << 20);
            assertThat(m.address() % 4096).isZero();
            assertThat(m.get(JAVA_LONG, 4096)).isZero();
            m.set(JAVA_LONG, 4096, 42);
            assertThat(m.get(JAVA_LONG, 4096)).isEqualTo(42);
            Memory.madvise(m, Memory.MADV_DONTNEED);
            assertThat(m.get(JAVA_LONG, 4096)).as("DONTNEED drops private anonymous pages").isZero();
        } finally {
            Memory.munmap(m);
        }
    }

    @Test
    void failuresNameTheCallAndTheErrno() {
        assertThatThrownBy(() -> Memory.mmap(4096, Memory.PROT_READ, Memory.MAP_SHARED, 12345, 0))
                .isInstanceOf(NativeException.class)
                .hasMessageContaining("mmap(4096 bytes")
                .hasMessageContaining("EBADF")
                .satisfies(e -> assertThat(((NativeException) e).errno()).isEqualTo(Errno.EBADF));
    }
}
