package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

class DescriptorTest extends FsTestBase {

    @Test
    void theConsoleHoldsZeroOneAndTwo() throws Exception {
        assertThat(p.fds().descriptors()).containsExactly(0, 1, 2);
        write(1, "out");
        write(2, "err");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("out");
        assertThat(stderr.toString(StandardCharsets.UTF_8)).isEqualTo("err");
        assertThat(readConsole(0)).isEqualTo("typed\n");
    }

    @Test
    void stdioIsNotSeekable() {
        assertErrno(() -> p.lseek(1, 0, SEEK_SET), Errno.ESPIPE);
        assertErrno(() -> p.pread(0, ByteBuffer.allocate(1), 0), Errno.ESPIPE);
    }

    @Test
    void newDescriptorsTakeTheLowestFreeNumber() throws Exception {
        int a = open("/etc/hosts", O_RDONLY);
        int b = open("/etc/hosts", O_RDONLY);
        assertThat(a).isEqualTo(3);
        assertThat(b).isEqualTo(4);
        p.close(a);
        assertThat(open("/etc/hosts", O_RDONLY)).isEqualTo(3);
        p.close(0);
        assertThat(open("/etc/hosts", O_RDONLY)).isEqualTo(0);
    }

    @Test
    void dupedDescriptorsShareTheOffset() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        int copy = p.dup(fd);
        ByteBuffer b = ByteBuffer.allocate(4);
        p.read(fd, b);
        assertThat(p.lseek(copy, 0, SEEK_CUR)).isEqualTo(4);
        p.close(fd);
        assertThat(readAll(copy)).isEqualTo("0.0.1 localhost\n");
    }

    @Test
    void separateOpensHaveSeparateOffsets() throws Exception {
        int a = open("/etc/hosts", O_RDONLY), b = open("/etc/hosts", O_RDONLY);
        p.read(a, ByteBuffer.allocate(4));
        assertThat(p.lseek(b, 0, SEEK_CUR)).isZero();
    }

    @Test
    void closeOfAClosedDescriptorIsEbadf() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        p.close(fd);
        assertErrno(() -> p.close(fd), Errno.EBADF);
        assertErrno(() -> p.read(fd, ByteBuffer.allocate(1)), Errno.EBADF);
    }

    @Test
    void cloexecIsPerDescriptor() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
        int copy = p.dup(fd);
        assertThat(p.fcntl(fd, F_GETFD, 0)).isEqualTo(FD_CLOEXEC);
        assertThat(p.fcntl(copy, F_GETFD, 0)).isZero();
        p.fcntl(copy, F_SETFD, FD_CLOEXEC);
        p.fcntl(fd, F_SETFD, 0);
        p.fds().closeOnExec();
        assertThat(p.fds().descriptors()).contains(fd).doesNotContain(copy);
    }

    @Test
    void statusFlagsAreSharedAndOnlySomeChange() throws Exception {
        int fd = open("/tmp/f", O_WRONLY | O_CREAT);
        int copy = p.dup(fd);
        p.fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDWR | O_TRUNC);
        long flags = p.fcntl(copy, F_GETFL, 0);
        assertThat(flags & O_ACCMODE).isEqualTo(O_WRONLY);
        assertThat(flags & (O_APPEND | O_NONBLOCK)).isEqualTo(O_APPEND | O_NONBLOCK);
        assertThat(flags & O_TRUNC).isZero();
    }

    @Test
    void fDupfdTakesTheLowestAtOrAboveTheMinimum() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        assertThat(p.fcntl(fd, F_DUPFD, 10)).isEqualTo(10);
        assertThat(p.fcntl(fd, F_DUPFD, 10)).isEqualTo(11);
        long cloexec = p.fcntl(fd, F_DUPFD_CLOEXEC, 5);
        assertThat(p.fcntl((int) cloexec, F_GETFD, 0)).isEqualTo(FD_CLOEXEC);
        assertErrno(() -> p.fcntl(fd, F_DUPFD, 64), Errno.EINVAL);
        assertErrno(() -> p.fcntl(fd, 9999, 0), Errno.EINVAL);
        assertErrno(() -> p.fcntl(77, F_GETFD, 0), Errno.EBADF);
    }

    @Test
    void dup2AndDup3FollowLinuxRules() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        assertThat(p.dup2(fd, fd)).isEqualTo(fd);
        assertThat(p.dup2(fd, 1)).isEqualTo(1);
        assertThat(p.fstat(1).ino()).isEqualTo(p.fstat(fd).ino());
        assertErrno(() -> p.dup3(fd, fd, 0), Errno.EINVAL);
        assertErrno(() -> p.dup3(fd, 9, O_APPEND), Errno.EINVAL);
        assertThat(p.dup3(fd, 9, O_CLOEXEC)).isEqualTo(9);
        assertThat(p.fcntl(9, F_GETFD, 0)).isEqualTo(FD_CLOEXEC);
        assertErrno(() -> p.dup2(fd, 64), Errno.EBADF);
        assertErrno(() -> p.dup2(50, 5), Errno.EBADF);
    }

    @Test
    void theNofileLimitGivesEmfile() throws Exception {
        for (int i = 3; i < 64; i++) {
            open("/etc/hosts", O_RDONLY);
        }
        assertErrno(() -> open("/etc/hosts", O_RDONLY), Errno.EMFILE);
        assertErrno(() -> open("/tmp/never", O_RDONLY | O_CREAT), Errno.EMFILE);
        assertErrno(() -> p.stat("/tmp/never"), Errno.ENOENT);
        assertErrno(() -> p.dup(3), Errno.EMFILE);
    }

    @Test
    void accessModesAreEnforced() throws Exception {
        int ro = open("/etc/hosts", O_RDONLY);
        assertErrno(() -> p.write(ro, ByteBuffer.wrap(new byte[1])), Errno.EBADF);
        int wo = open("/tmp/w", O_WRONLY | O_CREAT);
        assertErrno(() -> p.read(wo, ByteBuffer.allocate(1)), Errno.EBADF);
        int dir = open("/etc", O_RDONLY);
        assertErrno(() -> p.read(dir, ByteBuffer.allocate(1)), Errno.EISDIR);
        int path = open("/etc/hosts", O_PATH);
        assertErrno(() -> p.read(path, ByteBuffer.allocate(1)), Errno.EBADF);
    }

    @Test
    void lseekRules() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        assertThat(p.lseek(fd, -1, SEEK_END)).isEqualTo(19);
        assertThat(p.lseek(fd, 100, SEEK_SET)).isEqualTo(100);
        assertThat(p.read(fd, ByteBuffer.allocate(4))).isZero();
        assertThat(p.lseek(fd, 2, SEEK_DATA)).isEqualTo(2);
        assertThat(p.lseek(fd, 2, SEEK_HOLE)).isEqualTo(20);
        assertErrno(() -> p.lseek(fd, 20, SEEK_DATA), Errno.ENXIO);
        assertErrno(() -> p.lseek(fd, -1, SEEK_SET), Errno.EINVAL);
        assertErrno(() -> p.lseek(fd, 0, 7), Errno.EINVAL);
        assertErrno(() -> p.lseek(fd, Long.MAX_VALUE, SEEK_END), Errno.EOVERFLOW);
    }

    @Test
    void preadAndPwriteLeaveTheOffsetAlone() throws Exception {
        create("/tmp/f", "0123456789");
        int fd = open("/tmp/f", O_RDWR);
        ByteBuffer b = ByteBuffer.allocate(3);
        p.pread(fd, b, 4);
        assertThat(new String(b.array())).isEqualTo("456");
        p.pwrite(fd, ByteBuffer.wrap("xy".getBytes()), 8);
        assertThat(p.lseek(fd, 0, SEEK_CUR)).isZero();
        assertThat(readAll(fd)).isEqualTo("01234567xy");
        assertErrno(() -> p.pread(fd, ByteBuffer.allocate(1), -1), Errno.EINVAL);
    }

    @Test
    void writingPastTheEndLeavesAZeroFilledGap() throws Exception {
        int fd = open("/tmp/sparse", O_RDWR | O_CREAT);
        p.lseek(fd, 4, SEEK_SET);
        write(fd, "x");
        assertThat(contents("/tmp/sparse")).isEqualTo("\0\0\0\0x");
    }

    @Test
    void readvAndWritevGoInOrder() throws Exception {
        int fd = open("/tmp/v", O_RDWR | O_CREAT);
        assertThat(p.writev(fd, new ByteBuffer[] {ByteBuffer.wrap("ab".getBytes()), ByteBuffer.wrap("cde".getBytes())}))
                .isEqualTo(5);
        p.lseek(fd, 0, SEEK_SET);
        ByteBuffer first = ByteBuffer.allocate(3), second = ByteBuffer.allocate(10);
        assertThat(p.readv(fd, new ByteBuffer[] {first, second})).isEqualTo(5);
        assertThat(new String(first.array())).isEqualTo("abc");
        assertThat(second.position()).isEqualTo(2);
    }

    @Test
    void ftruncateGrowsAndShrinks() throws Exception {
        create("/tmp/t", "abcdef");
        int fd = open("/tmp/t", O_RDWR);
        p.ftruncate(fd, 3);
        assertThat(p.fstat(fd).size()).isEqualTo(3);
        p.ftruncate(fd, 5);
        assertThat(readAll(fd)).isEqualTo("abc\0\0");
        assertErrno(() -> p.ftruncate(fd, -1), Errno.EINVAL);
        int ro = open("/tmp/t", O_RDONLY);
        assertErrno(() -> p.ftruncate(ro, 1), Errno.EINVAL);
        p.fsync(fd);
    }

    @Test
    void sendfileCopiesBetweenFilesWithAndWithoutAnOffset() throws Exception {
        int in = open("/etc/hosts", O_RDONLY);
        int out = open("/tmp/copy", O_WRONLY | O_CREAT);
        assertThat(p.sendfile(out, in, OptionalLong.of(10), 100)).isEqualTo(10);
        assertThat(p.lseek(in, 0, SEEK_CUR)).isZero();
        assertThat(p.sendfile(out, in, OptionalLong.empty(), 4)).isEqualTo(4);
        assertThat(p.lseek(in, 0, SEEK_CUR)).isEqualTo(4);
        assertThat(contents("/tmp/copy")).isEqualTo("localhost\n127.");
        assertErrno(() -> p.sendfile(out, 0, OptionalLong.empty(), 4), Errno.EINVAL);
        assertErrno(() -> p.sendfile(in, out, OptionalLong.empty(), 4), Errno.EBADF);
        assertThat(p.sendfile(1, in, OptionalLong.empty(), 3)).isEqualTo(3);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("0.0");
    }

    @Test
    void ioctlOnANonTerminalIsEnotty() throws Exception {
        assertErrno(() -> p.ioctl(1, TCGETS), Errno.ENOTTY);
        assertErrno(() -> p.ioctl(open("/etc/hosts", O_RDONLY), TIOCGWINSZ), Errno.ENOTTY);
    }

    @Test
    void ioctlOnATerminalAnswersTcgetsAndWindowSize() throws Exception {
        start(new FileSystem.Options(hostRoot, false, List.of()),
                Console.terminal(java.io.InputStream.nullInputStream(), stdout, stderr, 50, 132));
        assertThat(p.ioctl(1, TCGETS)).hasSize(36);
        ByteBuffer size = ByteBuffer.wrap(p.ioctl(1, TIOCGWINSZ)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(size.getShort(0)).isEqualTo((short) 50);
        assertThat(size.getShort(2)).isEqualTo((short) 132);
        assertErrno(() -> p.ioctl(1, 0x1234), Errno.ENOTTY);
        int tty = open("/dev/tty", O_RDWR);
        write(tty, "on the terminal");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("on the terminal");
    }
}
