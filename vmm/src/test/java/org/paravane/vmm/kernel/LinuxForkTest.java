package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * Linux processes on the software CPU (guests/linux/fork.c): fork and wait, copy-on-write, vfork, zombies,
 * re-parenting to the VM's first process, process groups, execve (guests/linux/exec.c), CLONE_FS
 * (guests/linux/clonefs.c), and a fork bomb stopped by the VM's process limit.
 */
class LinuxForkTest {
    final GuestStack stack = GuestStack.emulated();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    private record Result(Task task, String stdout, GuestKernel kernel) {
    }

    private Result run(String program, int vcpus, int maxProcesses, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LinuxPrograms.Started s = LinuxPrograms.start(stack, vcpus, maxProcesses, FileSystem.Options.emptyRoot(), out,
                program, args);
        s.awaitEnd();
        return new Result(s.task(), out.toString(), s.kernel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fork", "fork-pie", "fork-musl"})
    void forkWaitCopyOnWriteVforkZombiesReparentingAndGroups(String program) throws Exception {
        int free = -1;
        Result r = run(program, 2, 64);
        assertThat(r.task().failure()).as(r.stdout()).isNull();
        assertThat(r.stdout()).as(r.stdout()).doesNotContain("FAIL").contains("fork: ok\n", "ok the child saw only its own"
                + " writes\n", "ok ended by SIGSEGV\n", "ok the orphan is init's child\n", "ppid=0\n");
        assertThat(r.task().exitCode()).isZero();
        assertThat(r.kernel().tasks()).as("every child task is gone").containsExactly(r.task());
        assertThat(r.kernel().linuxProcesses()).as("every child was reaped; init stays, ended")
                .extracting(p -> p.pid() + " " + p.state() + " " + p.name()).containsExactly("1 zombie " + program);
    }

    @ParameterizedTest
    @ValueSource(strings = {"clonefs", "clonefs-musl"})
    void cloneFsSharesTheWorkingDirectoryAndUmaskAndForkCopiesThem(String program) throws Exception {
        Result r = run(program, 2, 64);
        assertThat(r.task().failure()).as(r.stdout()).isNull();
        assertThat(r.stdout()).endsWith("clonefs: done\n").isEqualTo(LinuxPrograms.runNative(program).stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"exec", "exec-pie", "exec-musl"})
    void execveRunsProcSelfExeScriptsAndClosesCloseOnExecDescriptors(String program) throws Exception {
        Result r = run(program, 2, 64);
        assertThat(r.task().failure()).as(r.stdout()).isNull();
        assertThat(r.stdout()).as(r.stdout()).doesNotContain("FAIL").contains("exec: ok\n");
        assertThat(r.task().exitCode()).isZero();
        assertThat(r.kernel().tasks()).containsExactly(r.task());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fork", "fork-musl"})
    void aForkBombIsStoppedByTheVmsProcessLimit(String program) throws Exception {
        var lines = new java.util.concurrent.CopyOnWriteArrayList<String>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(
                org.paravane.vmm.kernel.abi.linux.LinuxHost.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        Result r;
        try {
            r = run(program, 2, 24, "bomb");
        } finally {
            log.removeHandler(handler);
        }
        assertThat(lines).as("the log names the limit").anyMatch(l -> l.contains("the VM's limit of 24 processes"
                + " (maxProcesses) is reached"));
        assertThat(r.stdout()).as(r.stdout()).contains("bomb: EAGAIN after ");
        assertThat(r.task().exitCode()).as(r.stdout()).isZero();
        assertThat(r.kernel().tasks()).containsExactly(r.task());
        assertThat(r.kernel().linuxProcesses()).hasSize(1);
    }
}
