package org.paravane.vmm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What paravane:run refuses before any VM exists: each a usage error (status 2) naming what is wrong. */
class RunCommandTest {
    @TempDir
    Path dir;

    private static void usage(boolean oneShot, String message, String... args) {
        RunCommand run = new RunCommand(null, null, oneShot, false, name -> null);
        assertThatThrownBy(() -> run.run(null, List.of(args))).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(CommandStatus.USAGE)).hasMessageContaining(message);
    }

    private Path linuxProgram() throws Exception {
        byte[] elf;
        try (InputStream in = getClass().getResourceAsStream("/guests/hello.elf")) {
            elf = in.readAllBytes();
        }
        byte[] name = "Paravane\0".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + name.length <= elf.length; i++) {
            if (Arrays.equals(elf, i, i + name.length, name, 0, name.length)) {
                elf[i] = 'X';
            }
        }
        return Files.write(dir.resolve("prog"), elf);
    }

    @Test
    void nothingToRunPrintsTheUsage() {
        usage(false, "usage: paravane:run [options] <program> [program args...]");
    }

    @Test
    void aOneShotDetachedRunIsRefused() {
        usage(true, "--detach needs the interactive shell", "--detach", "hello");
    }

    @Test
    void aRootThatIsNoDirectoryIsNamed() throws Exception {
        usage(false, "--root " + dir.resolve("missing") + ": no such directory", "--root", dir.resolve("missing").toString(), "hello");
        Path file = Files.writeString(dir.resolve("file"), "x");
        usage(false, "--root " + file + ": not a directory", "--root", file.toString(), "hello");
    }

    @Test
    void optionsOfTheOtherKindOfProgramAreRefused() throws Exception {
        usage(false, "--root, --rw, --mount, --env and --lazy-file are for Linux programs; hello is a Paravane image", "--rw", "hello");
        usage(false, "--lazy-file are for Linux programs", "--lazy-file", "/d=pattern,size=4K", "hello");
        usage(false, "--source, --data-size and --arg are for Paravane images", "--arg", "3", linuxProgram().toString());
        usage(false, "is a Linux program: it runs alone", "hello", linuxProgram().toString());
    }
}
