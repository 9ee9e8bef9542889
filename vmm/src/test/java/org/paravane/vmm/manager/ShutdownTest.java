package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * {@code paravane:shutdown}: a Linux guest is asked with SIGTERM and ends by itself when it can; one that ignores
 * SIGTERM is stopped once the grace period has passed, and the manager runs the next VM as before.
 */
class ShutdownTest {
    private static final Path BUSYBOX = Path.of(System.getProperty("paravane.linux.programs",
            "../guests/target/linux-programs"), "busybox").toAbsolutePath().normalize();

    private VmManager manager;

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(Files.isRegularFile(BUSYBOX), () -> "skipped: " + BUSYBOX + " was not built (the guests"
                + " build copies /bin/busybox: apt-get install busybox-static)");
        manager = new VmManager(null, Map.of("waitPolicy", "off", "pageSource", "zero", "memoryMiB", 64, "maxVms", 2));
        manager.addBackend(new EmulatedBackend(), Map.of(VirtualizationBackend.NAME, EmulatedBackend.NAME,
                VirtualizationBackend.USABLE, true));
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.deactivate();
        }
    }

    @Test
    void aProgramIgnoringSigtermIsStoppedAfterTheGracePeriodAndTheManagerRunsOn() throws Exception {
        Shell shell = start("deaf", "trap '' TERM; echo ready; while :; do :; done");
        shell.awaitReady();

        long t0 = System.nanoTime();
        assertThat(manager.shutdown("deaf", Duration.ofMillis(300))).isEqualTo(ManagedVm.State.STOPPED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("stopped once the grace period passed, not at once")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(shell.vm.isActive()).isFalse();

        Shell next = start("next", "echo ready");
        assertThat(next.vm.awaitEnd(Duration.ofMinutes(2))).as("the next VM runs to its end").isTrue();
        assertThat(next.vm.state()).isEqualTo(ManagedVm.State.FINISHED);
        assertThat(next.stdout()).isEqualTo("ready\n");
    }

    @Test
    void aProgramHandlingSigtermEndsByItself() throws Exception {
        Shell shell = start("polite", "trap 'echo bye; exit 3' TERM; echo ready; while :; do :; done");
        shell.awaitReady();

        assertThat(manager.shutdown("polite", Duration.ofMinutes(2))).isEqualTo(ManagedVm.State.FINISHED);
        assertThat(shell.stdout()).isEqualTo("ready\nbye\n");
        assertThat(shell.vm.kernel().tasks().getFirst().exitCode()).isEqualTo(3);
    }

    @Test
    void aShutdownOfAnEndedVmSaysSo() throws Exception {
        Shell shell = start("brief", "echo ready");
        assertThat(shell.vm.awaitEnd(Duration.ofMinutes(2))).isTrue();
        assertThatThrownBy(() -> manager.shutdown("brief", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brief").hasMessageContaining("ended");
    }

    private Shell start(String name, String script) throws Exception {
        Shell shell = new Shell();
        LinuxOptions linux = new LinuxOptions(FileSystem.Options.emptyRoot(),
                Console.streams(InputStream.nullInputStream(), shell.out, new ByteArrayOutputStream()));
        LinuxProcessSpec process = new LinuxProcessSpec("/bin/busybox", Files.readAllBytes(BUSYBOX),
                List.of("sh", "-c", script), List.of("PATH=/bin"));
        VmDefinition def = new VmDefinition(name, EmulatedBackend.NAME, 1, 64, null, 0,
                List.of(VmDefinition.Launch.linuxProcess("sh", process)), WaitPolicy.OFF, null, null, null, linux);
        shell.vm = manager.run(def, KernelConfig.Console.NONE);
        return shell;
    }

    /** A guest shell's output, and a signal when it has printed its first line (its trap is set by then). */
    private static final class Shell {
        final CountDownLatch ready = new CountDownLatch(1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                if (toString(StandardCharsets.UTF_8).contains("\n")) {
                    ready.countDown();
                }
            }

            @Override
            public synchronized void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
        ManagedVm vm;

        void awaitReady() throws InterruptedException {
            assertThat(ready.await(2, TimeUnit.MINUTES)).as("the guest shell printed its first line").isTrue();
        }

        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
