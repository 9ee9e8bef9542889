package org.paravane.bench.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.memory.PageSource;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.vstate.vcpu.KvmVcpu;
import org.paravane.kvm.vstate.vm.KvmVm;
import org.paravane.support.x86.FlatPlatform;

/**
 * Guest exits per second: a CPL0 {@code out} loop run through {@link Vcpu#run()} (sync regs, exit mapping, budget and
 * kick machinery) against a bare FFM {@code ioctl(KVM_RUN)} loop on the same kind of vCPU that only reads the exit reason.
 * On PVM hosts the {@code out} and {@code jmp} are emulated: most of an exit is the kernel's fixed cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class ExitBenchmark {
    private static final int EXIT_IO = 2;

    private KvmBackend backend;
    private VirtualMachine vm;
    private Vcpu vcpu;
    private int vcpuFd;
    private MemorySegment kvmRun;
    private MemorySegment errno;
    private MethodHandle ioctl;

    @Setup(Level.Trial)
    public void setUp() {
        backend = KvmGuests.backend(65536);
        vm = backend.createVm(KvmGuests.spec("exits", 0, PageSource.ZERO));
        FlatPlatform p = KvmGuests.platform(vm, KvmGuests.OUT_LOOP);
        vcpu = vm.vcpu(0);
        vcpu.setState(p.state(0, 0, KvmGuests.CODE, FlatPlatform.kernelStackTop(0), 2));
        KvmVcpu k = ((KvmVm) vm).kvmVcpus().get(0);
        vcpuFd = k.fd().fd();
        kvmRun = k.fd().kvmRun().page();
        Linker linker = Linker.nativeLinker();
        ioctl = linker.downcallHandle(linker.defaultLookup().find("ioctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
        errno = java.lang.foreign.Arena.ofAuto().allocate(Linker.Option.captureStateLayout());
        vcpu.run();   // binds the thread, applies the state
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        vm.close();
        backend.close();
    }

    @Benchmark
    public VcpuExit backendRun() {
        return vcpu.run();
    }

    @Benchmark
    public int bareKvmRun() throws Throwable {
        int r = (int) ioctl.invokeExact(errno, vcpuFd, 0xAE80L, 0L);
        int reason = kvmRun.get(JAVA_INT, 8);
        if (r != 0 || reason != EXIT_IO) {
            throw new IllegalStateException("KVM_RUN returned " + r + ", exit " + reason);
        }
        return reason;
    }
}
