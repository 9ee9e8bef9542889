package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.WouldBlock;

/** pipe2 through a process's descriptors: flags, fstat, O_NONBLOCK, FIONREAD, pipe sizes, and the ends across fork. */
class PipeDescriptorsTest extends FsTestBase {

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes());
    }

    @Test
    void theEndsTakeTheLowestFreeNumbersAndAreFifos() throws Exception {
        int[] fds = p.pipe2(0);
        assertThat(fds).containsExactly(3, 4);
        Stat st = p.fstat(fds[0]);
        assertThat(st.type()).isEqualTo(S_IFIFO);
        assertThat(p.fstat(fds[1]).ino()).isEqualTo(st.ino());
        assertThat(new String(p.readlink("/proc/self/fd/3", 100))).isEqualTo("pipe:[" + st.ino() + "]");
        assertThat(p.fcntl(fds[0], F_GETFL, 0)).isEqualTo(O_RDONLY);
        assertThat(p.fcntl(fds[1], F_GETFL, 0)).isEqualTo(O_WRONLY);
        assertErrno(() -> p.lseek(fds[0], 0, SEEK_SET), Errno.ESPIPE);
        assertErrno(() -> p.write(fds[0], text("x")), Errno.EBADF);
        assertErrno(() -> p.read(fds[1], ByteBuffer.allocate(1)), Errno.EBADF);
    }

    @Test
    void pipe2FlagsGoToEachEnd() throws Exception {
        int[] fds = p.pipe2(O_CLOEXEC | O_NONBLOCK);
        for (int fd : fds) {
            assertThat(p.fcntl(fd, F_GETFD, 0)).isEqualTo(FD_CLOEXEC);
            assertThat(p.fcntl(fd, F_GETFL, 0) & O_NONBLOCK).isEqualTo(O_NONBLOCK);
        }
        assertErrno(() -> p.pipe2(O_DIRECT), Errno.EINVAL);
        assertErrno(() -> p.pipe2(O_APPEND), Errno.EINVAL);
    }

    @Test
    void aNonBlockingEndAnswersEagainWhereABlockingOneWouldWait() throws Exception {
        int[] fds = p.pipe2(0);
        assertThatThrownBy(() -> p.read(fds[0], ByteBuffer.allocate(1))).isInstanceOf(WouldBlock.class);
        p.fcntl(fds[0], F_SETFL, O_NONBLOCK);
        assertThatThrownBy(() -> p.read(fds[0], ByteBuffer.allocate(1))).isNotInstanceOf(WouldBlock.class);
        assertErrno(() -> p.read(fds[0], ByteBuffer.allocate(1)), Errno.EAGAIN);
    }

    @Test
    void fionreadAndThePipeSize() throws Exception {
        int[] fds = p.pipe2(0);
        p.write(fds[1], text("hello"));
        byte[] n = p.ioctl(fds[0], FIONREAD);
        assertThat(ByteBuffer.wrap(n).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(5);
        assertThat(p.fcntl(fds[1], F_GETPIPE_SZ, 0)).isEqualTo(65536);
        assertThat(p.fcntl(fds[0], F_SETPIPE_SZ, 100_000)).isEqualTo(131072);
        int file = open("/etc/hosts", O_RDONLY);
        assertErrno(() -> p.fcntl(file, F_GETPIPE_SZ, 0), Errno.EBADF);
    }

    @Test
    void endOfFileComesWhenEveryWriterIsClosedAcrossDupAndFork() throws Exception {
        int[] fds = p.pipe2(0);
        int copy = p.dup(fds[1]);
        ProcessFiles child = p.fork(() -> "", false);
        p.close(fds[1]);
        p.write(copy, text("ab"));
        p.close(copy);
        ByteBuffer b = ByteBuffer.allocate(10);
        assertThat(p.read(fds[0], b)).isEqualTo(2);
        assertThatThrownBy(() -> p.read(fds[0], ByteBuffer.allocate(1))).as("the child still holds a writer")
                .isInstanceOf(WouldBlock.class);
        child.release();
        assertThat(p.read(fds[0], ByteBuffer.allocate(1))).isZero();
    }

    @Test
    void writingAfterTheLastReaderClosedIsEpipe() throws Exception {
        int[] fds = p.pipe2(0);
        p.close(fds[0]);
        assertErrno(() -> p.write(fds[1], text("x")), Errno.EPIPE);
    }

    @Test
    void execClosesACloseOnExecEndAndReadersSeeEndOfFile() throws Exception {
        int[] fds = p.pipe2(O_CLOEXEC);
        ProcessFiles child = p.fork(() -> "", false);
        p.close(fds[1]);
        child.exec("/bin/tool", () -> "");
        assertThat(p.read(fds[0], ByteBuffer.allocate(1))).isZero();
    }
}
