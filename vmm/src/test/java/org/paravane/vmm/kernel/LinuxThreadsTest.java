package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * Threaded Linux programs (guests/linux/pthreads.c: mutexes, condition variables, barriers, rwlocks, TLS, join,
 * detached threads, 100 threads, producer/consumer, a robust mutex; futex.c: the futex call itself) built with glibc
 * and musl print on a 2-vCPU VM exactly what they print natively on this host, also when moved mid-run between two
 * backend instances; a process's threads run on both vCPUs.
 */
class LinuxThreadsTest {

    private static void sameAsNative(GuestStack stack, String name, String... args) throws Exception {
        String expected = LinuxPrograms.nativeStdout(name, args);
        LinuxPrograms.Run run = LinuxPrograms.run(stack, 2, FileSystem.Options.emptyRoot(), new ByteArrayOutputStream(),
                name, args);
        assertThat(run.exitCode()).as("%s exit; stderr: %s", name, run.stderr()).isZero();
        assertThat(run.stdout()).as(name).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pthreads", "pthreads-pie", "pthreads-musl", "futex", "futex-musl"})
    void onTheSoftwareCpuWithTwoVcpus(String name) throws Exception {
        try (GuestStack stack = GuestStack.emulated()) {
            sameAsNative(stack, name);
        }
    }

    @Test
    void onKvmWithTwoVcpus() throws Exception {
        try (GuestStack stack = GuestStack.kvm()) {
            sameAsNative(stack, "pthreads");
            sameAsNative(stack, "pthreads-musl");
            sameAsNative(stack, "futex");
        }
    }

    @Test
    void threadsOfOneProcessSpreadOverTheVcpus() throws Exception {
        try (GuestStack stack = GuestStack.emulated()) {
            LinuxPrograms.Started s = LinuxPrograms.start(stack, 2, FileSystem.Options.emptyRoot(),
                    new ByteArrayOutputStream(), "pthreads", "hundred", "1000");
            Set<Integer> homes = new HashSet<>();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (s.task().state() != Task.State.EXITED && homes.size() < 2 && System.nanoTime() < deadline) {
                for (Task t : s.kernel().tasks()) {
                    if (t != s.task() && t.state() != Task.State.EXITED) {
                        homes.add(t.home());
                    }
                }
                Thread.sleep(1);
            }
            GuestStack.awaitEnd(s.kernel());
            assertThat(s.task().exitCode()).isZero();
            assertThat(homes).as("the home vCPUs of the process's other threads").containsExactlyInAnyOrder(0, 1);
        }
    }

    @Test
    void aThreadedProcessMovedMidRunFinishesAsANativeRunDoes() throws Exception {
        String[] args = {"mutex", "condvar", "hundred", "3000", "prodcons", "robust"};
        String expected = LinuxPrograms.nativeStdout("pthreads", args);
        try (GuestStack home = GuestStack.emulated(); GuestStack away = GuestStack.emulated()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LinuxPrograms.Started s = LinuxPrograms.start(home, 2, FileSystem.Options.emptyRoot(), out, "pthreads",
                    args);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (out.toString().lines().count() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(2);   // mutex and condvar are done: the 100 threads are starting or running
            }
            GuestKernel k = s.kernel();
            for (GuestStack to : new GuestStack[] {away, home}) {
                GuestStack.moveVm(k, to, () -> assertThat(s.task().state()).as("moved mid-run")
                        .isNotEqualTo(Task.State.EXITED));
                Thread.sleep(100);
            }
            GuestStack.awaitEnd(k);
            assertThat(s.task().exitCode()).isZero();
            assertThat(out.toString()).isEqualTo(expected);
        }
    }
}
