package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * A Linux process whose VM moves mid-run (as {@code paravane:migrate} and a backend change move it) finishes with the
 * output of an unmoved run: its registers, FS base, x87/SSE state, memory, sleeping state and open files all move.
 * The move point is a system call count, reached through the task's {@link SyscallStats#afterCall} hook rather than
 * by polling. Emulated → emulated is the pair this host can run; KVM pairs skip with the reason.
 */
class LinuxMoveTest {
    @TempDir
    Path root;

    /** Moves {@code k}'s VM to {@code to} once {@code t} has made {@code calls} system calls. */
    private static void moveAt(GuestKernel k, Task t, long calls, GuestStack to) throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        t.syscallStats().afterCall(calls, reached::countDown);
        assertThat(reached.await(300, TimeUnit.SECONDS)).as("%s reached system call %d", t, calls).isTrue();
        GuestStack.moveVm(k, to, () -> assertThat(t.state()).as("moved mid-run: still running")
                .isNotEqualTo(Task.State.EXITED));
    }

    /** guests/linux/moving: 20 steps kept in TLS and SSE registers, a write and a 40 ms nanosleep each. */
    @Test
    void aProcessMovedAwayAndBackPrintsWhatAnUnmovedOnePrints() throws Exception {
        try (GuestStack home = GuestStack.emulated(); GuestStack away = GuestStack.emulated()) {
            String expected = LinuxPrograms.run(home, FileSystem.Options.emptyRoot(), "moving").stdout();
            assertThat(expected).hasLineCount(20);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LinuxPrograms.Started s = LinuxPrograms.start(home, FileSystem.Options.emptyRoot(), out, "moving");
            long startup = s.task().syscallStats().total();
            moveAt(s.kernel(), s.task(), startup + 10, away);    // about 5 steps in (2 calls a step)
            moveAt(s.kernel(), s.task(), startup + 20, home);    // and back, 5 steps later
            GuestStack.awaitEnd(s.kernel());
            assertThat(s.task().exitCode()).isZero();
            assertThat(out.toString()).isEqualTo(expected);
        }
    }

    private List<String> sha256sumArgs() throws Exception {
        Files.createDirectories(root.resolve("data"));
        Random r = new Random(14);
        for (String name : new String[] {"a.bin", "b.bin"}) {
            byte[] b = new byte[name.equals("a.bin") ? 256 << 10 : 8 << 20];   // a small file first, then a big one
            r.nextBytes(b);
            Files.write(root.resolve("data").resolve(name), b);
        }
        return List.of("sha256sum", "data/a.bin", "data/b.bin", "data/a.bin");
    }

    /** busybox hashing files it reads from the root, moved when it is about half-way through the big one. */
    private void busyboxMovedMidRun(GuestStack home, GuestStack away) throws Exception {
        Path busybox = LinuxPrograms.realProgram("busybox");
        List<String> args = sha256sumArgs();
        LinuxPrograms.Run expected = LinuxPrograms.run(home, "unmoved", busybox, args, root, new byte[0], 600);
        assertThat(expected.exitCode()).as("%s", expected).isZero();
        assertThat(expected.stdout()).as("%s", expected).contains("data/a.bin").contains("data/b.bin");

        LinuxPrograms.Started moving = LinuxPrograms.start(home, "moved", busybox, args, root, new byte[0]);
        // busybox reads 4 KiB at a time (64 reads for a.bin, 2,048 for b.bin, 64 for a.bin again, about 2,200 system
        // calls in all), and its output is a pipe, so it prints every line at exit.
        moveAt(moving.kernel(), moving.task(), 1_100, away);
        LinuxPrograms.Run moved = moving.await(600);
        assertThat(moving.kernel().vm().backendName()).isEqualTo(away.name());
        assertThat(moved.stdout()).as("%s", moved).isEqualTo(expected.stdout());
        assertThat(moved.exitCode()).isEqualTo(expected.exitCode());
    }

    @Test
    void busyboxMovedToAnotherEmulatedVmPrintsWhatAnUnmovedRunPrints() throws Exception {
        try (GuestStack a = GuestStack.emulated(); GuestStack b = GuestStack.emulated()) {
            busyboxMovedMidRun(a, b);
        }
    }

    @Test
    void busyboxMovedFromTheSoftwareCpuToKvm() throws Exception {
        try (GuestStack kvm = GuestStack.kvm(); GuestStack emulated = GuestStack.emulated()) {
            busyboxMovedMidRun(emulated, kvm);
        }
    }

    /** A forked process tree (guests/linux/fork.c "tree") moved away and back mid-run ends as an unmoved one does. */
    @Test
    void aMovedProcessTreeEndsAsAnUnmovedOne() throws Exception {
        try (GuestStack home = GuestStack.emulated(); GuestStack away = GuestStack.emulated()) {
            processTreeMovedMidRun(home, away);
        }
    }

    private static void processTreeMovedMidRun(GuestStack home, GuestStack away) throws Exception {
        String expected = LinuxPrograms.run(home, FileSystem.Options.emptyRoot(), "fork", "tree").stdout();
        assertThat(expected).contains("child 3: exit").doesNotContain("FAIL");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LinuxPrograms.Started s = LinuxPrograms.start(home, FileSystem.Options.emptyRoot(), out, "fork", "tree");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!out.toString().contains("tree: started") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        GuestKernel k = s.kernel();
        for (GuestStack to : new GuestStack[] {away, home}) {
            Thread.sleep(50);
            GuestStack.moveVm(k, to, () -> {
                if (to == away) {
                    assertThat(k.tasks()).as("the children run while the VM moves").hasSizeGreaterThan(1);
                }
            });
        }
        GuestStack.awaitEnd(k);
        assertThat(s.task().exitCode()).isZero();
        assertThat(out.toString()).isEqualTo(expected);
    }
}
