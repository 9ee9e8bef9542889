package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.build.VmBuilder;
import org.paravane.vmm.build.VmDefaults;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.kernel.abi.linux.ServedFileSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * A lazily served file ({@code --lazy-file}): a Linux program maps and preads a file whose pages arrive with a
 * page source's latency, beside a CPU-bound program on the same single vCPU. Its mapped pages take async page faults,
 * its preads fault in the kernel; with the decision table both are schedule waits (the vCPU runs the neighbour, never
 * idles), with "halt everywhere" halt waits, with async PF off the host waits. The bytes are right every way.
 */
class LazyFileTest {
    /** 48 pages and a tail: the mapping reads 24 pages, pread the other 24 and the partial last one. */
    private static final int SIZE = 48 * 4096 + 1000;

    @TempDir
    Path dir;

    private record Result(Task reader, Task spinner, String stdout, String stderr, GuestVcpuStats vcpu) {
    }

    private Result run(GuestStack stack, WaitPolicy policy, PreemptionModel model, String latency) throws Exception {
        return run(stack, policy, model, SIZE, "latency=" + latency, 0);
    }

    private Result run(GuestStack stack, WaitPolicy policy, PreemptionModel model, int size, String sourceOptions,
                       int readerExit) throws Exception {
        byte[] data = new byte[size];
        new Random(14).nextBytes(data);
        Path file = dir.resolve("lazy.bin");
        Files.write(file, data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LinuxOptions linux = new LinuxOptions(FileSystem.Options.emptyRoot(),
                Console.streams(InputStream.nullInputStream(), out, err),
                List.of(ServedFileSpec.parse("/data/lazy.bin=file:" + file + "," + sourceOptions)));
        VmDefinition def = new VmDefinition("lazy-" + policy.key(), null, 1, 64, null, 0,
                // the neighbour first: it is pid 1, and a Linux VM ends every process when its init exits
                List.of(linuxLaunch("spin"), linuxLaunch("lazyread", "/data/lazy.bin")), policy, model, 2000L, null,
                linux);
        VmBuilder builder = new VmBuilder(new VmDefaults(policy, model, 2000, 64), stack.tables, () -> stack.handler);
        GuestKernel k = builder.build(def.name(), def, stack.backend, KernelConfig.Console.NONE).kernel();
        try {
            GuestStack.runToEnd(k);
            assertThat(k.panicReport()).isNull();
            Task spinner = k.tasks().get(0), reader = k.tasks().get(1);
            assertThat(reader.exitCode()).as("reader: " + err).isEqualTo(readerExit);
            assertThat(spinner.exitCode()).as("the neighbour: " + spinner.failure()).isZero();
            return new Result(reader, spinner, out.toString(), err.toString(), k.vcpuStats().getFirst());
        } finally {
            k.stop();
            k.vm().close();
        }
    }

    private static VmDefinition.Launch linuxLaunch(String name, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/" + name));
        argv.addAll(List.of(args));
        return VmDefinition.Launch.linuxProcess(name, new LinuxProcessSpec("/bin/" + name, LinuxPrograms.program(name),
                argv, List.of("PATH=/bin")));
    }

    private String expected() throws Exception {
        byte[] data = Files.readAllBytes(dir.resolve("lazy.bin"));
        long h = 0xcbf29ce484222325L;
        for (byte b : data) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return "size " + SIZE + " mapped " + 24 * 4096 + " preads 25 fnv " + String.format("%016x", h);
    }

    @ParameterizedTest
    @EnumSource(WaitPolicy.class)
    void aProgramReadsALazilyServedFileThroughAMappingAndPreadBesideACpuBoundOne(WaitPolicy policy) throws Exception {
        try (GuestStack stack = GuestStack.emulated()) {
            Result r = run(stack, policy, PreemptionModel.PREEMPTIBLE, "3ms");
            assertThat(r.stdout()).contains(expected());
            assertThat(r.stdout()).containsPattern("rounds [1-9]");   // the neighbour ran
            switch (policy) {
                case OFF -> assertThat(r.reader().asyncFaults()).isZero();
                case HALT_EVERYWHERE -> {
                    // 24 mapped pages (user faults) and 25 preads (kernel faults): every one halts the vCPU
                    assertThat(r.reader().haltWaits()).isGreaterThanOrEqualTo(49);
                    assertThat(r.reader().scheduleWaits()).isZero();
                    assertThat(r.vcpu().haltWaitNanos()).isPositive();
                }
                case DECISION_TABLE -> {
                    // user mode and a preemptible system call both schedule: the vCPU runs the neighbour meanwhile
                    assertThat(r.reader().scheduleWaits()).isGreaterThanOrEqualTo(49);
                    assertThat(r.reader().haltWaits()).isZero();
                    assertThat(r.vcpu().haltWaitNanos()).isZero();
                }
            }
        }
    }

    @Test
    void aNonPreemptibleKernelHaltsForItsOwnFaultsAndSchedulesForTheProcesses() throws Exception {
        try (GuestStack stack = GuestStack.emulated()) {
            Result r = run(stack, WaitPolicy.DECISION_TABLE, PreemptionModel.NON_PREEMPTIBLE, "1ms");
            assertThat(r.stdout()).contains(expected());
            assertThat(r.reader().scheduleWaits()).isGreaterThanOrEqualTo(24);   // the mapping's faults, at CPL3
            assertThat(r.reader().haltWaits()).isGreaterThanOrEqualTo(25);       // pread's, in kernel context
        }
    }

    @ParameterizedTest
    @EnumSource(value = WaitPolicy.class, names = {"OFF", "DECISION_TABLE"})
    void aPageItsSourceCannotServeIsAnEioForPreadNotAHang(WaitPolicy policy) throws Exception {
        try (GuestStack stack = GuestStack.emulated()) {
            // one page: lazyread maps nothing and preads it; the source fails every read
            Result r = run(stack, policy, PreemptionModel.PREEMPTIBLE, 4000, "fail-after=0", 1);
            assertThat(r.stderr()).contains("pread at 0: -1 of 4000");
        }
    }

    @Test
    void onKvmTheBytesAreRightToo() throws Exception {
        try (GuestStack stack = GuestStack.kvm()) {
            Result r = run(stack, WaitPolicy.DECISION_TABLE, PreemptionModel.PREEMPTIBLE, "1ms");
            assertThat(r.stdout()).contains(expected());
        }
    }
}
