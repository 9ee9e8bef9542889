package org.paravane.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.cpu.translate.TranslationSettings;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.support.x86.PageTables;

/**
 * Guest MIPS of the emulated backend on the four CPU-bound kernels of its test kit's kernels.S (K1 xorshift ALU,
 * K2 byte sieve, K3 recursive fib, K4 table CRC32), each at a tenth of the reference iteration count (about 100 M guest
 * instructions per run), and on K5, the double-precision n-body guest (guests/src/cpu_nbody.c, SSE2, built by
 * {@code make flat} as a flat image), at CPL 3 on the flat platform, interpreted and translated ({@link #cpu}). The {@code instructions} counter is the guest instructions
 * retired per second (the emulator counts them exactly); every run checks the kernel's checksum.
 *
 * <pre>./mvnw -B -Pbench -DskipTests package -pl bench -am &amp;&amp; java -jar bench/target/benchmarks.jar EmulatedMips</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class EmulatedMipsBenchmark {

    static final long CODE = 0x40_0000, STACK = 0x80_0000, RESULT = 0xF000_0000L;

    @Param({"1", "2", "3", "4", "5"})
    public int kernel;

    /**
     * {@code interpreter}: every block interpreted (translation off); {@code translator}: hot blocks translated to
     * JVM bytecode at the default threshold; {@code calls}: translated, but every instruction calls its interpreter
     * {@code Insn} (what the bytecode block alone gives, and the cost of an instruction left to the interpreter).
     * Side by side in one run.
     */
    @Param({"interpreter", "calls", "translator"})
    public String cpu;

    private VirtualMachine vm;
    private FlatPlatform platform;
    private Vcpu vcpu;
    private long expected;

    /** Guest instructions retired, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Retired {
        public long instructions;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TranslationSettings translation = switch (cpu) {
            case "interpreter" -> TranslationSettings.OFF;
            case "translator" -> new TranslationSettings(true, TranslationSettings.DEFAULT_THRESHOLD,
                    TranslationSettings.DEFAULT_CODE_CACHE_KIB);
            case "calls" -> new TranslationSettings(true, TranslationSettings.DEFAULT_THRESHOLD,
                    TranslationSettings.DEFAULT_CODE_CACHE_KIB, false);
            default -> throw new IllegalArgumentException("cpu=" + cpu + ": interpreter or translator");
        };
        vm = new EmulatedBackend(translation).createVm(new VmSpec("bench", 1, List.of(new MemoryRegion("ram", 0, 16 << 20, false)),
                PageSource.ZERO));
        platform = FlatPlatform.write(vm.memory(), 1, 16 << 20);
        platform.pageTables().map(RESULT, RESULT, 4096, PageTables.RW | PageTables.US);
        byte[] image;
        try (InputStream in = getClass().getResourceAsStream("/kernels/k" + kernel + ".bin")) {
            image = in.readAllBytes();
        }
        vm.memory().slice(CODE, image.length).copyFrom(MemorySegment.ofArray(image));
        vcpu = vm.vcpu(0);
        expected = BenchmarkKernels.checksum(kernel);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        vm.close();
    }

    @Benchmark
    public long run(Retired retired) throws IOException {
        var state = platform.state(0, 3, CODE, STACK, GeneralRegisters.RFLAGS_RESET);
        if (kernel == 5) {   // a C guest: its argument in RDI, as the guest kernel passes it
            state = state.withRegisters(state.registers().with(GeneralRegisters.RDI, BenchmarkKernels.iterations(5)));
        }
        vcpu.setState(state);
        long before = vcpu.stats().instructions();
        VcpuExit e = vcpu.run();
        if (!(e instanceof VcpuExit.Mmio m) || m.address() != RESULT) {
            throw new IllegalStateException("K" + kernel + " ended with " + e);
        }
        long result = m.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        if (result != expected) {
            throw new IllegalStateException("K" + kernel + " checksum 0x" + Long.toHexString(result) + ", expected 0x"
                    + Long.toHexString(expected));
        }
        retired.instructions += vcpu.stats().instructions() - before;
        return result;
    }
}
