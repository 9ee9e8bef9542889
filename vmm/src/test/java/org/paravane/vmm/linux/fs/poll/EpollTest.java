package org.paravane.vmm.linux.fs.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.vmm.linux.fs.PollEvents.*;
import static org.paravane.vmm.linux.fs.poll.Epoll.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.linux.fs.OpenFile;
import org.paravane.vmm.linux.fs.ProcessFiles;

/** epoll's interest list and its level-triggered, edge-triggered and one-shot reports over pipes. */
class EpollTest {
    private ProcessFiles p;
    private final Epoll epoll = new Epoll();
    private int r, w;

    @BeforeEach
    void pipe() throws Exception {
        FileSystem fs = FileSystem.create(FileSystem.Options.emptyRoot(),
                Console.streams(InputStream.nullInputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream()),
                new SplittableRandom(1));
        p = new ProcessFiles(fs, "/bin/x", () -> "", () -> "", 64);
        int[] ends = p.pipe2(Fcntl.O_NONBLOCK);
        r = ends[0];
        w = ends[1];
    }

    private OpenFile file(int fd) throws ErrnoException {
        return p.fds().get(fd);
    }

    private void write(String s) throws ErrnoException {
        p.write(w, ByteBuffer.wrap(s.getBytes()));
    }

    private void drain() throws ErrnoException {
        p.read(r, ByteBuffer.allocate(1 << 16));
    }

    @Test
    void levelTriggeredReportsWhileReady() throws Exception {
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN, 42);
        assertThat(epoll.collect(8)).isEmpty();
        write("x");
        assertThat(epoll.collect(8)).containsExactly(new Event(POLLIN, 42));
        assertThat(epoll.collect(8)).as("still ready").containsExactly(new Event(POLLIN, 42));
        drain();
        assertThat(epoll.collect(8)).isEmpty();
    }

    @Test
    void edgeTriggeredReportsOncePerWake() throws Exception {
        write("x");
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN | EPOLLET, 1);
        assertThat(epoll.collect(8)).as("the state when added counts as an edge").hasSize(1);
        assertThat(epoll.collect(8)).isEmpty();
        write("y");
        assertThat(epoll.collect(8)).as("a new write is a new edge").containsExactly(new Event(POLLIN, 1));
        assertThat(epoll.collect(8)).isEmpty();
    }

    @Test
    void oneShotIsDisabledUntilModified() throws Exception {
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN | EPOLLONESHOT, 7);
        write("x");
        assertThat(epoll.collect(8)).hasSize(1);
        write("y");
        assertThat(epoll.collect(8)).isEmpty();
        epoll.ctl(EPOLL_CTL_MOD, r, file(r), POLLIN | EPOLLONESHOT, 8);
        assertThat(epoll.collect(8)).containsExactly(new Event(POLLIN, 8));
    }

    @Test
    void hangUpAndErrorsAreReportedUnasked() throws Exception {
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), 0, 1);
        epoll.ctl(EPOLL_CTL_ADD, w, file(w), POLLOUT, 2);
        assertThat(epoll.collect(8)).containsExactly(new Event(POLLOUT, 2));
        p.close(w);
        assertThat(epoll.collect(8)).contains(new Event(POLLHUP, 1));
    }

    @Test
    void theInterestListsErrors() throws Exception {
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN, 1);
        assertErrno(() -> epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN, 1), Errno.EEXIST);
        assertErrno(() -> epoll.ctl(EPOLL_CTL_MOD, w, file(w), POLLIN, 1), Errno.ENOENT);
        assertErrno(() -> epoll.ctl(EPOLL_CTL_DEL, w, file(w), 0, 0), Errno.ENOENT);
        assertErrno(() -> epoll.ctl(9, r, file(r), POLLIN, 1), Errno.EINVAL);
        int devnull = p.open("/dev/null", Fcntl.O_RDONLY, 0);
        assertErrno(() -> epoll.ctl(EPOLL_CTL_ADD, devnull, file(devnull), POLLIN, 1), Errno.EPERM);
        epoll.ctl(EPOLL_CTL_DEL, r, file(r), 0, 0);
        write("x");
        assertThat(epoll.collect(8)).isEmpty();
        assertThat(epoll.watched()).isZero();
    }

    @Test
    void aWatchedFilesWakeReachesTheInstancesWaiters() throws Exception {
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN, 1);
        AtomicInteger woken = new AtomicInteger();
        epoll.waiters().add(woken::incrementAndGet, POLLIN);
        write("x");
        assertThat(woken.get()).isPositive();
        assertThat(epoll.readiness()).isEqualTo(POLLIN | POLLRDNORM);
    }

    @Test
    void readyEntriesTakeTurnsWhenMaxEventsIsSmall() throws Exception {
        int[] second = p.pipe2(0);
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN, 1);
        epoll.ctl(EPOLL_CTL_ADD, second[0], file(second[0]), POLLIN, 2);
        write("x");
        p.write(second[1], ByteBuffer.wrap(new byte[1]));
        List<Event> first = epoll.collect(1), next = epoll.collect(1);
        assertThat(first).containsExactly(new Event(POLLIN, 1));
        assertThat(next).containsExactly(new Event(POLLIN, 2));
    }

    @Test
    void closingTheInstanceLeavesTheFilesQueues() throws Exception {
        epoll.ctl(EPOLL_CTL_ADD, r, file(r), POLLIN, 1);
        assertThat(file(r).waiters().size()).isEqualTo(1);
        epoll.close();
        assertThat(file(r).waiters().isEmpty()).isTrue();
    }

    private static void assertErrno(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(Errno.name(((ErrnoException) e).errno())).isEqualTo(Errno.name(errno)));
    }
}
