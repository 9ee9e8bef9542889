package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * What a shell's job control needs (guests/linux/jobs.c, glibc and musl): stopped and continued children reported by
 * wait4, waitid and SIGCHLD; the signal masks of ppoll, pselect6 and epoll_pwait; a signal interrupting a pipe write
 * that moved bytes; Ctrl-C reaching only the console's foreground process group. Compared with native runs.
 */
abstract class LinuxJobControlTest {
    final GuestStack stack = stack();

    abstract GuestStack stack();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "jobs, stop", "jobs, waitid", "jobs, nocldstop", "jobs, masks", "jobs, partial",
            "jobs-musl, stop", "jobs-musl, waitid", "jobs-musl, nocldstop", "jobs-musl, masks", "jobs-musl, partial",
    })
    void aPartPrintsWhatItPrintsNatively(String program, String part) throws Exception {
        LinuxPrograms.Run r = LinuxPrograms.run(stack, 2, FileSystem.Options.emptyRoot(), new ByteArrayOutputStream(),
                program, part);
        assertThat(r.task().failure()).as(r.stdout()).isNull();
        assertThat(r.stdout()).endsWith("jobs " + part + ": done\n");
        assertThat(r.stdout()).isEqualTo(LinuxPrograms.runNative(program, part).stdout());
    }

    @Test
    void ctrlCReachesTheForegroundProcessGroupAndNotABackgroundOne() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LinuxPrograms.Started s = LinuxPrograms.start(stack, FileSystem.Options.emptyRoot(), out, "jobs", "ctrl-c");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!out.toString().contains("ctrl-c: ready\n")) {
            assertThat(System.nanoTime()).as("the children start: " + out).isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(s.kernel().interruptForeground()).isTrue();
        GuestStack.awaitEnd(s.kernel());
        assertThat(out.toString()).endsWith(
                "ctrl-c: parent sigint=1 foreground child exit=2 background child exit=1\njobs ctrl-c: done\n");
        assertThat(s.task().exitCode()).isZero();
    }
}
