package org.paravane.bench.kvm;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.memory.PageSource;
import org.paravane.kvm.KvmBackend;
import org.paravane.support.x86.FlatPlatform;

/**
 * VM create to first exit: createVm (VM fd, memory slots, vCPU with CPUID and sync regs; with lazy memory also the
 * userfaultfd, its handler thread and the in-kernel irqchip), the flat platform and the long-mode state written, and
 * run() until the guest's first {@code out}. Destroying the VM is outside the measurement.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class CreateBenchmark {

    @Param({"eager", "lazy"})
    public String memory;

    private KvmBackend backend;
    private VirtualMachine vm;
    private int n;

    @Setup(Level.Trial)
    public void backend() {
        backend = KvmGuests.backend(65536);
    }

    @TearDown(Level.Invocation)
    public void destroy() {
        if (vm != null) {
            vm.close();
            vm = null;
        }
    }

    @TearDown(Level.Trial)
    public void closeBackend() {
        backend.close();
    }

    @Benchmark
    public VcpuExit createToFirstExit() {
        vm = backend.createVm(memory.equals("lazy") ? KvmGuests.spec("create-" + n++, 1 << 20, KvmGuests.PATTERN)
                : KvmGuests.spec("create-" + n++, 0, PageSource.ZERO));
        FlatPlatform p = KvmGuests.platform(vm, KvmGuests.OUT_LOOP);
        vm.vcpu(0).setState(p.state(0, 0, KvmGuests.CODE, FlatPlatform.kernelStackTop(0), 2));
        VcpuExit e = vm.vcpu(0).run();
        if (!(e instanceof VcpuExit.PortIo)) {
            throw new IllegalStateException("first exit " + e);
        }
        return e;
    }
}
