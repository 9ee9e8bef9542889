package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.vmm.persist.MachineImage;

/**
 * An unmodified Linux program (busybox hashing files it reads from the root; a single process, as fork is the next
 * issue's) moved to another backend mid-run, as {@code paravane:migrate} moves a VM, finishes with
 * output identical to an unmoved run. Emulated → emulated is the pair this host can run; KVM pairs skip with the reason.
 */
class LinuxMigrationTest {
    @TempDir
    Path root;

    private List<String> args() throws Exception {
        Files.createDirectories(root.resolve("data"));
        Random r = new Random(14);
        for (String name : new String[] {"a.bin", "b.bin"}) {
            byte[] b = new byte[name.equals("a.bin") ? 256 << 10 : 8 << 20];   // a small file first, then a big one
            r.nextBytes(b);
            Files.write(root.resolve("data").resolve(name), b);
        }
        return List.of("sha256sum", "data/a.bin", "data/b.bin", "data/a.bin");
    }

    private void movedMidRun(GuestStack home, GuestStack away) throws Exception {
        Path busybox = RealPrograms.program("busybox");
        List<String> args = args();
        RealPrograms.Run expected = RealPrograms.run(home, "unmoved", busybox, args, root, new byte[0], 600);
        assertThat(expected.exitCode()).as("%s", expected).isZero();
        assertThat(expected.stdout()).as("%s", expected).contains("data/a.bin").contains("data/b.bin");

        RealPrograms.Started moving = RealPrograms.start(home, "moved", busybox, args, root, new byte[0]);
        // Mid-run: busybox reads 4 KiB at a time (64 reads for a.bin, 2,048 for b.bin, 64 for a.bin again, about 2,200
        // system calls in all), and its output is a pipe, so it prints every line at exit: move it when it is about
        // half-way through b.bin by its system call count.
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (moving.task().syscallStats().total() < 1_100 && moving.task().state() != Task.State.EXITED
                && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        GuestKernel k = moving.kernel();
        k.pause();
        assertThat(moving.task().state()).as("moved mid-run: still running").isNotEqualTo(Task.State.EXITED);
        VirtualMachine old = k.vm();
        try (MachineImage image = MachineImage.capture(old)) {
            k.replaceVm(image.restore(away.backend));
            old.close();
        } finally {
            k.resume();
        }
        RealPrograms.Run moved = moving.await(600);
        assertThat(k.vm().backendName()).isEqualTo(away.name());
        assertThat(moved.stdout()).as("%s", moved).isEqualTo(expected.stdout());
        assertThat(moved.exitCode()).isEqualTo(expected.exitCode());
    }

    @Test
    void emulatedToEmulated() throws Exception {
        try (GuestStack a = GuestStack.emulated(); GuestStack b = GuestStack.emulated()) {
            movedMidRun(a, b);
        }
    }

    @Test
    void emulatedToKvm() throws Exception {
        try (GuestStack kvm = GuestStack.kvm(); GuestStack emulated = GuestStack.emulated()) {
            movedMidRun(emulated, kvm);
        }
    }
}
