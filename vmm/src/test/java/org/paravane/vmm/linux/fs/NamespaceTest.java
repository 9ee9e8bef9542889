package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

/** mkdir, rmdir, unlink, rename, chdir and getcwd. */
class NamespaceTest extends FsTestBase {

    @Test
    void mkdirMakesADirectoryAndRefusesExistingNames() throws Exception {
        p.mkdirat(AT_FDCWD, "/tmp/d", 0755);
        assertThat(p.stat("/tmp/d").type()).isEqualTo(S_IFDIR);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/tmp/d", 0755), Errno.EEXIST);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/tmp/d/", 0755), Errno.EEXIST);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/", 0755), Errno.EEXIST);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/tmp/none/d", 0755), Errno.ENOENT);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/etc/hosts/d", 0755), Errno.ENOTDIR);
        p.mkdirat(AT_FDCWD, "/tmp/trailing/", 0755);
        assertThat(p.stat("/tmp/trailing").type()).isEqualTo(S_IFDIR);
    }

    @Test
    void rmdirRules() throws Exception {
        p.mkdirat(AT_FDCWD, "/tmp/d", 0755);
        create("/tmp/d/f", "");
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/d", AT_REMOVEDIR), Errno.ENOTEMPTY);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/d/f", AT_REMOVEDIR), Errno.ENOTDIR);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/d/.", AT_REMOVEDIR), Errno.EINVAL);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/d/..", AT_REMOVEDIR), Errno.ENOTEMPTY);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/", AT_REMOVEDIR), Errno.EBUSY);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp", AT_REMOVEDIR), Errno.EBUSY);
        p.unlinkat(AT_FDCWD, "/tmp/d/f", 0);
        p.unlinkat(AT_FDCWD, "/tmp/d", AT_REMOVEDIR);
        assertErrno(() -> p.stat("/tmp/d"), Errno.ENOENT);
    }

    @Test
    void unlinkRules() throws Exception {
        p.mkdirat(AT_FDCWD, "/tmp/d", 0755);
        create("/tmp/f", "");
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/d", 0), Errno.EISDIR);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/f/", 0), Errno.ENOTDIR);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/none", 0), Errno.ENOENT);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/tmp/f", 0x1), Errno.EINVAL);
        p.symlinkat("/tmp/f", AT_FDCWD, "/tmp/l");
        p.unlinkat(AT_FDCWD, "/tmp/l", 0);
        assertThat(p.stat("/tmp/f").type()).isEqualTo(S_IFREG);
    }

    @Test
    void renameReplacesFilesAndEmptyDirectories() throws Exception {
        create("/tmp/a", "A");
        create("/tmp/b", "B");
        p.renameat2(AT_FDCWD, "/tmp/a", AT_FDCWD, "/tmp/b", 0);
        assertThat(contents("/tmp/b")).isEqualTo("A");
        assertErrno(() -> p.stat("/tmp/a"), Errno.ENOENT);
        p.mkdirat(AT_FDCWD, "/tmp/d1", 0755);
        p.mkdirat(AT_FDCWD, "/tmp/d2", 0755);
        create("/tmp/d1/x", "x");
        p.renameat2(AT_FDCWD, "/tmp/d1", AT_FDCWD, "/tmp/d2", 0);
        assertThat(contents("/tmp/d2/x")).isEqualTo("x");
    }

    @Test
    void renameRefusesWhatLinuxRefuses() throws Exception {
        p.mkdirat(AT_FDCWD, "/tmp/d", 0755);
        p.mkdirat(AT_FDCWD, "/tmp/full", 0755);
        create("/tmp/full/x", "");
        create("/tmp/f", "");
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/d", AT_FDCWD, "/tmp/f", 0), Errno.ENOTDIR);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/f", AT_FDCWD, "/tmp/d", 0), Errno.EISDIR);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/d", AT_FDCWD, "/tmp/full", 0), Errno.ENOTEMPTY);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/d", AT_FDCWD, "/tmp/d/sub", 0), Errno.EINVAL);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/none", AT_FDCWD, "/tmp/x", 0), Errno.ENOENT);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/f/", AT_FDCWD, "/tmp/g", 0), Errno.ENOTDIR);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/f", AT_FDCWD, "/tmp/full/x", RENAME_NOREPLACE), Errno.EEXIST);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/f", AT_FDCWD, "/tmp/g", 0x10), Errno.EINVAL);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/.", AT_FDCWD, "/tmp/g", 0), Errno.EBUSY);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp", AT_FDCWD, "/tmp2", 0), Errno.EBUSY);
        p.renameat2(AT_FDCWD, "/tmp/f", AT_FDCWD, "/tmp/f", 0);
        assertThat(p.stat("/tmp/f").type()).isEqualTo(S_IFREG);
    }

    @Test
    void getcwdNeedsRoomForThePathAndItsNul() throws Exception {
        p.chdir("/etc");
        assertThat(new String(p.getcwd(5), StandardCharsets.UTF_8)).isEqualTo("/etc\0");
        assertErrno(() -> p.getcwd(4), Errno.ERANGE);
        assertErrno(() -> p.getcwd(0), Errno.ERANGE);
    }

    @Test
    void getcwdOfARemovedDirectoryIsEnoent() throws Exception {
        p.mkdirat(AT_FDCWD, "/tmp/d", 0755);
        p.chdir("/tmp/d");
        p.unlinkat(AT_FDCWD, "/tmp/d", AT_REMOVEDIR);
        assertErrno(() -> p.getcwd(100), Errno.ENOENT);
    }

    @Test
    void chdirAndFchdirNeedDirectories() throws Exception {
        assertErrno(() -> p.chdir("/etc/hosts"), Errno.ENOTDIR);
        assertErrno(() -> p.chdir("/none"), Errno.ENOENT);
        int fd = open("/etc/hosts", O_RDONLY);
        assertErrno(() -> p.fchdir(fd), Errno.ENOTDIR);
        int dir = open("/data", O_RDONLY | O_DIRECTORY);
        p.fchdir(dir);
        assertThat(contents("a.txt")).isEqualTo("alpha");
        p.chdir("..");
        assertThat(new String(p.getcwd(10), StandardCharsets.UTF_8)).isEqualTo("/\0");
        p.chdir("..");
        assertThat(new String(p.getcwd(10), StandardCharsets.UTF_8)).isEqualTo("/\0");
    }

    @Test
    void theCallsWithoutADirfdStartAtTheWorkingDirectory() throws Exception {
        p.chdir("/tmp");
        p.mkdir("d", 0755);
        create("/tmp/d/f", "f");
        p.rename("d/f", "d/g");
        p.symlinkat("g", AT_FDCWD, "d/l");
        assertThat(new String(p.readlink("d/l", 10), StandardCharsets.UTF_8)).isEqualTo("g");
        p.access("d/g", R_OK | W_OK);
        p.unlink("d/l");
        p.unlink("d/g");
        p.rmdir("d");
        assertErrno(() -> p.access("d", F_OK), Errno.ENOENT);
    }

    @Test
    void symlinkRefusesEmptyTargetsAndExistingNames() throws Exception {
        assertErrno(() -> p.symlinkat("", AT_FDCWD, "/tmp/l"), Errno.ENOENT);
        p.symlinkat("t", AT_FDCWD, "/tmp/l");
        assertErrno(() -> p.symlinkat("t", AT_FDCWD, "/tmp/l"), Errno.EEXIST);
    }
}
