package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.poll.Epoll;

/**
 * The console's input: its reader wakes the console's queue when the caller's input arrives (no poll checks it again
 * and again), epoll accepts it, and a read without input waits instead of blocking its vCPU.
 */
class ConsoleReadinessTest extends FsTestBase {

    @Test
    void aTerminalsInputWakesItsQueueWhenTheCallerTypes() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        start(new FileSystem.Options(hostRoot, false, List.of()),
                Console.terminal(new PipedInputStream(keyboard), stdout, stderr, 24, 80));
        OpenFile stdin = p.fds().get(0);
        CountDownLatch woken = new CountDownLatch(1);
        stdin.waiters().add(woken::countDown, PollEvents.POLLIN);
        assertThat(stdin.readiness() & PollEvents.POLLIN).isZero();
        assertThat(stdin.readiness() & PollEvents.POLLOUT).as("a terminal is writable").isNotZero();
        assertThatThrownBy(() -> p.read(0, ByteBuffer.allocate(8))).isInstanceOf(WouldBlock.class);
        keyboard.write("ls\n".getBytes());
        keyboard.flush();
        assertThat(woken.await(10, TimeUnit.SECONDS)).as("the typed line wakes the queue").isTrue();
        assertThat(stdin.readiness() & PollEvents.POLLIN).isEqualTo(PollEvents.POLLIN);
        ByteBuffer b = ByteBuffer.allocate(8);
        assertThat(p.read(0, b)).isEqualTo(3);
        assertThat(new String(b.array(), 0, 3)).isEqualTo("ls\n");
        assertThat(stdin.readiness() & PollEvents.POLLIN).as("read: nothing more yet").isZero();
        assertThat(p.fds().get(1).readiness()).isEqualTo(PollEvents.ALWAYS);
    }

    @Test
    void epollWatchesTheConsoleAndReportsItOnceTheCallerTypes() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        start(new FileSystem.Options(hostRoot, false, List.of()),
                Console.terminal(new PipedInputStream(keyboard), stdout, stderr, 24, 80));
        Epoll epoll = new Epoll();
        epoll.ctl(Epoll.EPOLL_CTL_ADD, 0, p.fds().get(0), PollEvents.POLLIN, 42);
        assertThat(epoll.collect(4)).isEmpty();
        CountDownLatch woken = new CountDownLatch(1);
        epoll.waiters().add(woken::countDown, PollEvents.POLLIN);
        keyboard.write('y');
        keyboard.flush();
        assertThat(woken.await(10, TimeUnit.SECONDS)).as("the epoll instance is woken").isTrue();
        assertThat(epoll.collect(4)).containsExactly(new Epoll.Event(PollEvents.POLLIN, 42));
    }

    @Test
    void aNonTerminalInputIsReadableOnceItsBytesOrItsEndArrive() throws Exception {
        assertThat(readConsole(0)).isEqualTo("typed\n");
        assertThat(p.fds().get(0).readiness()).as("at its end: a read gives 0 at once")
                .isEqualTo(PollEvents.POLLIN | PollEvents.POLLRDNORM);
        assertThat(p.fds().get(2).readiness()).isEqualTo(PollEvents.ALWAYS);
    }
}
