package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

class DirentsTest extends FsTestBase {

    /** The names in a buffer of linux_dirent64 records, checking each record's layout on the way. */
    static List<String> names(ByteBuffer filled) {
        ByteBuffer b = filled.duplicate().flip().order(ByteOrder.LITTLE_ENDIAN);
        List<String> names = new ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            int reclen = b.getShort(at + 16) & 0xffff;
            assertThat(reclen % 8).as("d_reclen is 8-aligned").isZero();
            int end = at + 19;
            while (b.get(end) != 0) {
                end++;
            }
            assertThat(end - at + 1).isLessThanOrEqualTo(reclen);
            names.add(new String(b.array(), at + 19, end - at - 19, StandardCharsets.UTF_8));
            b.position(at + reclen);
        }
        return names;
    }

    @Test
    void recordsHaveInoOffsetLengthTypeAndName() throws Exception {
        int fd = open("/etc", O_RDONLY | O_DIRECTORY);
        ByteBuffer b = ByteBuffer.allocate(4096);
        int n = p.getdents64(fd, b);
        assertThat(n).isEqualTo(b.position());
        ByteBuffer r = b.duplicate().flip().order(ByteOrder.LITTLE_ENDIAN);
        // ".": ino of /etc, d_off 1, reclen 24, DT_DIR
        assertThat(r.getLong(0)).isEqualTo(p.stat("/etc").ino());
        assertThat(r.getLong(8)).isEqualTo(1);
        assertThat(r.getShort(16)).isEqualTo((short) 24);
        assertThat(r.get(18)).isEqualTo((byte) DT_DIR);
        assertThat(r.get(19)).isEqualTo((byte) '.');
        // "..": the root's ino
        assertThat(r.getLong(24)).isEqualTo(p.stat("/").ino());
        // "hosts": d_off 3, reclen align8(19 + 5 + 1) = 32, DT_REG
        assertThat(r.getLong(48)).isEqualTo(p.stat("/etc/hosts").ino());
        assertThat(r.getLong(56)).isEqualTo(3);
        assertThat(r.getShort(64)).isEqualTo((short) 32);
        assertThat(r.get(66)).isEqualTo((byte) DT_REG);
        assertThat(n).isEqualTo(24 + 24 + 32);
        assertThat(p.getdents64(fd, ByteBuffer.allocate(4096))).isZero();
    }

    @Test
    void listingResumesWhereTheLastCallStopped() throws Exception {
        for (int i = 0; i < 10; i++) {
            create("/tmp/file" + i, "");
        }
        int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
        List<String> all = new ArrayList<>();
        ByteBuffer small = ByteBuffer.allocate(70);
        int calls = 0;
        while (p.getdents64(fd, small.clear()) > 0) {
            all.addAll(names(small));
            calls++;
        }
        assertThat(calls).isGreaterThan(3);
        assertThat(all).hasSize(12).contains(".", "..", "file0", "file9").doesNotHaveDuplicates();
        p.lseek(fd, 0, SEEK_SET);
        assertThat(p.getdents64(fd, ByteBuffer.allocate(4096))).isPositive();
    }

    @Test
    void aBufferTooSmallForOneRecordIsEinval() throws Exception {
        int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
        assertErrno(() -> p.getdents64(fd, ByteBuffer.allocate(10)), Errno.EINVAL);
    }

    @Test
    void getdentsOnAFileIsEnotdir() throws Exception {
        int fd = open("/etc/hosts", O_RDONLY);
        assertErrno(() -> p.getdents64(fd, ByteBuffer.allocate(4096)), Errno.ENOTDIR);
    }

    @Test
    void symlinksAndDevicesHaveTheirTypes() throws Exception {
        p.symlinkat("x", AT_FDCWD, "/tmp/l");
        int tmp = open("/tmp", O_RDONLY | O_DIRECTORY);
        ByteBuffer b = ByteBuffer.allocate(4096);
        p.getdents64(tmp, b);
        assertThat(b.get(48 + 18)).isEqualTo((byte) DT_LNK);
        int dev = open("/dev", O_RDONLY | O_DIRECTORY);
        ByteBuffer d = ByteBuffer.allocate(4096);
        p.getdents64(dev, d);
        assertThat(names(d)).contains("null", "zero", "urandom", "tty", "stdout");
    }
}
