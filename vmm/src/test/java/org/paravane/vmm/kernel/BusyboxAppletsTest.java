package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's busybox-static, unmodified, runs single-process applets as a guest Linux process over a root folder the
 * test makes, and each gives byte for byte the output (and exit status) of the same binary run natively in that
 * folder: ls -la, cat, sort, sha256sum, a gzip/gunzip round trip, awk, sed, wc, find, od, expr.
 */
class BusyboxAppletsTest {
    @TempDir
    static Path root;

    @BeforeAll
    static void makeRoot() throws Exception {
        Path sub = Files.createDirectories(root.resolve("data/sub"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("data/words.txt"),
                "pear\nbanana\napple\ncherry\nbanana\nalpha beta gamma\nzebra\nabacus\nBanana\n");
        StringBuilder numbers = new StringBuilder();
        Random r = new Random(14);
        for (int i = 0; i < 500; i++) {
            numbers.append(r.nextInt(100_000) - 50_000).append(' ').append(r.nextInt(10)).append('\n');
        }
        Files.writeString(root.resolve("data/numbers.txt"), numbers);
        Files.writeString(sub.resolve("deep.txt"), "deep inside\n");
        byte[] bin = new byte[96 * 1024];
        for (int i = 0; i < bin.length; i++) {
            bin[i] = (byte) (i % 251 < 128 ? r.nextInt(16) : i * 7);    // compressible, not trivially
        }
        Files.write(root.resolve("data/bin.dat"), bin);
        FileTime fixed = FileTime.fromMillis(1_700_000_000_000L);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                Files.setLastModifiedTime(p, fixed);
            }
        }
    }

    private static void sameAsNative(List<String> args) throws Exception {
        sameAsNative(args, new byte[0]);
    }

    private static LinuxPrograms.Run sameAsNative(List<String> args, byte[] stdin) throws Exception {
        Path busybox = LinuxPrograms.realProgram("busybox");
        LinuxPrograms.Run expected = LinuxPrograms.runNative(busybox, args, root, stdin);
        LinuxPrograms.Run actual;
        try (GuestStack s = GuestStack.emulated()) {
            actual = LinuxPrograms.run(s, "busybox", busybox, args, root, stdin, 300);
        }
        assertThat(actual.stdout()).as("stdout of busybox %s; guest run: %s", args, actual).isEqualTo(expected.stdout());
        assertThat(actual.out()).as("stdout bytes of busybox %s", args).isEqualTo(expected.out());
        assertThat(actual.stderr()).as("stderr of busybox %s", args).isEqualTo(expected.stderr());
        assertThat(actual.exitCode()).as("exit status of busybox %s; guest run: %s", args, actual)
                .isEqualTo(expected.exitCode());
        return actual;
    }

    @Test
    void ls() throws Exception {
        // -a only where '..' is a host folder too: the guest's / is not the host folder's (it has /tmp, /dev, /proc).
        sameAsNative(List.of("ls", "-la", "data/sub"));
        sameAsNative(List.of("ls", "-l", "data"));
    }

    @Test
    void catSortAndWc() throws Exception {
        sameAsNative(List.of("cat", "data/words.txt", "data/sub/deep.txt"));
        sameAsNative(List.of("sort", "data/words.txt"));
        sameAsNative(List.of("sort", "-n", "-k", "1", "data/numbers.txt"));
        sameAsNative(List.of("sort", "-u", "-r", "data/words.txt"));
        sameAsNative(List.of("wc", "data/words.txt", "data/numbers.txt", "data/bin.dat"));
    }

    @Test
    void sha256sum() throws Exception {
        sameAsNative(List.of("sha256sum", "data/bin.dat", "data/words.txt", "data/numbers.txt"));
    }

    @Test
    void gzipRoundTrip() throws Exception {
        LinuxPrograms.Run gz = sameAsNative(List.of("gzip", "-c", "data/bin.dat"), new byte[0]);
        assertThat(gz.out().length).as("compressed").isLessThan(96 * 1024);
        LinuxPrograms.Run back = sameAsNative(List.of("gunzip", "-c"), gz.out());
        assertThat(back.out()).isEqualTo(Files.readAllBytes(root.resolve("data/bin.dat")));
    }

    @Test
    void awkAndSed() throws Exception {
        sameAsNative(List.of("awk", "{ s += $1; n[$2]++ } END { print s, NR; for (k = 0; k < 10; k++) printf \"%d:%d \", k, n[k]; print \"\" }",
                "data/numbers.txt"));
        sameAsNative(List.of("awk", "BEGIN { printf \"%.6f %e %g\\n\", atan2(1, 1) * 4, 1 / 3, 2 ^ 0.5 }"));
        sameAsNative(List.of("sed", "-e", "s/an/AN/g", "-e", "/^b/d", "-e", "3q", "data/words.txt"));
    }

    @Test
    void findOdAndExpr() throws Exception {
        sameAsNative(List.of("find", "data", "-name", "*.txt"));
        sameAsNative(List.of("find", "data", "-type", "d"));
        sameAsNative(List.of("od", "-A", "x", "-t", "x1z", "data/words.txt"));
        sameAsNative(List.of("expr", "6", "*", "7", "+", "1"));
        sameAsNative(List.of("expr", "length", "hello world"));
        sameAsNative(List.of("expr", "abc", ":", "a\\(.\\)c"));
        sameAsNative(List.of("expr", "1", "/", "0"));                      // an error: message and status 2
    }

    @Test
    void aMissingFileFailsAsNatively() throws Exception {
        sameAsNative(List.of("cat", "data/none.txt"));
    }
}
