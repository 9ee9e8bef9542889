package org.paravane.vmm.linux.fs.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.vmm.linux.fs.PollEvents.*;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.BrokenPipe;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.FileContents;

/** The pipe's ring buffer: order, wrap-around, PIPE_BUF atomicity, end of file, broken pipes, readiness and wakes. */
class PipeTest {
    private final Pipe pipe = new Pipe();
    private final FileContents in = pipe.reader(), out = pipe.writer();

    private static ByteBuffer bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return ByteBuffer.wrap(b);
    }

    @Test
    void bytesComeOutInOrderAcrossTheRingsEnd() throws Exception {
        for (int round = 0; round < 40; round++) {
            ByteBuffer src = bytes(5000, round);
            assertThat(out.write(src.duplicate(), -1)).isEqualTo(5000);
            ByteBuffer dst = ByteBuffer.allocate(5000);
            while (dst.hasRemaining()) {
                in.read(dst, -1);
            }
            assertThat(dst.flip()).isEqualTo(src);
        }
    }

    @Test
    void anEmptyPipeWithAWriterWouldBlockAndWithoutOneReadsEndOfFile() throws Exception {
        assertThatThrownBy(() -> in.read(ByteBuffer.allocate(1), -1)).isInstanceOf(WouldBlock.class)
                .satisfies(e -> assertThat(((WouldBlock) e).events() & POLLIN).isNotZero());
        out.write(bytes(3, 0), -1);
        out.close();
        assertThat(in.read(ByteBuffer.allocate(10), -1)).as("what was written before the close").isEqualTo(3);
        assertThat(in.read(ByteBuffer.allocate(10), -1)).isZero();
        assertThat(in.readiness()).isEqualTo(POLLHUP);
    }

    @Test
    void aWriteOfAtMostPipeBufGoesInWholeOrWaits() throws Exception {
        assertThat(out.write(bytes(Pipe.DEFAULT_SIZE - 100, 1), -1)).isEqualTo(Pipe.DEFAULT_SIZE - 100);
        assertThatThrownBy(() -> out.write(bytes(200, 2), -1)).isInstanceOf(WouldBlock.class);
        assertThat(pipe.buffered()).as("nothing of it went in").isEqualTo(Pipe.DEFAULT_SIZE - 100);
        assertThat(out.write(bytes(100, 3), -1)).isEqualTo(100);
    }

    @Test
    void aLargerWriteMovesWhatFitsAndThenWaits() throws Exception {
        ByteBuffer big = bytes(100_000, 4);
        assertThat(out.write(big, -1)).isEqualTo(Pipe.DEFAULT_SIZE);
        assertThat(big.remaining()).isEqualTo(100_000 - Pipe.DEFAULT_SIZE);
        assertThatThrownBy(() -> out.write(big, -1)).isInstanceOf(WouldBlock.class);
        assertThat(out.readiness() & POLLOUT).isZero();
        in.read(ByteBuffer.allocate(1), -1);
        assertThatThrownBy(() -> out.write(big, -1)).as("a byte read frees no page").isInstanceOf(WouldBlock.class);
        in.read(ByteBuffer.allocate(Pipe.PAGE), -1);
        assertThat(out.write(big, -1)).as("a freed page takes a page of it").isEqualTo(Pipe.PAGE);
    }

    @Test
    void smallWritesShareAPage() throws Exception {
        assertThat(out.write(bytes(1, 0), -1)).isEqualTo(1);
        assertThat(out.write(bytes(Pipe.DEFAULT_SIZE - 1, 1), -1)).as("the first page is topped up")
                .isEqualTo(Pipe.DEFAULT_SIZE - 1);
        assertThat(pipe.buffered()).isEqualTo(Pipe.DEFAULT_SIZE);
    }

    @Test
    void writingWithoutReadersIsABrokenPipe() throws Exception {
        in.close();
        assertThatThrownBy(() -> out.write(bytes(1, 0), -1)).isInstanceOf(BrokenPipe.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EPIPE));
        assertThat(out.readiness() & POLLERR).isNotZero();
    }

    @Test
    void readinessFollowsTheBuffer() throws Exception {
        assertThat(in.readiness()).isZero();
        assertThat(out.readiness()).isEqualTo(POLLOUT | POLLWRNORM);
        out.write(bytes(10, 0), -1);
        assertThat(in.readiness()).isEqualTo(POLLIN | POLLRDNORM);
        assertThat(in.unread()).isEqualTo(10);
    }

    @Test
    void writesWakeReadersAndReadsWakeWriters() throws Exception {
        AtomicInteger readers = new AtomicInteger(), writers = new AtomicInteger();
        in.waiters().add(readers::incrementAndGet, POLLIN);
        out.waiters().add(writers::incrementAndGet, POLLOUT);
        out.write(bytes(1, 0), -1);
        assertThat(readers).hasValue(1);
        assertThat(writers).hasValue(0);
        in.read(ByteBuffer.allocate(1), -1);
        assertThat(writers).hasValue(1);
        out.close();
        assertThat(readers).as("the last writer's close wakes readers for end of file").hasValue(2);
    }

    @Test
    void closingAnEndTwiceCountsOnce() throws Exception {
        FileContents second = pipe.writer();
        out.close();
        out.close();
        assertThatThrownBy(() -> in.read(ByteBuffer.allocate(1), -1)).as("one writer is left").isInstanceOf(WouldBlock.class);
        second.close();
        assertThat(in.read(ByteBuffer.allocate(1), -1)).isZero();
    }

    @Test
    void theSizeChangesInPowersOfTwoAndNotBelowWhatIsBuffered() throws Exception {
        assertThat(out.pipeSize(-1)).isEqualTo(65536);
        assertThat(out.pipeSize(5000)).isEqualTo(8192);
        assertThat(out.pipeSize(1)).isEqualTo(4096);
        out.write(bytes(4000, 9), -1);
        assertThatThrownBy(() -> out.pipeSize(Pipe.MAX_SIZE * 2)).isInstanceOf(ErrnoException.class);
        assertThat(out.pipeSize(1 << 20)).isEqualTo(1 << 20);
        out.write(bytes(3 * Pipe.PAGE, 1), -1);
        assertThatThrownBy(() -> out.pipeSize(2 * Pipe.PAGE)).as("four pages in use")
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EBUSY));
        ByteBuffer dst = ByteBuffer.allocate(4000);
        in.read(dst, -1);
        assertThat(dst.flip()).isEqualTo(bytes(4000, 9));
    }
}
