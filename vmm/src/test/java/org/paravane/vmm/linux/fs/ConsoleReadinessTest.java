package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** poll readiness of the console's descriptors: a terminal's input when the caller has typed, other streams always. */
class ConsoleReadinessTest extends FsTestBase {

    @Test
    void aTerminalsInputIsReadableOnceTheCallerHasTyped() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        start(new FileSystem.Options(hostRoot, false, List.of()),
                Console.terminal(new PipedInputStream(keyboard), stdout, stderr, 24, 80));
        assertThat(p.fds().get(0).readiness() & PollEvents.POLLIN).isZero();
        assertThat(p.fds().get(0).waiters()).as("nothing wakes a poll on it: poll checks it again").isNull();
        keyboard.write('x');
        assertThat(p.fds().get(0).readiness() & PollEvents.POLLIN).isEqualTo(PollEvents.POLLIN);
        assertThat(p.fds().get(1).readiness()).isEqualTo(PollEvents.ALWAYS);
    }

    @Test
    void streamsThatAreNotATerminalAreAlwaysReady() throws Exception {
        assertThat(p.fds().get(0).readiness()).isEqualTo(PollEvents.ALWAYS);
        assertThat(p.fds().get(2).readiness()).isEqualTo(PollEvents.ALWAYS);
    }
}
