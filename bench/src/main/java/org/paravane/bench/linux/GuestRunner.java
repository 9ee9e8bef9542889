package org.paravane.bench.linux;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.asyncpf.guest.GuestFaultHandler;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.asyncpf.host.AsyncPfHostService;
import org.paravane.asyncpf.table.SleeperTables;
import org.paravane.asyncpf.wait.ScheduleWaiter;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.TaskSpec;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * One backend wired as DS wires it in the container (the software CPU with the host-side async-PF engine, or KVM),
 * running one Linux process per VM to its end: the program's stdout and wall time.
 */
final class GuestRunner implements AutoCloseable {
    private final VirtualizationBackend backend;
    private final EmulatedBackend emulated;
    private final AsyncPfHostService engine = new AsyncPfHostService(Map.of("fetch.threads", 2));
    private final SleeperTables tables = new SleeperTables();
    private final GuestFaultHandler handler = new GuestFaultHandler(new ScheduleWaiter(), new HaltWaiter());
    private int vms;

    private GuestRunner(VirtualizationBackend backend, EmulatedBackend emulated) {
        this.backend = backend;
        this.emulated = emulated;
        if (emulated != null) {
            emulated.bindAsyncPfHost(engine);
        }
    }

    static GuestRunner emulated() {
        EmulatedBackend b = new EmulatedBackend();
        return new GuestRunner(b, b);
    }

    /** KVM, or null with the reason printed. */
    static GuestRunner kvm() {
        KvmBackend b = new KvmBackend(KvmSettings.DEFAULTS);
        if (!b.usable()) {
            System.out.println("kvm: not usable here: " + b.unusableReason());
            return null;
        }
        return new GuestRunner(b, null);
    }

    String name() {
        return backend.name();
    }

    /** What a run printed and how long it took from launch to exit. */
    record Result(int exitCode, String stdout, String stderr, long nanos) {
    }

    /** Runs {@code exe} (its guest path /bin/name) with {@code args} in {@code root} (under the in-memory layer that takes its writes; /tmp in memory). */
    Result run(Path exe, List<String> args, Path root, long timeoutSeconds) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        LinuxOptions linux = new LinuxOptions(new FileSystem.Options(root, false, List.of()),
                Console.streams(InputStream.nullInputStream(), out, err));
        String name = "bench" + (++vms);
        VirtualMachine vm = backend.createVm(new VmSpec(name, 1, List.of(new MemoryRegion("ram", 0, 512L << 20, false)),
                PageSource.ZERO, true));
        GuestKernel k = new GuestKernel(vm, new KernelConfig(PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE, 2000,
                KernelConfig.Console.NONE, null, linux), tables.create(name), () -> handler);
        try {
            String guestPath = "/bin/" + exe.getFileName();
            List<String> argv = new ArrayList<>(List.of(guestPath));
            argv.addAll(args);
            long start = System.nanoTime();
            Task t = k.launch(TaskSpec.linuxProcess(name, new LinuxProcessSpec(guestPath, Files.readAllBytes(exe), argv,
                    List.of("PATH=/bin", "HOME=/", "LANG=C"))));
            k.start();
            if (!k.awaitTasks(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(exe.getFileName() + " did not finish in " + timeoutSeconds + " s on "
                        + name() + "; its output so far: " + out);
            }
            long nanos = System.nanoTime() - start;
            Integer code = t.exitCode();
            return new Result(code == null ? -1 : code, out.toString(), err.toString()
                    + (t.failure() == null ? "" : t.failure()), nanos);
        } finally {
            k.stop();
            k.vm().close();
        }
    }

    @Override
    public void close() {
        if (emulated != null) {
            emulated.unbindAsyncPfHost(engine);
        }
        engine.deactivate();
    }
}
