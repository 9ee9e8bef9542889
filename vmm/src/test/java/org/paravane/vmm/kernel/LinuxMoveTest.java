package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.persist.MachineImage;

/**
 * A Linux process whose VM moves to another VM mid-run (as a backend change does) finishes with the output of an
 * unmoved run: its registers, FS base, x87/SSE state, memory and sleeping state all move.
 */
class LinuxMoveTest {
    private final GuestStack home = GuestStack.emulated();
    private final GuestStack away = GuestStack.emulated();

    @AfterEach
    void close() throws Exception {
        home.close();
        away.close();
    }

    private static String unmoved(GuestStack stack) throws Exception {
        return LinuxPrograms.run(stack, FileSystem.Options.emptyRoot(), "moving").stdout();
    }

    @Test
    void aMovedProcessPrintsWhatAnUnmovedOneDoes() throws Exception {
        String expected = unmoved(home);
        assertThat(expected).hasLineCount(20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LinuxPrograms.Started s = LinuxPrograms.start(home, FileSystem.Options.emptyRoot(), out, "moving");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (out.toString().lines().count() < 5 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        GuestKernel k = s.kernel();
        for (GuestStack to : new GuestStack[] {away, home}) {
            k.pause();
            assertThat(s.task().state()).isNotEqualTo(Task.State.EXITED);
            VirtualMachine old = k.vm();
            try (MachineImage image = MachineImage.capture(old)) {
                k.replaceVm(image.restore(to.backend));
                old.close();
            } finally {
                k.resume();
            }
            Thread.sleep(200);
        }
        GuestStack.awaitEnd(k);
        assertThat(s.task().exitCode()).isZero();
        assertThat(out.toString()).isEqualTo(expected);
    }

    /** A forked process tree (guests/linux/fork.c "tree") moved away and back mid-run ends as an unmoved one does. */
    @Test
    void aMovedProcessTreeEndsAsAnUnmovedOne() throws Exception {
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
            k.pause();
            if (to == away) {
                assertThat(k.tasks()).as("the children run while the VM moves").hasSizeGreaterThan(1);
            }
            VirtualMachine old = k.vm();
            try (MachineImage image = MachineImage.capture(old)) {
                k.replaceVm(image.restore(to.backend));
                old.close();
            } finally {
                k.resume();
            }
        }
        GuestStack.awaitEnd(k);
        assertThat(s.task().exitCode()).isZero();
        assertThat(out.toString()).isEqualTo(expected);
    }
}
