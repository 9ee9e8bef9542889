package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

class StatTest extends FsTestBase {

    @Test
    void structStatHasLinuxsLayout() throws Exception {
        create("/tmp/f", "12345");
        Stat s = p.stat("/tmp/f");
        ByteBuffer b = ByteBuffer.wrap(s.toStructStat()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.capacity()).isEqualTo(144);
        assertThat(b.getLong(0)).isEqualTo(s.dev());
        assertThat(b.getLong(8)).isEqualTo(s.ino());
        assertThat(b.getLong(16)).isEqualTo(1);
        assertThat(b.getInt(24)).isEqualTo(S_IFREG | 0644);
        assertThat(b.getLong(48)).isEqualTo(5);
        assertThat(b.getLong(56)).isEqualTo(4096);
        assertThat(b.getLong(64)).isEqualTo(1);
        assertThat(b.getLong(88) * 1_000_000_000L + b.getLong(96)).isEqualTo(s.mtimeNanos());
    }

    @Test
    void statxHasLinuxsLayout() throws Exception {
        create("/tmp/f", "12345");
        Stat s = p.stat("/tmp/f");
        ByteBuffer b = ByteBuffer.wrap(p.statx(AT_FDCWD, "/tmp/f", 0, Stat.STATX_BASIC_STATS))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.capacity()).isEqualTo(256);
        assertThat(b.getInt(0)).isEqualTo(Stat.STATX_BASIC_STATS);
        assertThat(b.getInt(16)).isEqualTo(1);
        assertThat(b.getShort(28)).isEqualTo((short) (S_IFREG | 0644));
        assertThat(b.getLong(32)).isEqualTo(s.ino());
        assertThat(b.getLong(40)).isEqualTo(5);
        assertThat(b.getLong(112) * 1_000_000_000L + b.getInt(120)).isEqualTo(s.mtimeNanos());
        assertThat(b.getInt(136)).isEqualTo(Stat.major(s.dev()));
        assertThat(b.getInt(140)).isEqualTo(Stat.minor(s.dev()));
        assertErrno(() -> p.statx(AT_FDCWD, "/tmp/f", 0, 0x80000000), Errno.EINVAL);
        assertErrno(() -> p.statx(AT_FDCWD, "/tmp/f", AT_STATX_SYNC_TYPE, 0), Errno.EINVAL);
    }

    @Test
    void utimensatSetsOmitsAndNowsTheTimesOfHostAndMemoryFiles() throws Exception {
        create("/tmp/f", "x");
        for (String path : new String[] {"/data/a.txt", "/tmp/f"}) {
            p.utimensat(AT_FDCWD, path, new long[] {1_000, 5, 2_000, 7}, 0);
            assertThat(p.stat(path).atimeNanos()).as(path).isEqualTo(1_000_000_000_005L);
            assertThat(p.stat(path).mtimeNanos()).as(path).isEqualTo(2_000_000_000_007L);
            p.utimensat(AT_FDCWD, path, new long[] {0, ProcessFiles.UTIME_OMIT, 3_000, 0}, 0);
            assertThat(p.stat(path).atimeNanos()).as(path).isEqualTo(1_000_000_000_005L);
            assertThat(p.stat(path).mtimeNanos()).as(path).isEqualTo(3_000_000_000_000L);
            long before = Stat.nowNanos() - 1_000_000_000L;
            p.utimensat(AT_FDCWD, path, null, 0);                        // busybox touch: both now
            assertThat(p.stat(path).mtimeNanos()).as(path).isGreaterThan(before);
            int fd = open(path, O_RDONLY);
            p.utimensat(fd, null, new long[] {0, ProcessFiles.UTIME_NOW, 4_000, 0}, 0);   // futimens
            assertThat(p.stat(path).mtimeNanos()).as(path).isEqualTo(4_000_000_000_000L);
            p.close(fd);
        }
        assertErrno(() -> p.utimensat(AT_FDCWD, "/tmp/none", null, 0), Errno.ENOENT);
        assertErrno(() -> p.utimensat(AT_FDCWD, "/tmp/f", new long[] {0, 1_000_000_000L, 0, 0}, 0), Errno.EINVAL);
        assertErrno(() -> p.utimensat(AT_FDCWD, "/tmp/f", new long[] {Long.MAX_VALUE, 0, 0, 0}, 0), Errno.EINVAL);
        assertErrno(() -> p.utimensat(AT_FDCWD, "/tmp/f", null, 0x4000), Errno.EINVAL);
    }

    @Test
    void theUmaskShapesNewModes() throws Exception {
        assertThat(p.umask(027)).isEqualTo(022);
        p.close(p.open("/tmp/f", O_CREAT | O_WRONLY, 0666));
        p.mkdirat(AT_FDCWD, "/tmp/d", 0777);
        assertThat(p.stat("/tmp/f").mode() & 0777).isEqualTo(0640);
        assertThat(p.stat("/tmp/d").mode() & 0777).isEqualTo(0750);
        assertThat(p.stat("/tmp").mode() & 07777).isEqualTo(01777);
    }

    @Test
    void directoriesCountTheirSubdirectoriesInNlink() throws Exception {
        p.mkdirat(AT_FDCWD, "/tmp/a", 0755);
        p.mkdirat(AT_FDCWD, "/tmp/b", 0755);
        assertThat(p.stat("/tmp").nlink()).isEqualTo(4);
        assertThat(p.stat("/tmp").type()).isEqualTo(S_IFDIR);
    }

    @Test
    void hostFilesShowTheirHostAttributesOnTheRootDevice() throws Exception {
        Stat tool = p.stat("/bin/tool");
        assertThat(tool.mode()).isEqualTo(S_IFREG | 0755);
        assertThat(tool.size()).isEqualTo(6);
        assertThat(tool.dev()).isEqualTo(p.stat("/").dev());
    }

    @Test
    void devicesAreCharacterDevicesWithTheirNumbers() throws Exception {
        assertThat(p.stat("/dev/null").type()).isEqualTo(S_IFCHR);
        assertThat(p.stat("/dev/null").rdev()).isEqualTo(Stat.makedev(1, 3));
        assertThat(p.stat("/dev/urandom").rdev()).isEqualTo(Stat.makedev(1, 9));
        assertThat(Stat.major(Stat.makedev(259, 70000))).isEqualTo(259);
        assertThat(Stat.minor(Stat.makedev(259, 70000))).isEqualTo(70000);
    }

    @Test
    void faccessatChecksModesAndFlags() throws Exception {
        p.faccessat(AT_FDCWD, "/bin/tool", X_OK | R_OK | W_OK, 0);
        assertErrno(() -> p.faccessat(AT_FDCWD, "/etc/hosts", X_OK, 0), Errno.EACCES);
        p.faccessat(AT_FDCWD, "/etc", X_OK, 0);
        assertErrno(() -> p.faccessat(AT_FDCWD, "/etc/hosts", 8, 0), Errno.EINVAL);
        assertErrno(() -> p.faccessat(AT_FDCWD, "/etc/hosts", R_OK, 0x1), Errno.EINVAL);
        assertErrno(() -> p.faccessat(AT_FDCWD, "/etc/none", F_OK, 0), Errno.ENOENT);
    }
}
