package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.abi.linux.LinuxHost;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * A Linux guest that exhausts the VM's memory (guests/linux/memhog.c, 64 MiB VM): the largest process is killed by
 * SIGKILL ({@code OomKiller}) and named once in the VM's log; the VM, its other processes and the container go on.
 * Before the OOM killer the bomb's parent itself was killed, its first touch of a code page finding no RAM.
 */
class OutOfMemoryTest {
    private final GuestStack stack = GuestStack.emulated();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Logger hostLog = Logger.getLogger(LinuxHost.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            log.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    OutOfMemoryTest() {
        hostLog.addHandler(capture);
    }

    @AfterEach
    void close() throws Exception {
        hostLog.removeHandler(capture);
        stack.close();
    }

    private record Result(Task task, String stdout, GuestKernel kernel) {
    }

    private Result run(String program, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = Console.streams(InputStream.nullInputStream(), out, out);
        KernelConfig config = new KernelConfig(PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE, 2000,
                KernelConfig.Console.NONE, null, new LinuxOptions(FileSystem.Options.emptyRoot(), console));
        GuestKernel k = stack.kernel("oom-" + program, 2, 64, config);
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/" + program));
        argv.addAll(List.of(args));
        Task t = k.launch(TaskSpec.linuxProcess(program, new LinuxProcessSpec("/bin/" + program,
                LinuxPrograms.program(program), argv, List.of("HOME=/root"))));
        GuestStack.runToEnd(k);
        return new Result(t, out.toString(), k);
    }

    private List<String> oomLines() {
        return log.stream().filter(l -> l.contains("out of memory")).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memhog", "memhog-musl"})
    void aProcessTouchingMoreThanTheVmHasIsKilledAndNamedOnce(String program) throws Exception {
        Result r = run(program, "touch", "256");
        assertThat(r.stdout()).as("it never finished touching").doesNotContain("touched");
        assertThat(r.task().failure()).as(r.stdout()).contains("killed by SIGKILL (out of memory)");
        assertThat(oomLines()).as("the VM's log names the process once").singleElement().asString()
                .contains("out of memory: process 1 (" + program + ") killed by SIGKILL", "guest kernel RAM exhausted");
        assertThat(r.kernel().panicReport()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memhog", "memhog-musl"})
    void aForkBombOfChildrenTouchingMemoryEndsWithTheParentAndABystanderRunning(String program) throws Exception {
        Result r = run(program, "bomb", "4");
        assertThat(r.stdout()).as(r.stdout())
                .containsPattern("bomb: (fork failed with ENOMEM|a child touching 4 MiB was killed by SIGKILL)\\n")
                .contains("bomb: ended=1, bystander still running",
                        "bomb: parent still running, bystander ended by the parent's SIGTERM");
        assertThat(r.task().exitCode()).as(r.stdout()).isZero();
        assertThat(oomLines()).as("each killed process named once").allMatch(l -> l.contains("killed by SIGKILL"))
                .doesNotHaveDuplicates();
        assertThat(r.kernel().panicReport()).isNull();
        assertThat(r.kernel().tasks()).containsExactly(r.task());
    }
}
