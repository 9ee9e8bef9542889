package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A process over a host root (a temporary directory with {@code etc/hosts}, {@code bin/tool}, {@code data/a.txt})
 * and a sibling "outside" directory holding a secret no guest may read.
 */
abstract class FsTestBase {
    @TempDir
    Path temp;
    Path hostRoot, outside;
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
    FileSystem fs;
    ProcessFiles p;

    @BeforeEach
    void createHostTree() throws IOException {
        hostRoot = Files.createDirectories(temp.resolve("root"));
        outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host secret");
        Files.createDirectories(hostRoot.resolve("etc"));
        Files.writeString(hostRoot.resolve("etc/hosts"), "127.0.0.1 localhost\n");
        Files.createDirectories(hostRoot.resolve("bin"));
        Files.writeString(hostRoot.resolve("bin/tool"), "#!tool");
        Files.setPosixFilePermissions(hostRoot.resolve("bin/tool"), Permissions.of(0755));
        Files.createDirectories(hostRoot.resolve("data"));
        Files.writeString(hostRoot.resolve("data/a.txt"), "alpha");
        start(new FileSystem.Options(hostRoot, false, List.of()));
    }

    void start(FileSystem.Options options) {
        start(options, Console.streams(new ByteArrayInputStream("typed\n".getBytes(StandardCharsets.UTF_8)), stdout, stderr));
    }

    void start(FileSystem.Options options, Console console) {
        fs = FileSystem.create(options, console, new SplittableRandom(7));
        p = new ProcessFiles(fs, "/bin/tool", () -> "maps text\n", () -> "processor\t: 0\n", 64);
    }

    int open(String path, int flags) throws ErrnoException {
        return p.open(path, flags, 0644);
    }

    void write(int fd, String text) throws ErrnoException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        assertThat(p.write(fd, b)).isEqualTo(b.capacity());
    }

    String readAll(int fd) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (p.read(fd, b) > 0) {
            // until end of file
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /**
     * Everything the console input {@code fd} gives until its end, waiting (on the file's queue, up to 10 s for each
     * wait) while the input's reader has not brought the next bytes yet.
     */
    String readConsole(int fd) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (true) {
            java.util.concurrent.CountDownLatch woken = new java.util.concurrent.CountDownLatch(1);
            org.paravane.vmm.kernel.wait.Waker waker = woken::countDown;
            p.fds().get(fd).waiters().add(waker);
            try {
                if (p.read(fd, b) == 0) {
                    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
                }
            } catch (org.paravane.vmm.linux.WouldBlock w) {
                assertThat(woken.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the input arrives").isTrue();
            } finally {
                p.fds().get(fd).waiters().remove(waker);
            }
        }
    }

    String contents(String path) throws ErrnoException {
        int fd = open(path, Fcntl.O_RDONLY);
        try {
            return readAll(fd);
        } finally {
            p.close(fd);
        }
    }

    void create(String path, String text) throws ErrnoException {
        int fd = open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC);
        write(fd, text);
        p.close(fd);
    }

    static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(Errno.name(((ErrnoException) e).errno())).as(e.getMessage())
                        .isEqualTo(Errno.name(errno)));
    }
}
