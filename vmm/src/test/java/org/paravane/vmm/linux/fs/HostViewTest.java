package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.O_DIRECTORY;
import static org.paravane.vmm.linux.fs.Fcntl.O_RDONLY;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What a guest sees of host files is what a native program sees of them, so the same program prints the same
 * (busybox {@code ls -la}, {@code find}): the host's readdir order, a host folder's own times, the blocks a host
 * file really holds.
 */
class HostViewTest extends FsTestBase {

    @Test
    void aHostFolderListsInTheHostsOrder() throws Exception {
        Path dir = Files.createDirectories(hostRoot.resolve("many"));
        for (int i = 0; i < 40; i++) {
            Files.writeString(dir.resolve("name" + (i * 7919 % 40)), "");
        }
        List<String> host = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(p -> host.add(p.getFileName().toString()));
        }
        Assumptions.assumeFalse(host.equals(host.stream().sorted().toList()), "this host file system lists by name");
        int fd = open("/many", O_RDONLY | O_DIRECTORY);
        ByteBuffer b = ByteBuffer.allocate(8192);
        p.getdents64(fd, b);
        List<String> guest = new ArrayList<>(DirentsTest.names(b));
        guest.removeAll(List.of(".", ".."));
        assertThat(guest).isEqualTo(host);
    }

    @Test
    void aHostFolderShowsItsOwnTimesUntilTheLayerChangesIt() throws Exception {
        FileTime past = FileTime.fromMillis(1_500_000_000_000L);
        Files.setLastModifiedTime(hostRoot.resolve("data"), past);
        assertThat(p.stat("/data").mtimeNanos()).isEqualTo(1_500_000_000_000L * 1_000_000);
        create("/data/new.txt", "x");
        assertThat(p.stat("/data").mtimeNanos()).isGreaterThan(1_500_000_000_000L * 1_000_000);
    }

    @Test
    void aHostFileShowsTheBlocksItHolds() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(hostRoot.resolve("data/sparse").toFile(), "rw")) {
            f.setLength(1 << 20);                                  // a hole: no block allocated
        }
        assertThat(p.stat("/data/sparse").size()).isEqualTo(1 << 20);
        assertThat(p.stat("/data/sparse").blocks()).isLessThan(Stat.blocksOf(1 << 20));
    }
}
