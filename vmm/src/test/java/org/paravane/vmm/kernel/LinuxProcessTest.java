package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.LinuxPrograms.run;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * Unmodified static Linux programs (glibc -static, -static-pie, musl -static; guests/linux) as guest tasks, end to
 * end on a backend; subclasses pick it. Each program checks itself and prints "name: ok".
 */
abstract class LinuxProcessTest {
    final GuestStack stack = stack();

    @TempDir
    Path root;

    abstract GuestStack stack();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    private FileSystem.Options hostRoot(boolean readOnly) throws Exception {
        Files.writeString(root.resolve("input.txt"), "host file\n");
        return new FileSystem.Options(root, readOnly, List.of());
    }

    private static void assertOk(LinuxPrograms.Run r, String name) {
        assertThat(r.task().failure()).as(r.stdout()).isNull();
        assertThat(r.stdout()).as(r.stdout()).doesNotContain("FAIL").contains(name + ": ok\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "hello-pie", "hello-musl"})
    void helloPrintsItsGreeting(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program);
        assertThat(r.task().failure()).isNull();
        assertThat(r.stdout()).isEqualTo("hello, world\n");
        assertThat(r.exitCode()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"args", "args-pie", "args-musl"})
    void argvEnvpAndAuxvAreWhereLibcLooks(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program, "one", "two words");
        assertOk(r, "args");
        assertThat(r.stdout()).contains("argc=3\n", "argv[0]=/bin/" + program + "\n", "argv[1]=one\n",
                "argv[2]=two words\n", "env HOME=/root\n", "env PATH=/bin\n", "HOME=/root\n", "execfn=/bin/" + program + "\n");
        assertThat(r.exitCode()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"files", "files-pie", "files-musl"})
    void fileIoAgainstAReadOnlyHostRoot(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, hostRoot(true), program, "/");
        assertOk(r, "files");
        assertThat(r.stdout()).contains("exe=/bin/" + program + "\n", "aXY");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void writesGoToTheInMemoryLayerNotTheHost() throws Exception {
        LinuxPrograms.Run r = run(stack, hostRoot(false), "files", "/", "rw");
        assertOk(r, "files");
        assertThat(r.stdout()).contains("ok create in the root's layer\n", "ok read the layer back\n");
        assertThat(root.resolve("root-file")).doesNotExist();
        assertThat(Files.readString(root.resolve("input.txt"))).isEqualTo("host file\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mmap", "mmap-pie", "mmap-musl"})
    void mmapSemanticsAndErrnos(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, hostRoot(true), program, "/input.txt");
        assertOk(r, "mmap");
        assertThat(r.stdout()).contains("100 GiB map: mapped\n", "ok touch both ends of 100 GiB\n", "ok file contents\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pipes", "pipes-pie", "pipes-musl"})
    void pipesPollEpollEventfdAndCloseOnExecAsNatively(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program);
        assertOk(r, "pipes");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo(LinuxPrograms.nativeStdout(program));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pipes", "pipes-musl"})
    void pipelinesAcrossForkAtomicWritesAndSigpipeAsNatively(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program, "fork");
        assertOk(r, "pipes");
        assertThat(r.stdout()).contains("ok a child's lines through a pipe to EOF\n", "ok none torn\n",
                "ok a child dies by SIGPIPE\n", "ok poll without a timeout is woken by the child\n",
                "ok and the writer saw it whole\n");
        assertThat(r.stdout()).isEqualTo(LinuxPrograms.nativeStdout(program, "fork"));
    }

    @Test
    void aWriteToAPipeWithoutReadersEndsTheProcessBySigpipe() throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), "pipes", "sigpipe");
        assertThat(r.stdout()).isEmpty();
        assertThat(r.exitCode()).isEqualTo(128 + 13);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "tls-pie", "tls-musl"})
    void threadLocalStorageThroughFsBase(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program);
        assertThat(r.task().failure()).isNull();
        assertThat(r.stdout()).isEqualTo("""
                counter=42 name=tls fs-self=yes
                set_gs=0 gs-ok=yes gs-read=0x1234
                bad fs: -1 errno=1
                bad code: -1 errno=22
                """);
    }

    @ParameterizedTest
    @ValueSource(strings = {"clock", "clock-musl"})
    void clocksAndSleeps(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program);
        assertOk(r, "clock");
    }

    @ParameterizedTest
    @ValueSource(strings = {"identity", "identity-musl"})
    void identityAndLimitsAndTheExitStatus(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program);
        assertOk(r, "identity");
        assertThat(r.stdout()).contains("uname Linux x86_64\n", "name=renamed-process\n",
                "pid=" + r.task().id() + " ppid=0 uid=0 gid=0\n");
        assertThat(r.exitCode()).isEqualTo(42);
    }

    @ParameterizedTest(name = "{0} ends with status {1}")
    @CsvSource({
            "segv,     139, 'killed by SIGSEGV at 0x1234, rip 0x'",
            "write-ro, 139, 'killed by SIGSEGV at 0x'",
            "guard,    139, 'killed by SIGSEGV at 0x'",
            "div0,     136, 'killed by SIGFPE (divide error) at rip 0x'",
            "ud2,      132, 'killed by SIGILL (invalid opcode) at rip 0x'",
            "int3,     133, 'killed by SIGTRAP (breakpoint) at rip 0x'",
            "gp,       139, 'killed by SIGSEGV at 0x0, rip 0x'",
            "oom,      137, 'killed by SIGKILL (out of memory) touching 0x'",
    })
    void faultsEndTheProcessAsLinuxSignalsWould(String fault, int status, String message) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), "faults", fault);
        assertThat(r.stdout()).isEqualTo("fault: " + fault + "\n");
        assertThat(r.exitCode()).isEqualTo(status);
        assertThat(r.task().failure()).startsWith(message);
    }

    @Test
    void aSleepingProcessLeavesItsVcpu() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        LinuxPrograms.Started s = LinuxPrograms.start(stack, FileSystem.Options.emptyRoot(), out, "sleep", "1500");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (s.task().state() != Task.State.WAITING && s.task().state() != Task.State.EXITED && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(s.task().state()).as("asleep, off its vCPU").isEqualTo(Task.State.WAITING);
        GuestStack.awaitEnd(s.kernel());
        assertThat(out.toString()).isEqualTo("slept 1500 ms: 0\n");
        assertThat(s.task().exitCode()).isZero();
    }

    @Test
    void twoProcessesOnOneVcpuKeepTheirOwnSseState() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.paravane.vmm.linux.fs.Console console = org.paravane.vmm.linux.fs.Console.streams(
                java.io.InputStream.nullInputStream(), out, OutputStream.nullOutputStream());
        GuestKernel k = stack.kernel("fpu", 1, 64, new KernelConfig(org.paravane.api.asyncpf.PreemptionModel.PREEMPTIBLE,
                WaitPolicy.DECISION_TABLE, 2000, KernelConfig.Console.NONE, null,
                new org.paravane.vmm.kernel.abi.linux.LinuxOptions(FileSystem.Options.emptyRoot(), console)));
        byte[] fpu = LinuxPrograms.program("fpu");
        Task a = k.launch(TaskSpec.linuxProcess("a", new org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec("/bin/fpu", fpu,
                List.of("fpu", "1.5", "0x1f80"), List.of())));
        Task b = k.launch(TaskSpec.linuxProcess("b", new org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec("/bin/fpu", fpu,
                List.of("fpu", "2.5", "0x7f80"), List.of())));
        GuestStack.runToEnd(k);
        assertThat(out.toString()).contains("fpu 1.5: 0 lost\n", "fpu 2.5: 0 lost\n");
        assertThat(a.exitCode()).isZero();
        assertThat(b.exitCode()).isZero();
    }

    @Test
    void aHundredUnknownSystemCallsAnswerEnosys() throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), "unknown");
        assertThat(r.stdout()).isEqualTo("unknown: 100 of 100 answered ENOSYS\n");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void aGibibyteToStdoutStreamsThrough() throws Exception {
        long[] count = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        LinuxPrograms.Run r = LinuxPrograms.run(stack, FileSystem.Options.emptyRoot(), counting, "bigwrite", "1024");
        assertThat(r.task().failure()).isNull();
        assertThat(r.exitCode()).isZero();
        assertThat(count[0]).isEqualTo(1L << 30);
    }
}
