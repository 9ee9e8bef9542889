package org.paravane.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * What an instruction left to the interpreter costs inside translated code: a translated loop of seven integer
 * instructions ({@code integer}) plus 4 or 16 floating-point instructions per pass (src/main/asm/interpreted-cost.S):
 * SSE arithmetic (ADDSD/MULSD) translated ({@code sse4}, {@code sse16}), the same with the translator's SSE inlining
 * switched off, so the block calls each instruction's {@code Insn} ({@code sse4-called}, {@code sse16-called}), x87
 * (FADD/FMUL), which the translator always leaves to the interpreter ({@code x87-4}, {@code x87-16}), and SSE moves
 * (MOVQ between RAX, XMM4 and RDX), which do next to nothing themselves, translated and called ({@code moves4} ...
 * {@code moves16-called}). One invocation is one run of {@link #PASSES}
 * passes; the cost of one instruction of a kind is the slope between its 4- and 16-instruction kernels,
 * {@code (t16 - t4) / (12 * PASSES)}, free of the per-pass costs (the loop, a block exit where the loop stops being
 * a translated self-loop).
 *
 * <pre>./mvnw -B -Pbench -DskipTests package -pl bench -am &amp;&amp; java -jar bench/target/benchmarks.jar InterpretedCost</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class InterpretedCostBenchmark {

    /** Passes of the loop per run, as bench/pom.xml assembles the kernels. */
    static final long PASSES = 200_000;

    @Param({"integer", "sse4", "sse16", "sse4-called", "sse16-called", "x87-4", "x87-16", "moves4", "moves16",
        "moves4-called", "moves16-called"})
    public String variant;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

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

    /**
     * The benchmark thread's CPU time and the runs it covers, summed per iteration: {@code cpuNanos / runs} is a run's
     * cost without the time the thread waited for a core (this host is shared; wall-clock scores suffer from the load).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        public long cpuNanos;
        public long runs;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        int mix = variant.startsWith("sse") ? 1 : variant.startsWith("x87") ? 2 : variant.startsWith("moves") ? 3 : 0;
        int ops = mix == 0 ? 0 : variant.contains("16") ? 16 : 4;
        boolean inlineSse = !variant.endsWith("-called");
        TranslationSettings translation = new TranslationSettings(true, TranslationSettings.DEFAULT_THRESHOLD,
                TranslationSettings.DEFAULT_CODE_CACHE_KIB, true, inlineSse);
        vm = new EmulatedBackend(translation).createVm(new VmSpec("bench", 1,
                List.of(new MemoryRegion("ram", 0, 16 << 20, false)), PageSource.ZERO));
        platform = FlatPlatform.write(vm.memory(), 1, 16 << 20);
        platform.pageTables().map(EmulatedMipsBenchmark.RESULT, EmulatedMipsBenchmark.RESULT, 4096,
                PageTables.RW | PageTables.US);
        byte[] image;
        try (InputStream in = getClass().getResourceAsStream("/kernels/cost-" + mix + "-" + ops + ".bin")) {
            image = in.readAllBytes();
        }
        vm.memory().slice(EmulatedMipsBenchmark.CODE, image.length).copyFrom(MemorySegment.ofArray(image));
        vcpu = vm.vcpu(0);
        expected = checksum(mix == 3 ? 0 : ops, PASSES);
    }

    /** The kernel's result: the xorshift state plus its running sum plus the accumulator (1.0 added OPS/2 times a pass). */
    static long checksum(int ops, long passes) {
        long x = 0x9E3779B97F4A7C15L, sum = 0;
        for (long i = 0; i < passes; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            sum += x;
        }
        return x + sum + passes * (ops / 2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        vm.close();
    }

    @Benchmark
    public long run(Retired retired, CpuTime cpu) throws IOException {
        long cpuBefore = THREADS.getCurrentThreadCpuTime();
        vcpu.setState(platform.state(0, 3, EmulatedMipsBenchmark.CODE, EmulatedMipsBenchmark.STACK,
                GeneralRegisters.RFLAGS_RESET));
        long before = vcpu.stats().instructions();
        VcpuExit e = vcpu.run();
        if (!(e instanceof VcpuExit.Mmio m) || m.address() != EmulatedMipsBenchmark.RESULT) {
            throw new IllegalStateException(variant + " ended with " + e);
        }
        long result = m.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        if (result != expected) {
            throw new IllegalStateException(variant + ": checksum 0x" + Long.toHexString(result) + ", expected 0x"
                    + Long.toHexString(expected));
        }
        retired.instructions += vcpu.stats().instructions() - before;
        cpu.cpuNanos += THREADS.getCurrentThreadCpuTime() - cpuBefore;
        cpu.runs++;
        return result;
    }
}
