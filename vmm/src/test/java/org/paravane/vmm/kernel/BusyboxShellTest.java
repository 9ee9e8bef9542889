package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's busybox-static {@code sh}, unmodified, runs pipelines and scripts as a guest on the software CPU with the
 * output (stdout, stderr) and exit status of the same shell run natively, chrooted into the same root folder
 * ({@link NativeChroot}): /bin holds busybox and a link per applet, /data some files, /scripts a {@code #!} script.
 */
class BusyboxShellTest {
    @TempDir
    static Path root;

    @BeforeAll
    static void makeRoot() throws Exception {
        Path busybox = LinuxPrograms.realProgram("busybox");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String a : LinuxPrograms.runNative(busybox, List.of("--list"), root, new byte[0]).stdout().split("\n")) {
            if (!a.isBlank() && !a.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(a.strip()), Path.of("busybox"));
            }
        }
        Path data = Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("lua/lib"));
        for (String f : List.of("lua/a.lua", "lua/b.lua", "lua/lib/c.lua", "data/d.lua", "data/notes.txt")) {
            Files.writeString(root.resolve(f), "-- " + f + "\n");
        }
        Files.writeString(data.resolve("words.txt"), "pear\nbanana\napple\ncherry\nbanana\nzebra\nabacus\n");
        Random r = new Random(15);
        byte[] bin2 = new byte[64 * 1024];
        for (int i = 0; i < bin2.length; i++) {
            bin2[i] = (byte) (i % 199 < 100 ? r.nextInt(8) : i);
        }
        Files.write(data.resolve("f"), bin2);
        Path scripts = Files.createDirectories(root.resolve("scripts"));
        Path script = scripts.resolve("count.sh");
        Files.writeString(script, """
                #!/bin/sh
                # counts its arguments, then says where it runs
                echo "$# args: $*"
                for a in "$@"; do printf '<%s>' "$a"; done; echo
                exit $#
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        FileTime fixed = FileTime.fromMillis(1_700_000_000_000L);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                Files.setLastModifiedTime(p, fixed);
            }
        }
    }

    /** {@code sh -c script} from /data, guest and native, compared. */
    private static LinuxPrograms.Run sameAsNative(String script) throws Exception {
        List<String> args = List.of("sh", "-c", "cd /data && " + script);
        LinuxPrograms.Run expected = NativeChroot.run(root, "/", prepend("/bin/busybox", args), new byte[0], 120);
        LinuxPrograms.Run actual;
        try (GuestStack s = GuestStack.emulated()) {
            actual = LinuxPrograms.run(s, "sh", LinuxPrograms.realProgram("busybox"), args, root, new byte[0], 300);
        }
        assertThat(actual.stdout()).as("stdout of sh -c '%s'; guest run: %s; native: %s", script, actual, expected)
                .isEqualTo(expected.stdout());
        assertThat(actual.stderr()).as("stderr of sh -c '%s'; guest run: %s", script, actual).isEqualTo(expected.stderr());
        assertThat(actual.exitCode()).as("exit status of sh -c '%s'; guest run: %s", script, actual)
                .isEqualTo(expected.exitCode());
        return actual;
    }

    private static List<String> prepend(String first, List<String> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).toList();
    }

    @Test
    void builtinsAndExitCodes() throws Exception {
        sameAsNative("false; echo $?; ! true; echo $?; x=5; echo $((x * 7 + 1)); exit 42");
        sameAsNative("echo out; echo err >&2; return 2 2>/dev/null || exit 3");
    }

    @Test
    void aPipeline() throws Exception {
        sameAsNative("echo hi | cat");
        assertThat(sameAsNative("ls | sort | head").stdout()).contains("words.txt");
        sameAsNative("ls / | sort -r | head -n 3");
        sameAsNative("sort words.txt | uniq -c | sort -rn | head -n 2");
    }

    @Test
    void findAcrossTheRoot() throws Exception {
        // /proc differs (the guest's is its own): its errors are not compared, the count is
        assertThat(sameAsNative("find / -name \"*.lua\" 2>/dev/null | wc -l").stdout().strip()).isEqualTo("4");
    }

    @Test
    void gzipThroughAPipe() throws Exception {
        sameAsNative("gzip -c f | gunzip | sha256sum; sha256sum f");
    }

    @Test
    void loopsSubshellsAndCommandSubstitution() throws Exception {
        sameAsNative("for i in 1 2 3; do echo \"i=$i\"; done; i=0; while [ $i -lt 50 ]; do i=$((i + 1)); done; echo $i");
        sameAsNative("(cd /bin && pwd); pwd; (exit 3); echo \"sub=$?\"; (echo a; echo b) | wc -l");
        sameAsNative("n=$(wc -l < words.txt); echo \"n=$n $(basename /a/b/c.txt .txt) `echo back`\"; echo $(echo $(echo nested))");
    }

    @Test
    void aScriptWithAShebang() throws Exception {
        sameAsNative("/scripts/count.sh one 'two words' three; echo \"status $?\"");
        sameAsNative("sh /scripts/count.sh; echo \"status $?\"");
    }

    @Test
    void trapRunsHandlersAndTheExitTrap() throws Exception {
        sameAsNative("trap 'echo bye' EXIT; trap 'echo got USR1' USR1; kill -USR1 $$; echo after");
        sameAsNative("trap 'echo int; exit 5' INT; kill -INT $$; echo never");
    }

    @Test
    void backgroundJobsAndWait() throws Exception {
        sameAsNative("(sleep 0.2; echo one) & (echo two) & wait; echo done");
        // Whether ash prints "Terminated" for the killed job depends on whether SIGCHLD reaped it before `wait` ran
        // (natively too: seen both ways), so that notice is not compared; the wait status is.
        sameAsNative("(exit 7) & wait $!; echo \"bg=$?\"; { sleep 0.1 & pid=$!; kill $pid; wait $pid; echo \"killed=$?\"; } 2>/dev/null");
    }

    @Test
    void aFreshEmptyFileIsRemovedAndChecked() throws Exception {
        // busybox's rm-removes-file and md5sum-verifies-non-binary-file, as runtest runs them (sh -x -e, in a fresh
        // folder)
        sameAsNative("mkdir -p t && cd t && touch foo && busybox rm foo; echo \"rm=$?\"; ls -la; test ! -f foo; echo \"gone=$?\"; cd .. && rm -rf t");
        sameAsNative("mkdir -p t && cd t && touch foo && md5sum foo > bar; cat bar; busybox md5sum -c bar; echo \"c=$?\"; cd .. && rm -rf t");
    }

    @Test
    void anExecutableCalledByARelativePathOrALink() throws Exception {
        // busybox's "busybox as unknown name" and "./busybox-suffix": glibc asks /proc/self/exe for the executable's
        // folder and aborts unless the answer is absolute (Linux shows the file itself, its links followed)
        sameAsNative("cd /tmp && ln -s /bin/busybox unknown && ./unknown; echo \"status $?\"; ln -s /bin/busybox busybox-x"
                + " && ./busybox-x unknown; echo \"status $?\"; cd /bin && ./readlink /proc/self/exe");
    }

    @Test
    void chmodAndHardLinks() throws Exception {
        // cp's, cpio's and ln's cases: chmod and link were missing (ENOSYS); a host file is copied up, never changed
        sameAsNative("cd /tmp && echo a > f && chmod 640 f && stat -c '%a %h' f && ln f g && stat -c '%a %h' g"
                + " && stat -c %i f g | uniq | wc -l && echo b >> g && cat f && rm f && stat -c %h g; ln g /data/x;"
                + " echo \"across mounts $?\"; chmod 600 /data/notes.txt && stat -c %a /data/notes.txt"
                + " && ln /data/notes.txt /data/n2 && stat -c '%a %h' /data/n2 && rm /data/n2 && stat -c %h /data/notes.txt"
                + " && chmod 644 /data/notes.txt; ln /data /data/d; echo \"a directory $?\"");
    }

    @Test
    void procListsTheProcesses() throws Exception {
        // busybox's pidof and taskset cases: /proc had only self, so pidof found nothing; a script's name is its comm;
        // sched_getaffinity answered ESRCH for any other process
        sameAsNative("sleep 60 & p=$!; sleep 1; pidof sleep | grep -c -w $p; cat /proc/$p/comm; tr '\\0' ' ' < /proc/$p/cmdline;"
                + " echo; readlink /proc/$p/exe; cut -d' ' -f2,4 /proc/$p/stat | sed \"s/ $$\\$/ parent/\"; kill $p;"
                + " pidof nosuchprogram; echo \"none $?\"; /scripts/count.sh a >/dev/null; ls -d /proc/[0-9]* | grep -c -w $$;"
                + " taskset -p $$ >/dev/null; echo \"affinity of another process $?\"");
    }

    @Test
    void aMissingCommandAndAMissingFile() throws Exception {
        sameAsNative("nosuchcommand; echo \"status $?\"");
        sameAsNative("cat /data/none.txt; echo \"status $?\"");
    }
}
