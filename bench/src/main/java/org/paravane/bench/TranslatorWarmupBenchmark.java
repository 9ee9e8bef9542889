package org.paravane.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.cpu.translate.Translator;
import org.paravane.emulated.vstate.EmulatedVcpu;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.support.x86.PageTables;

/**
 * The software CPU's warm-up (issue 16): a new VM runs one of the kernels of {@link EmulatedMipsBenchmark} over and
 * over for {@link #seconds}, in 10 ms windows, interpreting or translating (its backend option
 * {@code emulated.translation}); {@link WarmupCurve} finds the steady rate, when it was reached and what the
 * translations cost. {@code jvm=cold}: the VM is the first of a fresh JVM (a container's first VM); {@code warm}: a VM
 * of the same kernel and mode ran for as long before it in the same JVM, so only the new VM's own translations are
 * cold (a new VM in a running container: its blocks are new hidden classes the JIT compiles again).
 *
 * <p>The results are the lines each run prints: its {@link WarmupCurve.Summary} and its curve, MIPS per 10 windows
 * (about 100 ms); run with {@code -f N} for N of each. JMH's own score is only the run's fixed length: auxiliary
 * counters of type {@code EVENTS} would be added up over the forks, not averaged, which misleads for a rate.
 *
 * <pre>java -jar bench/target/benchmarks.jar TranslatorWarmup</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TranslatorWarmupBenchmark {

    static final long WINDOW_NANOS = 10_000_000;

    @Param({"1", "2", "3", "4", "5"})
    public int kernel;

    @Param({"interpreter", "translator"})
    public String cpu;

    @Param({"cold", "warm"})
    public String jvm;

    /** Length of the measured run; its last quarter gives the steady rate. */
    @Param({"4"})
    public double seconds;

    @Setup(Level.Trial)
    public void warmTheJvm() throws IOException {
        if (jvm.equals("warm")) {
            curve();
        } else if (!jvm.equals("cold")) {
            throw new IllegalArgumentException("jvm=" + jvm + ": cold or warm");
        }
    }

    @Benchmark
    public double warmUp() throws IOException {
        WarmupCurve curve = curve();
        WarmupCurve.Summary s = curve.summary();
        System.out.printf("%nK%d %s, %s JVM: %s%n  MIPS per 10 windows (about 100 ms): %s%n", kernel, cpu, jvm,
                s.line(), curve);
        return s.msToSteady();
    }

    /** A new VM running the kernel for {@link #seconds}, window by window. */
    private WarmupCurve curve() throws IOException {
        if (!cpu.equals("interpreter") && !cpu.equals("translator")) {
            throw new IllegalArgumentException("cpu=" + cpu + ": interpreter or translator");
        }
        VmSpec spec = new VmSpec("warmup", 1, List.of(new MemoryRegion("ram", 0, 16 << 20, false)), PageSource.ZERO)
                .withBackendOptions(Map.of("emulated.translation", String.valueOf(cpu.equals("translator"))));
        try (VirtualMachine vm = new EmulatedBackend().createVm(spec)) {
            FlatPlatform platform = FlatPlatform.write(vm.memory(), 1, 16 << 20);
            platform.pageTables().map(EmulatedMipsBenchmark.RESULT, EmulatedMipsBenchmark.RESULT, 4096,
                    PageTables.RW | PageTables.US);
            byte[] image;
            try (InputStream in = getClass().getResourceAsStream("/kernels/k" + kernel + ".bin")) {
                image = in.readAllBytes();
            }
            vm.memory().slice(EmulatedMipsBenchmark.CODE, image.length).copyFrom(MemorySegment.ofArray(image));
            return windows(platform, vm.vcpu(0), BenchmarkKernels.checksum(kernel));
        }
    }

    private WarmupCurve windows(FlatPlatform platform, Vcpu vcpu, long expected) {
        List<WarmupCurve.Window> windows = new ArrayList<>();
        start(platform, vcpu);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (long windowStart = System.nanoTime(); windowStart < end; ) {
            long before = vcpu.stats().instructions(), windowEnd = windowStart + WINDOW_NANOS;
            for (long now = windowStart; now < windowEnd; now = System.nanoTime()) {
                vcpu.setBudget(new RunBudget(0, windowEnd - now));
                VcpuExit e = vcpu.run();
                if (e instanceof VcpuExit.Mmio m && m.address() == EmulatedMipsBenchmark.RESULT) {
                    long result = m.data().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                    if (result != expected) {
                        throw new IllegalStateException("K" + kernel + " checksum 0x" + Long.toHexString(result)
                                + ", expected 0x" + Long.toHexString(expected));
                    }
                    start(platform, vcpu);   // the kernel again, in the same VM: its blocks stay translated
                } else if (!(e instanceof VcpuExit.Interrupted)) {
                    throw new IllegalStateException("K" + kernel + " ended with " + e);
                }
            }
            long now = System.nanoTime();
            Translator.Stats t = ((EmulatedVcpu) vcpu).translationStats();
            windows.add(new WarmupCurve.Window(now - windowStart, vcpu.stats().instructions() - before,
                    t == null ? 0 : t.translated(), t == null ? 0 : t.nanos(), t == null ? 0 : t.bytes()));
            windowStart = now;
        }
        return new WarmupCurve(windows);
    }

    private void start(FlatPlatform platform, Vcpu vcpu) {
        var state = platform.state(0, 3, EmulatedMipsBenchmark.CODE, EmulatedMipsBenchmark.STACK,
                GeneralRegisters.RFLAGS_RESET);
        if (kernel == 5) {   // a C guest: its argument in RDI, as the guest kernel passes it
            state = state.withRegisters(state.registers().with(GeneralRegisters.RDI, BenchmarkKernels.iterations(5)));
        }
        vcpu.setState(state);
    }
}
