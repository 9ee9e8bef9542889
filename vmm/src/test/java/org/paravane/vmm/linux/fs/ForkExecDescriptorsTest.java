package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

/** The descriptor table across fork (copied or shared), execve (close-on-exec, unsharing) and exit. */
class ForkExecDescriptorsTest extends FsTestBase {

    @Test
    void aForkedChildHasTheSameDescriptorsOverTheSameDescriptions() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        ProcessFiles child = p.fork(() -> "child maps\n", false);
        assertThat(child.fds().descriptors()).containsExactly(0, 1, 2, fd);
        child.read(fd, ByteBuffer.allocate(4));
        assertThat(p.lseek(fd, 0, SEEK_CUR)).as("the offset is the description's, shared").isEqualTo(4);
        assertThat(child.fds()).isNotSameAs(p.fds());
    }

    @Test
    void closingInTheChildLeavesTheParentsDescriptorOpen() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        ProcessFiles child = p.fork(() -> "", false);
        child.close(fd);
        assertErrno(() -> child.read(fd, ByteBuffer.allocate(1)), Errno.EBADF);
        assertThat(readAll(fd)).isEqualTo("127.0.0.1 localhost\n");
        int again = child.open("/etc/hosts", O_RDONLY, 0);
        assertThat(again).as("the child's own lowest free number").isEqualTo(fd);
        assertThat(p.fds().descriptors()).containsExactly(0, 1, 2, fd);
    }

    @Test
    void theChildsProcSelfFollowsItsOwnTableAndMaps() throws Exception {
        ProcessFiles child = p.fork(() -> "child maps\n", false);
        int fd = child.open("/etc/hosts", O_RDONLY, 0);
        assertThat(new String(child.readlink("/proc/self/fd/" + fd, 4096))).isEqualTo("/etc/hosts");
        assertErrno(() -> p.readlink("/proc/self/fd/" + fd, 4096), Errno.ENOENT);
        int maps = child.open("/proc/self/maps", O_RDONLY, 0);
        ByteBuffer b = ByteBuffer.allocate(100);
        int n = child.read(maps, b);
        assertThat(new String(b.array(), 0, n)).isEqualTo("child maps\n");
    }

    @Test
    void aChildStartsInItsParentsDirectoryWithItsUmask() throws Exception {
        p.chdir("/data");
        p.umask(077);
        ProcessFiles child = p.fork(() -> "", false);
        assertThat(new String(child.getcwd(100))).isEqualTo("/data\0");
        assertThat(child.umask(0)).isEqualTo(077);
        child.chdir("/etc");
        assertThat(new String(p.getcwd(100))).as("its own from then on").isEqualTo("/data\0");
    }

    @Test
    void cloneFilesSharesTheTableItself() throws Exception {
        ProcessFiles sibling = p.fork(() -> "", true);
        assertThat(sibling.fds()).isSameAs(p.fds());
        int fd = sibling.open("/etc/hosts", O_RDONLY, 0);
        assertThat(p.fds().descriptors()).contains(fd);
        sibling.release();
        assertThat(p.fds().descriptors()).as("the table lives while a user is left").contains(0, 1, 2, fd);
        assertThat(readAll(fd)).isEqualTo("127.0.0.1 localhost\n");
    }

    @Test
    void execClosesCloseOnExecDescriptorsOnly() throws Exception {
        int kept = open("/etc/hosts", O_RDONLY);
        int closed = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
        int dupped = p.fcntl(kept, F_DUPFD_CLOEXEC, 10) > 0 ? 10 : -1;
        int flagged = p.dup(kept);
        p.fcntl(flagged, F_SETFD, FD_CLOEXEC);
        int dup3 = p.dup3(kept, 20, O_CLOEXEC);
        assertThat(p.fcntl(dup3, F_GETFD, 0)).isEqualTo(FD_CLOEXEC);
        assertThat(p.fcntl(p.dup(dup3), F_GETFD, 0)).as("dup clears FD_CLOEXEC").isZero();
        p.exec("/bin/other", () -> "new maps\n");
        assertThat(p.fds().descriptors()).contains(0, 1, 2, kept).doesNotContain(closed, dupped, flagged, dup3);
        assertThat(new String(p.readlink("/proc/self/exe", 100))).isEqualTo("/bin/other");
        assertThat(p.exePath()).isEqualTo("/bin/other");
    }

    @Test
    void theChildKeepsCloseOnExecFlagsAcrossFork() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
        ProcessFiles child = p.fork(() -> "", false);
        assertThat(child.fcntl(fd, F_GETFD, 0)).isEqualTo(FD_CLOEXEC);
        child.exec("/bin/tool", () -> "");
        assertThat(child.fds().descriptors()).doesNotContain(fd);
        assertThat(p.fds().descriptors()).as("the parent's copy is untouched").contains(fd);
    }

    @Test
    void execUnsharesASharedTableBeforeClosing() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
        ProcessFiles sibling = p.fork(() -> "", true);
        sibling.exec("/bin/tool", () -> "");
        assertThat(sibling.fds()).isNotSameAs(p.fds());
        assertThat(sibling.fds().descriptors()).doesNotContain(fd);
        assertThat(p.fds().descriptors()).contains(fd);
        assertThat(p.fds().shared()).isFalse();
    }

    @Test
    void theLastUserOfATableClosesItsDescriptors() throws Exception {
        open("/etc/hosts", O_RDONLY);
        ProcessFiles sibling = p.fork(() -> "", true);
        p.release();
        assertThat(sibling.fds().descriptors()).hasSize(4);
        sibling.release();
        assertThat(sibling.fds().descriptors()).isEmpty();
    }

    @Test
    void closeRangeClosesOrMarksARange() throws Exception {
        int a = open("/etc/hosts", O_RDONLY), b = open("/etc/hosts", O_RDONLY), c = open("/etc/hosts", O_RDONLY);
        p.closeRange(b, 0xFFFFFFFFL, CLOSE_RANGE_CLOEXEC);
        assertThat(p.fcntl(a, F_GETFD, 0)).isZero();
        assertThat(p.fcntl(b, F_GETFD, 0) + p.fcntl(c, F_GETFD, 0)).isEqualTo(2 * FD_CLOEXEC);
        p.closeRange(a, b, 0);
        assertThat(p.fds().descriptors()).containsExactly(0, 1, 2, c);
        assertErrno(() -> p.closeRange(5, 4, 0), Errno.EINVAL);
        assertErrno(() -> p.closeRange(0, 4, 1), Errno.EINVAL);
    }

    @Test
    void closeRangeUnshareLeavesTheOtherSharersTableAlone() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        ProcessFiles sibling = p.fork(() -> "", true);
        sibling.closeRange(3, 100, CLOSE_RANGE_UNSHARE);
        assertThat(sibling.fds().descriptors()).containsExactly(0, 1, 2);
        assertThat(p.fds().descriptors()).contains(fd);
    }
}
