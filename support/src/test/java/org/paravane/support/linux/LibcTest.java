package org.paravane.support.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibcTest {

    @Test
    void openReadPreadAndClose(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("data");
        byte[] bytes = new byte[10000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        Files.write(file, bytes);
        int fd = FileIo.open(file.toString(), FileIo.O_RDONLY | FileIo.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(100);
            assertThat(FileIo.read(fd, buf)).isEqualTo(100);
            assertThat(buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 99)).isEqualTo((byte) 99);
            MemorySegment tail = arena.allocate(4096);
            assertThat(FileIo.pread(fd, tail, 8192)).as("short at end of file").isEqualTo(10000 - 8192);
            assertThat(tail.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 8192);
        } finally {
            FileIo.close(fd);
        }
    }

    @Test
    void openNamesThePathAndErrno(@TempDir Path dir) {
        assertThatThrownBy(() -> FileIo.open(dir.resolve("missing").toString(), FileIo.O_RDONLY))
                .isInstanceOf(NativeException.class).hasMessageContaining("missing").hasMessageContaining("ENOENT");
    }

    @Test
    void ioctlRequestNumbersMatchTheKernelMacros() {
        assertThat(Ioctl.io(0xAE, 0x80)).isEqualTo(0xae80L);                       // KVM_RUN
        assertThat(Ioctl.ior(0xAE, 0x81, 144)).isEqualTo(0x8090ae81L);             // KVM_GET_REGS
        assertThat(Ioctl.iow(0xAE, 0x46, 32)).isEqualTo(0x4020ae46L);              // KVM_SET_USER_MEMORY_REGION
        assertThat(Ioctl.iowr(0xAA, 0x3F, 24)).isEqualTo(0xc018aa3fL);             // UFFDIO_API
    }

    @Test
    void ioctlOnABadDescriptorReportsEbadf() {
        assertThatThrownBy(() -> Ioctl.call("TEST_IOCTL", 12345, 0x5401, 0L))
                .isInstanceOf(NativeException.class).hasMessageContaining("TEST_IOCTL").hasMessageContaining("EBADF");
    }

    @Test
    void eventFdWakesPoll() throws Exception {
        try (EventFd event = new EventFd(); Arena arena = Arena.ofShared()) {
            MemorySegment fds = arena.allocate(Poll.POLLFD, 1);
            Poll.set(fds, 0, event.fd(), Poll.POLLIN);
            assertThat(Poll.poll(fds, 1, 0)).isZero();
            Thread.ofPlatform().start(event::signal).join();
            assertThat(Poll.poll(fds, 1, 1000)).isEqualTo(1);
            assertThat(Poll.revents(fds, 0) & Poll.POLLIN).isNotZero();
            assertThat(event.drain()).isEqualTo(1);
            assertThat(Poll.poll(fds, 1, 0)).isZero();
        }
    }

    @Test
    void gettidIsTheKernelThreadId() throws Exception {
        int tid = Syscalls.gettid();
        assertThat(Files.exists(Path.of("/proc/self/task/" + tid))).isTrue();
        assertThat(Syscalls.raw(Syscalls.SYS_GETTID, 0)).isEqualTo(tid);
    }

    @Test
    void aBlockedSignalStaysPendingUntilTakenAndKillTargetsOneThread() throws Exception {
        assertThat(Signals.installNoOpHandler(Signals.SIGUSR1)).isTrue();
        assertThat(Signals.installNoOpHandler(Signals.SIGUSR1)).as("idempotent").isTrue();
        AtomicLong pthread = new AtomicLong();
        AtomicInteger taken = new AtomicInteger(-1);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment set = arena.allocate(Signals.SIGSET);
                Signals.add(set, Signals.SIGUSR1);
                Signals.threadMask(Signals.SIG_BLOCK, set, MemorySegment.NULL);
                pthread.set(Signals.pthreadSelf());
                MemorySegment zero = arena.allocate(Signals.TIMESPEC);
                assertThat(Signals.takePending(set, zero)).isZero();
                blocked.countDown();
                sent.await(5, TimeUnit.SECONDS);
                taken.set(Signals.takePending(set, zero));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        blocked.await();
        assertThat(Signals.kill(pthread.get(), Signals.SIGUSR1)).isZero();
        sent.countDown();
        t.join();
        assertThat(taken.get()).isEqualTo(Signals.SIGUSR1);
    }

    @Test
    void sigsetBits() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(Signals.SIGSET);
            Signals.add(set, 1);
            Signals.add(set, 64);
            Signals.add(set, 65);
            assertThat(set.get(JAVA_LONG, 0)).isEqualTo(1L | (1L << 63));
            assertThat(set.get(JAVA_LONG, 8)).isEqualTo(1L);
            Signals.remove(set, 64);
            assertThat(Signals.contains(set, 64)).isFalse();
            assertThat(Signals.contains(set, 65)).isTrue();
        }
    }

    @Test
    void timerSignalsItsThreadOnce() throws Exception {
        Signals.installNoOpHandler(Signals.SIGUSR1);
        AtomicInteger taken = new AtomicInteger();
        Thread t = Thread.ofPlatform().start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment set = arena.allocate(Signals.SIGSET);
                Signals.add(set, Signals.SIGUSR1);
                Signals.threadMask(Signals.SIG_BLOCK, set, MemorySegment.NULL);
                MemorySegment zero = arena.allocate(Signals.TIMESPEC);
                try (Timers timer = Timers.signalingThread(Syscalls.gettid(), Signals.SIGUSR1)) {
                    timer.arm(1_000_000);
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    int got = 0;
                    while (got == 0 && System.nanoTime() < deadline) {
                        got = Signals.takePending(set, zero);
                        Thread.onSpinWait();
                    }
                    taken.set(got);
                }
            }
        });
        t.join();
        assertThat(taken.get()).isEqualTo(Signals.SIGUSR1);
    }

    @Test
    void pinningToTheCurrentCpuKeepsTheThreadThere() throws Exception {
        Thread t = Thread.ofPlatform().start(() -> {
            int cpu = Threads.currentCpu();
            Threads.pinCurrentThread(cpu);
            assertThat(Threads.currentCpu()).isEqualTo(cpu);
        });
        t.join();
    }
}
