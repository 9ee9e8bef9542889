package org.paravane.vmm.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.backend.VirtualMachine;
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
import org.junit.jupiter.api.Assumptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.paravane.api.backend.VirtualizationBackend;

/**
 * The whole stack outside OSGi, wired as DS would wire it: a backend (the software CPU with the host-side async-PF
 * engine, or KVM with the kernel's), the sleeper tables, both waiters and the guest-side handler. Tests launch guest
 * images on it.
 */
final class GuestStack implements AutoCloseable {
    static final long DATA = 0x1_0000_0000L;

    final VirtualizationBackend backend;
    private final EmulatedBackend emulated;
    final AsyncPfHostService engine = new AsyncPfHostService(java.util.Map.of("fetch.threads", 8));
    final SleeperTables tables = new SleeperTables();
    final GuestFaultHandler handler;
    private final List<AutoCloseable> open = new ArrayList<>();

    private GuestStack(VirtualizationBackend backend, EmulatedBackend emulated, AsyncPfWaiter haltWaiter) {
        this.backend = backend;
        this.emulated = emulated;
        this.handler = new GuestFaultHandler(new ScheduleWaiter(), haltWaiter);
        if (emulated != null) {
            emulated.bindAsyncPfHost(engine);
        }
    }

    static GuestStack emulated() {
        return emulated(new HaltWaiter());
    }

    /** The software CPU, with {@code haltWaiter} for the halt wait. */
    static GuestStack emulated(AsyncPfWaiter haltWaiter) {
        EmulatedBackend b = new EmulatedBackend();
        return new GuestStack(b, b, haltWaiter);
    }

    /** KVM, or a skip with the reason it is not usable here. */
    static GuestStack kvm() {
        return kvm(KvmSettings.DEFAULTS);
    }

    /** KVM fetching one page per fault, as the software CPU does, so guests progress at the same pace on both. */
    static GuestStack kvmPageAtATime() {
        KvmSettings d = KvmSettings.DEFAULTS;
        return kvm(new KvmSettings(d.memoryMode(), 4096, d.fetchThreads(), d.workingSet(), d.workingSetDir(),
                d.asyncPageFaults(), d.kickSignal(), d.retryMinNanos(), d.retryMaxNanos()));
    }

    private static GuestStack kvm(KvmSettings settings) {
        KvmBackend b = new KvmBackend(settings);
        Assumptions.assumeTrue(b.usable(), () -> "KVM tests skipped: " + b.unusableReason());
        return new GuestStack(b, null, new HaltWaiter());
    }

    /**
     * Whether guest CPL0 accesses to absent pages can become async page faults. Not on PVM hosts: KVM emulates CPL0
     * code there, and the emulator's accesses to absent pages fault synchronously in the host kernel.
     */
    boolean kernelFaultsGoAsync() {
        return emulated != null || !Files.isDirectory(Path.of("/sys/module/kvm_pvm"));
    }

    /** The host engine leaves with no successor (its bundle stopped): unbound from the backend, then deactivated. */
    void engineLeaves() {
        emulated.unbindAsyncPfHost(engine);
        engine.deactivate();
    }

    String name() {
        return backend.name();
    }

    /** A started kernel on a VM of {@code vcpus} with 16 MiB RAM and, when {@code dataBytes > 0}, a lazy data region. */
    GuestKernel kernel(String name, int vcpus, long dataBytes, PageSource source, PreemptionModel model, WaitPolicy policy) {
        PageFaultHandler h = handler;
        return kernel(name, vcpus, dataBytes, source, model, policy, () -> h);
    }

    /** The same, with the guest-side handler service as {@code guestHandler} says it is now (it may come and go). */
    GuestKernel kernel(String name, int vcpus, long dataBytes, PageSource source, PreemptionModel model, WaitPolicy policy,
                       java.util.function.Supplier<PageFaultHandler> guestHandler) {
        List<MemoryRegion> regions = new ArrayList<>(List.of(new MemoryRegion("ram", 0, 16 << 20, false)));
        if (dataBytes > 0) {
            regions.add(new MemoryRegion("data", DATA, dataBytes, true));
        }
        VirtualMachine vm = backend.createVm(new VmSpec(name, vcpus, regions, source, policy != WaitPolicy.OFF));
        GuestKernel k = new GuestKernel(vm, new KernelConfig(model, policy, 1000, KernelConfig.Console.NONE),
                tables.create(name), guestHandler);
        open.add(() -> {
            k.stop();
            k.vm().close();
        });
        return k;
    }

    /** A kernel (not started) on a VM of {@code ramMiB} MiB RAM configured by {@code config}. */
    GuestKernel kernel(String name, int vcpus, int ramMiB, KernelConfig config) {
        List<MemoryRegion> regions = List.of(new MemoryRegion("ram", 0, (long) ramMiB << 20, false));
        VirtualMachine vm = backend.createVm(new VmSpec(name, vcpus, regions, PageSource.ZERO, true));
        PageFaultHandler h = handler;
        GuestKernel k = new GuestKernel(vm, config, tables.create(name), () -> h);
        open.add(() -> {
            k.stop();
            k.vm().close();
        });
        return k;
    }

    static ElfImage image(String name) throws Exception {
        return ElfImage.parse(name + ".elf", ElfImageTest.guest(name));
    }

    /**
     * Moves {@code k}'s VM to {@code to} while it runs: pause, {@code whilePaused} (a test's checks on the paused
     * kernel), capture, restore on {@code to}, swap, resume.
     */
    static void moveVm(GuestKernel k, GuestStack to, Runnable whilePaused) throws InterruptedException {
        k.pause();
        try {
            whilePaused.run();
            VirtualMachine old = k.vm();
            try (org.paravane.vmm.persist.MachineImage image = org.paravane.vmm.persist.MachineImage.capture(old)) {
                k.replaceVm(image.restore(to.backend));
                old.close();
            }
        } finally {
            k.resume();
        }
    }

    static void runToEnd(GuestKernel k) throws InterruptedException {
        k.start();
        awaitEnd(k);
    }

    static void awaitEnd(GuestKernel k) throws InterruptedException {
        long seconds = Long.getLong("paravane.test.timeout", 120);
        if (!k.awaitTasks(seconds, TimeUnit.SECONDS)) {
            StringBuilder why = new StringBuilder("tasks did not finish in " + seconds + " s: ");
            k.tasks().forEach(t -> why.append(t).append(' ').append(t.state()).append("; "));
            why.append(k.vcpuStats()).append(' ').append(k.sleeperStats());
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                if (thread.getName().startsWith("paravane")) {
                    why.append("\n").append(thread.getName()).append(':');
                    for (int i = 0; i < Math.min(12, stack.length); i++) {
                        why.append("\n    ").append(stack[i]);
                    }
                }
            });
            throw new AssertionError(why.toString());
        }
        if (k.panicReport() != null) {
            throw new AssertionError("guest panic: " + k.panicReport());
        }
    }

    /** The scanner's checksum of {@code bytes} of pattern memory at {@code base}: FNV-1a-like over qwords. */
    static long scannerChecksum(long seed, long base, long bytes) {
        long hash = 0xcbf29ce484222325L;
        for (long off = 0; off < bytes; off += 8) {
            hash = (hash ^ org.paravane.vmm.source.PatternPageSource.qwordAt(seed, base + off)) * 0x100000001b3L;
        }
        return hash;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        if (emulated != null) {
            emulated.unbindAsyncPfHost(engine);
        }
        engine.deactivate();
    }
}
