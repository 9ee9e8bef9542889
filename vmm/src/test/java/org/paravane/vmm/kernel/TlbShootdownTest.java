package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * guests/linux/shootdown.c on a 2-vCPU VM: a thread keeps using a page on one vCPU while the main thread forks,
 * munmaps or mprotects it on the other; once the call returned, the thread's next access must see the change (the
 * child never sees a write made after fork returned, the access after munmap or mprotect faults). Without the
 * shootdown the other vCPU kept its translations until it next switched tasks, and every round failed.
 */
class TlbShootdownTest {

    private static void sameAsNative(GuestStack stack, String name) throws Exception {
        String expected = LinuxPrograms.nativeStdout(name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LinuxPrograms.Started s = LinuxPrograms.start(stack, 2, FileSystem.Options.emptyRoot(), out, name);
        GuestStack.awaitEnd(s.kernel());
        assertThat(s.task().exitCode()).as("%s exit (%s)", name, s.task().failure()).isZero();
        assertThat(out.toString()).as(name).isEqualTo(expected);
        // the race was there to lose: the other thread ran guest code of the space when the main thread changed it
        assertThat(s.kernel().shootdowns().remoteWaits()).as("vCPUs kicked and waited for").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shootdown", "shootdown-musl"})
    void onTheSoftwareCpuTheOtherVcpuSeesEveryChangeBeforeTheCallReturns(String name) throws Exception {
        try (GuestStack stack = GuestStack.emulated()) {
            sameAsNative(stack, name);
        }
    }

    @Test
    void onKvm() throws Exception {
        try (GuestStack stack = GuestStack.kvm()) {
            sameAsNative(stack, "shootdown");
        }
    }
}
