package org.paravane.vmm.linux.fs.eventfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.vmm.linux.fs.PollEvents.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;

class EventFdTest {
    private static ByteBuffer value(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
    }

    private static long read(EventFd e) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(8);
        assertThat(e.read(b, -1)).isEqualTo(8);
        return b.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    @Test
    void aReadTakesTheWholeCountAndThenWouldBlock() throws Exception {
        EventFd e = new EventFd(3, false);
        e.write(value(4), -1);
        assertThat(read(e)).isEqualTo(7);
        assertThatThrownBy(() -> read(e)).isInstanceOf(WouldBlock.class);
    }

    @Test
    void aSemaphoreReadTakesOne() throws Exception {
        EventFd e = new EventFd(2, true);
        assertThat(read(e)).isEqualTo(1);
        assertThat(read(e)).isEqualTo(1);
        assertThatThrownBy(() -> read(e)).isInstanceOf(WouldBlock.class);
    }

    @Test
    void shortBuffersAndTheForbiddenValueAreEinval() {
        EventFd e = new EventFd(1, false);
        assertThatThrownBy(() -> e.read(ByteBuffer.allocate(4), -1)).isInstanceOf(ErrnoException.class)
                .isNotInstanceOf(WouldBlock.class);
        assertThatThrownBy(() -> e.write(ByteBuffer.allocate(7), -1)).isNotInstanceOf(WouldBlock.class);
        assertThatThrownBy(() -> e.write(value(-1), -1)).isNotInstanceOf(WouldBlock.class)
                .isInstanceOf(ErrnoException.class);
    }

    @Test
    void aWritePastTheMaximumWouldBlockAndReadinessSaysSo() throws Exception {
        EventFd e = new EventFd(0, false);
        assertThat(e.readiness()).isEqualTo(POLLOUT | POLLWRNORM);
        e.write(value(EventFd.MAX), -1);
        assertThat(e.readiness()).isEqualTo(POLLIN | POLLRDNORM);
        assertThatThrownBy(() -> e.write(value(1), -1)).isInstanceOf(WouldBlock.class);
        assertThat(read(e)).isEqualTo(EventFd.MAX);
    }

    @Test
    void writesWakeReaders() throws Exception {
        EventFd e = new EventFd(0, false);
        AtomicInteger woken = new AtomicInteger();
        e.waiters().add(woken::incrementAndGet, POLLIN);
        e.write(value(0), -1);
        assertThat(woken).as("adding zero changes nothing").hasValue(0);
        e.write(value(5), -1);
        assertThat(woken).hasValue(1);
    }
}
