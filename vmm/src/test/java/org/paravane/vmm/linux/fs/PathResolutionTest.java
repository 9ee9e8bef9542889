package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

class PathResolutionTest extends FsTestBase {

    @Test
    void dotAndDotDotAtTheRootStayAtTheRoot() throws Exception {
        assertThat(contents("/../../etc/./hosts")).startsWith("127.0.0.1");
        assertThat(contents("/etc/../../../etc/hosts")).startsWith("127.0.0.1");
        assertThat(p.stat("/..").ino()).isEqualTo(p.stat("/").ino());
    }

    @Test
    void repeatedSlashesAreOne() throws Exception {
        assertThat(contents("//etc///hosts")).startsWith("127.0.0.1");
    }

    @Test
    void emptyPathIsEnoent() {
        assertErrno(() -> open("", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> p.stat(""), Errno.ENOENT);
    }

    @Test
    void missingComponentIsEnoent() {
        assertErrno(() -> open("/etc/nothing", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/nothing/hosts", O_RDONLY), Errno.ENOENT);
    }

    @Test
    void aFileUsedAsADirectoryIsEnotdir() {
        assertErrno(() -> open("/etc/hosts/x", O_RDONLY), Errno.ENOTDIR);
        assertErrno(() -> open("/etc/hosts/.", O_RDONLY), Errno.ENOTDIR);
    }

    @Test
    void trailingSlashOnAFileIsEnotdir() throws Exception {
        assertErrno(() -> open("/etc/hosts/", O_RDONLY), Errno.ENOTDIR);
        assertErrno(() -> p.stat("/etc/hosts/"), Errno.ENOTDIR);
        assertThat(p.stat("/etc/").type()).isEqualTo(S_IFDIR);
    }

    @Test
    void tooLongPathsAndNamesAreEnametoolong() {
        assertErrno(() -> open("/" + "a/".repeat(2048), O_RDONLY), Errno.ENAMETOOLONG);
        assertErrno(() -> open("/tmp/" + "n".repeat(256), O_RDONLY | O_CREAT), Errno.ENAMETOOLONG);
    }

    @Test
    void aNameOf255BytesIsFine() throws Exception {
        create("/tmp/" + "n".repeat(255), "ok");
        assertThat(contents("/tmp/" + "n".repeat(255))).isEqualTo("ok");
    }

    @Test
    void relativeAndAbsoluteSymlinksAreFollowed() throws Exception {
        p.symlinkat("hosts", AT_FDCWD, "/etc/relative");
        p.symlinkat("/etc/hosts", AT_FDCWD, "/tmp/absolute");
        p.symlinkat("../etc", AT_FDCWD, "/tmp/etcdir");
        assertThat(contents("/etc/relative")).startsWith("127.0.0.1");
        assertThat(contents("/tmp/absolute")).startsWith("127.0.0.1");
        assertThat(contents("/tmp/etcdir/hosts")).startsWith("127.0.0.1");
        assertThat(p.lstat("/tmp/absolute").type()).isEqualTo(S_IFLNK);
        assertThat(p.stat("/tmp/absolute").type()).isEqualTo(S_IFREG);
    }

    @Test
    void symlinkLoopsAreEloop() throws Exception {
        p.symlinkat("b", AT_FDCWD, "/tmp/a");
        p.symlinkat("a", AT_FDCWD, "/tmp/b");
        assertErrno(() -> open("/tmp/a", O_RDONLY), Errno.ELOOP);
    }

    @Test
    void fortyLinksAreFineAndFortyOneAreEloop() throws Exception {
        create("/tmp/f", "end");
        p.symlinkat("f", AT_FDCWD, "/tmp/l0");
        for (int i = 1; i <= 40; i++) {
            p.symlinkat("l" + (i - 1), AT_FDCWD, "/tmp/l" + i);
        }
        assertThat(contents("/tmp/l39")).isEqualTo("end");
        assertErrno(() -> open("/tmp/l40", O_RDONLY), Errno.ELOOP);
    }

    @Test
    void oNofollowOnASymlinkIsEloop() throws Exception {
        p.symlinkat("/etc/hosts", AT_FDCWD, "/tmp/link");
        assertErrno(() -> open("/tmp/link", O_RDONLY | O_NOFOLLOW), Errno.ELOOP);
        int fd = open("/tmp/link", O_PATH | O_NOFOLLOW);
        assertThat(p.fstat(fd).type()).isEqualTo(S_IFLNK);
    }

    @Test
    void oDirectoryOnAFileIsEnotdir() {
        assertErrno(() -> open("/etc/hosts", O_RDONLY | O_DIRECTORY), Errno.ENOTDIR);
    }

    @Test
    void directoriesOpenForWritingAreEisdir() {
        assertErrno(() -> open("/etc", O_WRONLY), Errno.EISDIR);
        assertErrno(() -> open("/tmp", O_RDONLY | O_CREAT), Errno.EISDIR);
    }

    @Test
    void oCreatOExclOnAnExistingNameIsEexist() throws Exception {
        create("/tmp/x", "1");
        assertErrno(() -> open("/tmp/x", O_WRONLY | O_CREAT | O_EXCL), Errno.EEXIST);
        p.symlinkat("/tmp/nowhere", AT_FDCWD, "/tmp/dangling");
        assertErrno(() -> open("/tmp/dangling", O_WRONLY | O_CREAT | O_EXCL), Errno.EEXIST);
    }

    @Test
    void oCreatWithODirectoryIsEinval() {
        assertErrno(() -> open("/tmp/d", O_RDONLY | O_CREAT | O_DIRECTORY), Errno.EINVAL);
    }

    @Test
    void oTmpfileIsNotSupported() {
        assertErrno(() -> open("/tmp", O_RDWR | O_TMPFILE), Errno.EOPNOTSUPP);
    }

    @Test
    void oCreatWithATrailingSlashIsEisdir() throws Exception {
        create("/tmp/f", "");
        assertErrno(() -> open("/tmp/new/", O_WRONLY | O_CREAT), Errno.EISDIR);
        assertErrno(() -> open("/tmp/f/", O_RDONLY | O_CREAT), Errno.EISDIR);
    }

    @Test
    void oCreatThroughADanglingLinkCreatesItsTarget() throws Exception {
        p.symlinkat("/tmp/made", AT_FDCWD, "/tmp/dangling");
        p.close(open("/tmp/dangling", O_WRONLY | O_CREAT));
        assertThat(p.lstat("/tmp/made").type()).isEqualTo(S_IFREG);
    }

    @Test
    void oTruncEmptiesAndOAppendAppends() throws Exception {
        create("/tmp/f", "hello");
        int fd = open("/tmp/f", O_WRONLY | O_APPEND);
        p.lseek(fd, 0, SEEK_SET);
        write(fd, " world");
        p.close(fd);
        assertThat(contents("/tmp/f")).isEqualTo("hello world");
        p.close(open("/tmp/f", O_WRONLY | O_TRUNC));
        assertThat(contents("/tmp/f")).isEmpty();
    }

    @Test
    void dirfdRelativeLookupsStartAtTheDirectory() throws Exception {
        int etc = open("/etc", O_RDONLY | O_DIRECTORY);
        int fd = p.openat(etc, "hosts", O_RDONLY, 0);
        assertThat(readAll(fd)).startsWith("127.0.0.1");
        int file = open("/etc/hosts", O_RDONLY);
        assertErrno(() -> p.openat(file, "x", O_RDONLY, 0), Errno.ENOTDIR);
        assertErrno(() -> p.openat(99, "x", O_RDONLY, 0), Errno.EBADF);
        // an absolute path ignores dirfd, even a bad one
        assertThat(p.openat(99, "/etc/hosts", O_RDONLY, 0)).isPositive();
    }

    @Test
    void atFdcwdLookupsStartAtTheWorkingDirectory() throws Exception {
        p.chdir("/etc");
        assertThat(p.openat(AT_FDCWD, "hosts", O_RDONLY, 0)).isPositive();
        assertThat(new String(p.getcwd(100), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("/etc\0");
    }

    @Test
    void atSymlinkNofollowStatsTheLink() throws Exception {
        p.symlinkat("/etc/hosts", AT_FDCWD, "/tmp/link");
        assertThat(p.fstatat(AT_FDCWD, "/tmp/link", AT_SYMLINK_NOFOLLOW).type()).isEqualTo(S_IFLNK);
        assertThat(p.fstatat(AT_FDCWD, "/tmp/link", 0).type()).isEqualTo(S_IFREG);
        assertErrno(() -> p.fstatat(AT_FDCWD, "/tmp/link", 0x8), Errno.EINVAL);
    }

    @Test
    void atEmptyPathStatsTheDescriptor() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        assertThat(p.fstatat(fd, "", AT_EMPTY_PATH).size()).isEqualTo(20);
        assertErrno(() -> p.fstatat(fd, "", 0), Errno.ENOENT);
    }
}
