package org.paravane.bench.kvm;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.vstate.vm.KvmVm;
import org.paravane.support.x86.FlatPlatform;

/**
 * Lazy guest memory served through userfaultfd: a CPL3 guest (interrupts off, so every fault waits in its vCPU thread)
 * reads the first qword of each of 1024 absent pages; the handler resolves each fault with a chunk of 4 KiB or 64 KiB.
 * The primary score is pages per second; the {@code faults} counter is userfaultfd messages per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 10, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class UffdBenchmark {
    static final int PAGES = 1024;

    @Param({"4096", "65536"})
    public long chunk;

    /** pattern: every qword written by Java; fill: a memset. */
    @Param({"fill"})
    public String source;

    private KvmBackend backend;
    private VirtualMachine vm;
    private Vcpu vcpu;
    private int n;

    /** Userfaultfd messages handled, per second of measured time. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Faults {
        public long faults;
    }

    @Setup(Level.Trial)
    public void backend() {
        backend = KvmGuests.backend(chunk);
    }

    @Setup(Level.Invocation)
    public void freshVm() {
        vm = backend.createVm(KvmGuests.spec("uffd-" + n++, PAGES * 4096L, source.equals("fill") ? KvmGuests.FILL : KvmGuests.PATTERN));
        FlatPlatform p = KvmGuests.platform(vm, KvmGuests.touchPages(PAGES));
        vcpu = vm.vcpu(0);
        vcpu.setState(p.state(0, 3, KvmGuests.CODE, KvmGuests.USER_STACK, 2));
    }

    @TearDown(Level.Invocation)
    public void closeVm() {
        vm.close();
    }

    @TearDown(Level.Trial)
    public void closeBackend() {
        backend.close();
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public VcpuExit touchAbsentPages(Faults counters) {
        VcpuExit e = vcpu.run();
        if (!(e instanceof VcpuExit.Mmio)) {
            throw new IllegalStateException("guest ended with " + e);
        }
        counters.faults += ((KvmVm) vm).faultStats().messages();
        return e;
    }
}
