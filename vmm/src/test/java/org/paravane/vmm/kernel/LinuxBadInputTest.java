package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/** Executables the Linux loader must refuse with a clear message, leaving the VM able to run the next program. */
class LinuxBadInputTest {
    private final GuestStack stack = GuestStack.emulated();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    private GuestKernel kernel() {
        Console console = Console.streams(java.io.InputStream.nullInputStream(), java.io.OutputStream.nullOutputStream(),
                java.io.OutputStream.nullOutputStream());
        return stack.kernel("bad-input", 1, 32, new KernelConfig(PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE,
                2000, KernelConfig.Console.NONE, null, new LinuxOptions(FileSystem.Options.emptyRoot(), console)));
    }

    private static TaskSpec spec(byte[] executable) {
        return TaskSpec.linuxProcess("bad", new LinuxProcessSpec("/bin/bad", executable, List.of("bad"), List.of()));
    }

    @Test
    void eachBadExecutableIsRefusedAndTheVmRunsTheNextProgram() throws Exception {
        GuestKernel k = kernel();
        byte[] hello = LinuxPrograms.program("hello");
        assertThatThrownBy(() -> k.launch(spec(LinuxPrograms.program("hello-dynamic"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dynamic executables need an interpreter: not supported yet");
        byte[] elf32 = hello.clone();
        elf32[4] = 1;
        assertThatThrownBy(() -> k.launch(spec(elf32))).hasMessageContaining("a 32-bit ELF executable");
        assertThatThrownBy(() -> k.launch(spec(Arrays.copyOf(hello, 200)))).hasMessageContaining("outside the file");
        assertThatThrownBy(() -> k.launch(spec("#!/bin/sh\necho hi\n".repeat(8).getBytes())))
                .hasMessageContaining("not an ELF file (bad magic)");
        byte[] arm = hello.clone();
        arm[18] = (byte) 183;
        assertThatThrownBy(() -> k.launch(spec(arm))).hasMessageContaining("not an x86-64 executable (machine 183)");
        Task t = k.launch(TaskSpec.linuxProcess("hello", new LinuxProcessSpec("/bin/hello", hello, List.of("hello"), List.of())));
        GuestStack.runToEnd(k);
        assertThat(t.exitCode()).isZero();
        assertThat(t.failure()).isNull();
    }
}
