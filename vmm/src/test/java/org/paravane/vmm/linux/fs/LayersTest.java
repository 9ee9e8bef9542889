package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

/** The in-memory layer over the host root, read-only roots and mounts, /tmp, and the layer's snapshot. */
class LayersTest extends FsTestBase {

    @Test
    void anEmptyRootHasTheMountPointsAndAWritableTmp() throws Exception {
        start(FileSystem.Options.emptyRoot());
        create("/tmp/x", "x");
        assertThat(names("/")).containsExactly(".", "..", "dev", "proc", "tmp");
        create("/file", "in the root layer");
        assertThat(contents("/file")).isEqualTo("in the root layer");
    }

    @Test
    void aReadOnlyRootRefusesEveryWriteButTmpTakesThem() throws Exception {
        start(new FileSystem.Options(hostRoot, true, List.of()));
        assertErrno(() -> open("/data/a.txt", O_WRONLY), Errno.EROFS);
        assertErrno(() -> open("/data/a.txt", O_RDONLY | O_TRUNC), Errno.EROFS);
        assertErrno(() -> open("/data/new", O_WRONLY | O_CREAT), Errno.EROFS);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/newdir", 0755), Errno.EROFS);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/data/a.txt", 0), Errno.EROFS);
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/data/missing", 0), Errno.EROFS);
        assertErrno(() -> p.renameat2(AT_FDCWD, "/data/a.txt", AT_FDCWD, "/data/b.txt", 0), Errno.EROFS);
        assertErrno(() -> p.symlinkat("x", AT_FDCWD, "/data/l"), Errno.EROFS);
        assertErrno(() -> p.faccessat(AT_FDCWD, "/data/a.txt", W_OK, 0), Errno.EROFS);
        p.faccessat(AT_FDCWD, "/data/a.txt", R_OK, 0);
        assertErrno(() -> p.mkdirat(AT_FDCWD, "/data", 0755), Errno.EEXIST);
        create("/tmp/ok", "tmp is writable");
        assertThat(contents("/tmp/ok")).isEqualTo("tmp is writable");
        int devNull = open("/dev/null", O_WRONLY);
        write(devNull, "devices still write");
    }

    @Test
    void readOnlyMountsRefuseWritesAndReadWriteMountsWriteTheHost() throws Exception {
        Path ro = Files.createDirectories(temp.resolve("ro")), rw = Files.createDirectories(temp.resolve("rw"));
        Files.writeString(ro.resolve("f"), "read only");
        start(new FileSystem.Options(hostRoot, false,
                List.of(MountSpec.parse(ro + ":/mnt/ro:ro"), MountSpec.parse(rw + ":/mnt/rw"))));
        assertErrno(() -> open("/mnt/ro/f", O_WRONLY), Errno.EROFS);
        assertErrno(() -> open("/mnt/ro/g", O_WRONLY | O_CREAT), Errno.EROFS);
        assertThat(contents("/mnt/ro/f")).isEqualTo("read only");
        create("/mnt/rw/out", "to the host");
        assertThat(Files.readString(rw.resolve("out"))).isEqualTo("to the host");
        p.mkdirat(AT_FDCWD, "/mnt/rw/d", 0755);
        p.renameat2(AT_FDCWD, "/mnt/rw/out", AT_FDCWD, "/mnt/rw/d/moved", 0);
        assertThat(Files.readString(rw.resolve("d/moved"))).isEqualTo("to the host");
        p.unlinkat(AT_FDCWD, "/mnt/rw/d/moved", 0);
        p.unlinkat(AT_FDCWD, "/mnt/rw/d", AT_REMOVEDIR);
        assertThat(rw.resolve("d")).doesNotExist();
    }

    @Test
    void aHostFileCanBeMountedAlone() throws Exception {
        Path file = Files.writeString(temp.resolve("config"), "key=value");
        start(new FileSystem.Options(null, false, List.of(MountSpec.parse(file + ":/etc/app.conf:ro"))));
        assertThat(contents("/etc/app.conf")).isEqualTo("key=value");
        assertErrno(() -> p.unlinkat(AT_FDCWD, "/etc/app.conf", 0), Errno.EBUSY);
    }

    @Test
    void badMountOptionsAreRefusedByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MountSpec.parse("/a"))
                .hasMessageContaining("host:guest");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MountSpec.parse("/a:/b:rx"))
                .hasMessageContaining("'rx'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MountSpec.parse("/a:relative"))
                .hasMessageContaining("absolute");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MountSpec.parse("/a:/b/../c"))
                .hasMessageContaining("canonical");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(new FileSystem.Options(null, false,
                List.of(MountSpec.parse(temp.resolve("missing") + ":/m"))))).hasMessageContaining("missing");
    }

    @Test
    void aFullTmpfsIsEnospcAndUnlinkingGivesTheSpaceBack() throws Exception {
        start(new FileSystem.Options(null, false, List.of(), 8192));
        int fd = open("/tmp/big", O_WRONLY | O_CREAT);
        p.write(fd, ByteBuffer.allocate(8192));
        assertErrno(() -> p.write(fd, ByteBuffer.allocate(1)), Errno.ENOSPC);
        assertErrno(() -> create("/tmp/other", "x"), Errno.ENOSPC);
        assertThat(p.fstat(fd).size()).isEqualTo(8192);
        p.unlinkat(AT_FDCWD, "/tmp/big", 0);
        create("/tmp/other", "fits again");
        assertErrno(() -> p.ftruncate(open("/tmp/other", O_WRONLY), 1 << 20), Errno.ENOSPC);
        // the root's layer has a capacity of its own
        create("/rootfile", "x");
    }

    @Test
    void renamesAcrossMountsAreExdev() throws Exception {
        create("/tmp/f", "x");
        assertErrno(() -> p.renameat2(AT_FDCWD, "/tmp/f", AT_FDCWD, "/f", 0), Errno.EXDEV);
    }

    @Test
    void theLayerMergesWithTheHostDirectory() throws Exception {
        create("/data/b.txt", "beta");
        p.unlinkat(AT_FDCWD, "/data/a.txt", 0);
        assertThat(names("/data")).containsExactly(".", "..", "b.txt");
        create("/data/a.txt", "again");
        assertThat(contents("/data/a.txt")).isEqualTo("again");
        assertThat(names("/data")).containsExactly(".", "..", "a.txt", "b.txt");
    }

    @Test
    void writingAHostFileCopiesItUpFirst() throws Exception {
        int fd = open("/data/a.txt", O_WRONLY | O_APPEND);
        write(fd, "+more");
        assertThat(contents("/data/a.txt")).isEqualTo("alpha+more");
        assertThat(Files.readString(hostRoot.resolve("data/a.txt"))).isEqualTo("alpha");
    }

    @Test
    void renamingAHostDirectoryIsExdevAsInOverlayfs() {
        assertErrno(() -> p.renameat2(AT_FDCWD, "/data", AT_FDCWD, "/data2", 0), Errno.EXDEV);
    }

    @Test
    void renamingAHostFileMovesACopy() throws Exception {
        p.renameat2(AT_FDCWD, "/data/a.txt", AT_FDCWD, "/etc/a.txt", 0);
        assertThat(contents("/etc/a.txt")).isEqualTo("alpha");
        assertErrno(() -> p.stat("/data/a.txt"), Errno.ENOENT);
    }

    @Test
    void anUnlinkedOpenFileKeepsItsDataUntilClosed() throws Exception {
        create("/tmp/gone", "still here");
        int fd = open("/tmp/gone", O_RDWR);
        p.unlinkat(AT_FDCWD, "/tmp/gone", 0);
        assertErrno(() -> p.stat("/tmp/gone"), Errno.ENOENT);
        assertThat(p.fstat(fd).nlink()).isZero();
        write(fd, "!");
        p.lseek(fd, 0, SEEK_SET);
        assertThat(readAll(fd)).isEqualTo("!till here");
    }

    @Test
    void theLayerAndTmpSurviveASnapshotRoundTrip() throws Exception {
        create("/data/b.txt", "beta");
        create("/data/a.txt", "changed");
        p.unlinkat(AT_FDCWD, "/etc/hosts", 0);
        p.mkdirat(AT_FDCWD, "/data/sub", 0700);
        create("/data/sub/deep", "deep");
        p.symlinkat("../data/b.txt", AT_FDCWD, "/tmp/link");
        create("/tmp/t", "tmp");
        long inoBefore = p.stat("/data/b.txt").ino();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        fs.write(new DataOutputStream(bytes));

        start(new FileSystem.Options(hostRoot, false, List.of()));
        assertThat(contents("/data/a.txt")).isEqualTo("alpha");
        fs.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        p = new ProcessFiles(fs, "/bin/tool", () -> "", () -> "", 64);
        assertThat(contents("/data/a.txt")).isEqualTo("changed");
        assertThat(contents("/data/b.txt")).isEqualTo("beta");
        assertThat(contents("/data/sub/deep")).isEqualTo("deep");
        assertThat(p.stat("/data/sub").mode() & 07777).isEqualTo(0700 & ~022);
        assertThat(contents("/tmp/link")).isEqualTo("beta");
        assertThat(contents("/tmp/t")).isEqualTo("tmp");
        assertErrno(() -> p.stat("/etc/hosts"), Errno.ENOENT);
        assertThat(p.stat("/data/b.txt").ino()).isEqualTo(inoBefore);
        create("/tmp/after", "new inode");
        assertThat(p.stat("/tmp/after").ino()).isNotEqualTo(p.stat("/tmp/t").ino());
    }

    @Test
    void aSnapshotOfAnotherFormatIsRefused() {
        byte[] wrong = {0, 0, 0, 99};
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> fs.read(new DataInputStream(new ByteArrayInputStream(wrong)))).hasMessageContaining("format 99");
    }

    List<String> names(String dir) throws Exception {
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        ByteBuffer b = ByteBuffer.allocate(4096);
        p.getdents64(fd, b);
        p.close(fd);
        return DirentsTest.names(b);
    }
}
