package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

/** /dev and /proc. */
class SpecialFilesTest extends FsTestBase {

    @Test
    void devNullSwallowsAndReadsNothing() throws Exception {
        int fd = open("/dev/null", O_RDWR);
        write(fd, "gone");
        assertThat(p.read(fd, ByteBuffer.allocate(8))).isZero();
    }

    @Test
    void devZeroReadsZeros() throws Exception {
        int fd = open("/dev/zero", O_RDONLY);
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(0, (byte) 7);
        assertThat(p.read(fd, b)).isEqualTo(16);
        assertThat(b.array()).containsOnly(0);
    }

    @Test
    void devUrandomAndRandomReadRandomBytes() throws Exception {
        for (String dev : new String[] {"/dev/urandom", "/dev/random"}) {
            int fd = open(dev, O_RDONLY);
            ByteBuffer b = ByteBuffer.allocate(64);
            assertThat(p.read(fd, b)).isEqualTo(64);
            assertThat(b.array()).as(dev).isNotEqualTo(new byte[64]);
        }
    }

    @Test
    void devTtyWithoutATerminalIsEnxio() {
        assertErrno(() -> open("/dev/tty", O_RDWR), Errno.ENXIO);
    }

    @Test
    void devStdoutIsTheProcessStdout() throws Exception {
        int fd = open("/dev/stdout", O_WRONLY);
        write(fd, "via /dev/stdout");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("via /dev/stdout");
    }

    @Test
    void procSelfExeIsALinkToTheExecutable() throws Exception {
        assertThat(new String(p.readlinkat(AT_FDCWD, "/proc/self/exe", 4096), StandardCharsets.UTF_8))
                .isEqualTo("/bin/tool");
        assertThat(new String(p.readlinkat(AT_FDCWD, "/proc/self/exe", 4), StandardCharsets.UTF_8)).isEqualTo("/bin");
        assertThat(contents("/proc/self/exe")).isEqualTo("#!tool");
        assertErrno(() -> p.readlinkat(AT_FDCWD, "/proc/self/exe", 0), Errno.EINVAL);
        assertErrno(() -> p.readlinkat(AT_FDCWD, "/etc/hosts", 10), Errno.EINVAL);
    }

    @Test
    void procSelfMapsAndCpuinfoComeFromTheirSuppliers() throws Exception {
        assertThat(contents("/proc/self/maps")).isEqualTo("maps text\n");
        assertThat(contents("/proc/cpuinfo")).isEqualTo("processor\t: 0\n");
        assertErrno(() -> open("/proc/self/maps", O_WRONLY), Errno.EACCES);
    }

    @Test
    void procSelfCwdFollowsTheWorkingDirectory() throws Exception {
        p.chdir("/etc");
        assertThat(new String(p.readlinkat(AT_FDCWD, "/proc/self/cwd", 100))).isEqualTo("/etc");
        assertThat(contents("/proc/self/cwd/hosts")).startsWith("127.0.0.1");
    }

    @Test
    void procSelfFdLinksReachTheOpenFileItself() throws Exception {
        create("/tmp/f", "data");
        int fd = open("/tmp/f", O_RDONLY);
        assertThat(new String(p.readlinkat(AT_FDCWD, "/proc/self/fd/" + fd, 100))).isEqualTo("/tmp/f");
        assertThat(new String(p.readlinkat(AT_FDCWD, "/proc/self/fd/1", 100))).isEqualTo("pipe:[1]");
        p.unlinkat(AT_FDCWD, "/tmp/f", 0);
        assertThat(new String(p.readlinkat(AT_FDCWD, "/proc/self/fd/" + fd, 100))).isEqualTo("/tmp/f (deleted)");
        assertThat(contents("/proc/self/fd/" + fd)).isEqualTo("data");
        assertErrno(() -> open("/proc/self/fd/99", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/proc/self/fd/03", O_RDONLY), Errno.ENOENT);
        int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
        ByteBuffer b = ByteBuffer.allocate(4096);
        p.getdents64(dir, b);
        assertThat(DirentsTest.names(b)).contains("0", "1", "2", Integer.toString(fd));
    }

    @Test
    void procCannotBeWritten() {
        assertErrno(() -> open("/proc/new", O_WRONLY | O_CREAT), Errno.EACCES);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/proc/self/x", 0755), Errno.EACCES);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/proc/cpuinfo", 0), Errno.EACCES);
    }
}
