package org.paravane.emulated.vstate;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.HostFault;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.HostVcpuPort;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VcpuStats;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.emulated.cpu.CodeCache;
import org.paravane.emulated.cpu.translate.Translator;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.GuestFault;
import org.paravane.emulated.cpu.HostAbsent;
import org.paravane.emulated.cpu.Interpreter;
import org.paravane.emulated.cpu.Msrs;
import org.paravane.emulated.cpu.Vectors;

/**
 * One software vCPU: the {@link Vcpu} of the API on top of the {@link Interpreter}, and (through {@link #port()}) the
 * {@link HostVcpuPort} by which the host-side async page fault engine, when one is bound, sees it. The port is a
 * separate object because its {@code kick()} means "notice new work" while {@link Vcpu#kick()} means "return".
 *
 * <p>{@code run()} is the vCPU thread's loop: it runs the interpreter until an exit for the caller, sleeps in HLT
 * with interrupts enabled until an interrupt can be delivered, and resolves host-absent pages (through the engine, or
 * by fetching them on this thread). Other threads reach a running vCPU only through the attention word: kicks, the
 * engine's completions, code-page changes made by other vCPUs, exclusive sections, an engine coming or going.
 */
public final class EmulatedVcpu implements Vcpu {
    private static final Logger LOG = Logger.getLogger(EmulatedVcpu.class.getName());

    static final int KICK = 1, ASYNC_PF = 2, FLUSH_WRITES = 4, EXCLUSIVE = 8, ENGINE = 16, CODE_CHANGED = 32;

    private final EmulatedVm vm;
    private final int id;
    final Cpu cpu;
    private final Interpreter interpreter;
    private final AtomicInteger attention = new AtomicInteger();
    private final AtomicBoolean kicked = new AtomicBoolean();
    private final ReentrantLock running = new ReentrantLock();
    private volatile Thread thread;
    private volatile boolean executing;

    private volatile RunBudget budget = RunBudget.UNLIMITED;
    private volatile boolean singleStep;

    // Statistics.
    private long runs, exits, haltedNanos, runNanos, pageWaitNanos;
    private final Port port = new Port();
    /** The host-side async-PF engine as this vCPU sees it, with the guest's async-PF MSRs. */
    private final AsyncPfLink apf;
    /** Translates this vCPU's hot blocks; null when translation is off. */
    private final Translator translator;

    EmulatedVcpu(EmulatedVm vm, int id) {
        this.vm = vm;
        this.id = id;
        this.cpu = new Cpu(vm.physical());
        cpu.vcpuId = id;
        cpu.cpuModel = vm.spec().cpuModel();
        cpu.exclusive = vm.exclusive();
        this.apf = new AsyncPfLink(id, port, vm::engine);
        cpu.msrExtension = apf;
        CodeCache code = new CodeCache(cpu, vm.physical());
        if (vm.translation().enabled()) {
            translator = new Translator(vm.translation(), code::clear);
            code.setTranslation(translator);
        } else {
            translator = null;
        }
        this.interpreter = new Interpreter(cpu, code, attention);
        StateMapper.reset(cpu);
    }

    /** What the translator did on this vCPU, or null when translation is off. */
    public Translator.Stats translationStats() {
        return translator == null ? null : translator.stats();
    }

    // ---- Vcpu ---------------------------------------------------------------------------------------------------

    @Override
    public int id() {
        return id;
    }

    @Override
    public VirtualMachine vm() {
        return vm;
    }

    @Override
    public VcpuExit run() {
        if (!running.tryLock()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, "vCPU " + id + " of VM '" + vm.spec().name()
                    + "' is already running on " + thread + "; run() takes one thread at a time");
        }
        long start = System.nanoTime();
        thread = Thread.currentThread();
        runs++;
        try {
            vm.checkOpen();
            VcpuExit exit = runLoop(start);
            exits++;
            return exit;
        } catch (RuntimeException e) {
            if (e instanceof BackendException) {
                throw e;
            }
            LOG.log(Level.SEVERE, "emulator failure on vCPU " + id, e);
            exits++;
            return new VcpuExit.Failed("emulator failure", 0, e + " at RIP 0x" + Long.toHexString(cpu.rip) + "; "
                    + StateMapper.state(cpu, apf.enable(), apf.vector()));
        } finally {
            executing = false;
            thread = null;
            runNanos += System.nanoTime() - start;
            running.unlock();
        }
    }

    private VcpuExit runLoop(long start) {
        if (kicked.getAndSet(false)) {
            attention.getAndUpdate(a -> a & ~KICK);
            return new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK);
        }
        String mode = unsupportedMode();
        if (mode != null) {
            return new VcpuExit.Failed("unsupported CPU mode", 0, mode);
        }
        RunBudget b = budget;
        long deadline = b.nanos() > 0 ? start + b.nanos() : 0;
        long limit = b.instructions() > 0 ? cpu.retired + b.instructions() : Long.MAX_VALUE;
        interpreter.code().newRun();
        apf.sync();
        apf.beforeEntry();
        for (;;) {
            enterGuest();
            Interpreter.Stop stop;
            try {
                stop = interpreter.run(limit == Long.MAX_VALUE ? Long.MAX_VALUE : limit - cpu.retired, deadline, singleStep);
            } finally {
                executing = false;
            }
            switch (stop) {
                case EXIT -> {
                    VcpuExit e = cpu.pendingExit();
                    cpu.setPendingExit(null);
                    return e;
                }
                case BUDGET, DEADLINE -> {
                    return new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET);
                }
                case STEP -> {
                    return new VcpuExit.Debug(cpu.rip, true);
                }
                case SHUTDOWN -> {
                    return new VcpuExit.Shutdown(cpu.shutdown);
                }
                case ATTENTION -> {
                    VcpuExit e = serviceAttention();
                    if (e != null) {
                        return e;
                    }
                }
                case HALTED -> {
                    VcpuExit e = halt(deadline);
                    if (e != null) {
                        return e;
                    }
                }
                case HOST_FAULT -> {
                    long waitStart = System.nanoTime();
                    VcpuExit e = hostFault();
                    pageWaitNanos += System.nanoTime() - waitStart;   // the vCPU ran nothing meanwhile
                    if (e != null) {
                        return e;
                    }
                    apf.beforeEntry();
                }
            }
        }
    }

    private String unsupportedMode() {
        boolean paging = (cpu.cr0 & ControlRegisters.CR0_PG) != 0;
        boolean lma = (cpu.efer & ControlRegisters.EFER_LMA) != 0;
        if (paging && lma && cpu.seg[Cpu.CS].longMode() && !cpu.seg[Cpu.CS].db()) {
            return null;
        }
        return "the emulated backend runs 64-bit long mode only (CR0.PG=1, EFER.LMA=1, CS.L=1); this vCPU has CR0=0x"
                + Long.toHexString(cpu.cr0) + " EFER=0x" + Long.toHexString(cpu.efer) + " CS.L="
                + (cpu.seg[Cpu.CS].longMode() ? 1 : 0) + " at RIP 0x" + Long.toHexString(cpu.rip);
    }

    private void enterGuest() {
        executing = true;
        if (vm.exclusive().requested()) {
            vm.exclusive().awaitRelease(this);
        }
    }

    private VcpuExit serviceAttention() {
        int bits = attention.getAndSet(0);
        if ((bits & FLUSH_WRITES) != 0) {
            cpu.mmu.flushWrites();
        }
        if ((bits & CODE_CHANGED) != 0) {
            cpu.codeEpoch++;                         // another vCPU's store changed decoded code: look blocks up again
        }
        if ((bits & EXCLUSIVE) != 0) {
            vm.exclusive().awaitRelease(this);
            executing = false;
        }
        if ((bits & ENGINE) != 0) {
            apf.sync();
        }
        if ((bits & ASYNC_PF) != 0) {
            apf.beforeEntry();
        }
        if ((bits & KICK) != 0 && kicked.getAndSet(false)) {
            return new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK);
        }
        return null;
    }

    /** HLT: with IF = 0 nothing can wake the vCPU (an exit); with IF = 1 sleep until an interrupt or a kick. */
    private VcpuExit halt(long deadline) {
        if (!cpu.interruptsEnabled()) {
            return new VcpuExit.Halted(cpu.rip);
        }
        long t0 = System.nanoTime();
        try {
            for (;;) {
                int bits = attention.get();
                if ((bits & ~(KICK | ASYNC_PF)) != 0) {
                    VcpuExit e = serviceAttention();
                    if (e != null) {
                        return e;
                    }
                    continue;
                }
                if (kicked.getAndSet(false)) {
                    attention.getAndUpdate(a -> a & ~KICK);
                    return new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK);
                }
                attention.getAndUpdate(a -> a & ~ASYNC_PF);
                if (apf.hasCompletions()) {
                    apf.beforeEntry();
                }
                if (wakeable()) {
                    return null;
                }
                long now = System.nanoTime();
                if (deadline != 0 && now - deadline >= 0) {
                    return new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.BUDGET);
                }
                if (vm.isClosed()) {
                    return new VcpuExit.Interrupted(VcpuExit.Interrupted.Cause.KICK);
                }
                if (attention.get() == 0) {
                    LockSupport.parkNanos(this, deadline != 0 ? Math.max(1, deadline - now) : 100_000_000L);
                }
            }
        } finally {
            haltedNanos += System.nanoTime() - t0;
        }
    }

    private boolean wakeable() {
        if (cpu.pendingVector >= 0 || (cpu.nmiPending && !cpu.nmiBlocked)) {
            return true;
        }
        return interpreter.interruptWindow() && interpreter.deliverableVector() >= 0;
    }

    /** A host-absent page: through the async-PF engine when bound, else fetched here. */
    private VcpuExit hostFault() {
        HostAbsent a = cpu.absent;
        long gpa = a.guestAddress();
        vm.memory().countFault();
        HostFaultResult r = apf.handle(new HostFault(id, gpa, cpu.rip, a.write(), a.fetch()));
        return switch (r) {
            case null -> fetch(gpa);                              // no engine (or it failed): this thread fetches
            case HostFaultResult.Injected i -> null;              // #PF(token) is pending; delivered next
            // The page should be in now; if the engine left it absent (released), fetch it here rather than fault forever.
            case HostFaultResult.Waited w -> vm.memory().isPresent(gpa) ? null : fetch(gpa);
            case HostFaultResult.Present p -> vm.memory().isPresent(gpa) ? null : fetch(gpa);
            case HostFaultResult.Failed f -> new VcpuExit.MemoryError(f.guestAddress(), f.cause());
        };
    }

    private VcpuExit fetch(long gpa) {
        try {
            vm.memory().ensurePresent(gpa & -GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
            return null;
        } catch (PageSourceException e) {
            return new VcpuExit.MemoryError(e.guestAddress(), e.getMessage());
        }
    }

    @Override
    public void kick() {
        kicked.set(true);
        requestAttention(KICK);
    }

    @Override
    public void setBudget(RunBudget budget) {
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
    }

    @Override
    public void setSingleStep(boolean on) {
        this.singleStep = on;
    }

    @Override
    public GeneralRegisters registers() {
        requireStopped("read the registers of");
        return StateMapper.registers(cpu);
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        requireStopped("set the registers of");
        StateMapper.setRegisters(cpu, registers);
        cpu.io.clear();
    }

    @Override
    public VcpuState state() {
        requireStopped("read the state of");
        return StateMapper.state(cpu, apf.enable(), apf.vector());
    }

    @Override
    public void setState(VcpuState state) {
        requireStopped("set the state of");
        StateMapper.setState(cpu, state);
        interpreter.code().clear();
        // Async-PF MSRs that change reach the engine as a guest write would: a new enable (a VM arriving from another
        // host) queues the wake-all. Restoring the values the vCPU has already is no event.
        long vector = state.msrs().get(org.paravane.api.cpu.Msr.KVM_ASYNC_PF_INT);
        long enable = state.msrs().get(org.paravane.api.cpu.Msr.KVM_ASYNC_PF_EN);
        if (vector != apf.vector()) {
            writeMsr(AsyncPfAbi.MSR_ASYNC_PF_INT, vector);
        }
        if (enable != apf.enable()) {
            writeMsr(AsyncPfAbi.MSR_ASYNC_PF_EN, enable);
        }
    }

    /** The FPU's own image: no other state is read. */
    @Override
    public byte[] fpuState() {
        requireStopped("read the FPU state of");
        return cpu.fpu.image();
    }

    @Override
    public void setFpuState(byte[] fxsave) {
        requireStopped("set the FPU state of");
        cpu.fpu.load(fxsave);
    }

    @Override
    public SpecialRegisters specialRegisters() {
        requireStopped("read the special registers of");
        return SpecialRegisters.of(StateMapper.state(cpu, apf.enable(), apf.vector()));
    }

    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        requireStopped("set the special registers of");
        StateMapper.setSpecialRegisters(cpu, registers);
    }

    @Override
    public long readMsr(int index) {
        requireStopped("read an MSR of");
        try {
            return Msrs.read(cpu, index);
        } catch (GuestFault f) {
            throw new IllegalArgumentException("MSR 0x" + Integer.toHexString(index)
                    + " is not implemented by the emulated backend (RDMSR raises #GP)");
        }
    }

    @Override
    public void writeMsr(int index, long value) {
        requireStopped("write an MSR of");
        try {
            Msrs.write(cpu, index, value);
        } catch (GuestFault f) {
            throw new IllegalArgumentException("WRMSR 0x" + Integer.toHexString(index) + " <- 0x" + Long.toHexString(value)
                    + " raises #GP (unknown MSR, reserved bits or a non-canonical address)");
        }
    }

    @Override
    public VcpuStats stats() {
        return new VcpuStats(runs, exits, cpu.retired, haltedNanos, runNanos, pageWaitNanos);
    }

    private void requireStopped(String what) {
        vm.checkOpen();
        if (running.isLocked() && !running.isHeldByCurrentThread()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, "cannot " + what + " vCPU " + id
                    + " of VM '" + vm.spec().name() + "' while it runs: kick it and let run() return first");
        }
    }

    // ---- cross-thread signals -----------------------------------------------------------------------------------

    void requestAttention(int bit) {
        attention.getAndUpdate(a -> a | bit);
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean executing() {
        return executing;
    }

    void setExecuting(boolean on) {
        executing = on;
    }

    void wakeFromExclusive() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean isRunning() {
        return running.isLocked();
    }

    // ---- the async-PF engine ------------------------------------------------------------------------------------

    /** The backend's engine changed: close the state of one that left, and pick up the current one at the next boundary. Any thread. */
    void engineChanged(AsyncPfHost gone) {
        apf.engineChanged(gone);                     // releases a vCPU thread waiting inside it
        requestAttention(ENGINE);
    }

    /** Closes the engine state from another thread, so a vCPU waiting inside it returns (VM close). */
    void releaseEngineWaits() {
        apf.releaseWaits();
    }

    /** Releases the engine state (VM close). */
    void close() {
        apf.close();
    }

    /** What the async page fault engine sees of this vCPU. */
    public HostVcpuPort port() {
        return port;
    }

    private final class Port implements HostVcpuPort {
        @Override
        public int vcpuId() {
            return id;
        }

        @Override
        public GuestMemory memory() {
            return vm.memory();
        }

        @Override
        public int cpl() {
            return cpu.cpl;
        }

        @Override
        public boolean interruptsAllowed() {
            return interpreter.interruptWindow();
        }

        @Override
        public boolean exceptionPending() {
            return cpu.pendingVector >= 0;
        }

        @Override
        public boolean pagingEnabled() {
            return (cpu.cr0 & ControlRegisters.CR0_PG) != 0;
        }

        @Override
        public void injectPageFault(long cr2, int errorCode) {
            cpu.queueException(Vectors.PF, errorCode, cr2);
        }

        @Override
        public void injectInterrupt(int vector) {
            if (vector < 0 || vector > 255) {
                throw new IllegalArgumentException("interrupt vector must be 0..255: " + vector);
            }
            cpu.requestInterrupt(vector);
        }

        /** New work for the vCPU: end a halt, or make the running vCPU call beforeEntry() soon. Any thread. */
        @Override
        public void kick() {
            requestAttention(ASYNC_PF);
        }

        @Override
        public String toString() {
            return "async-PF port of " + EmulatedVcpu.this;
        }
    }

    @Override
    public String toString() {
        return "emulated vCPU " + id + " of VM '" + vm.spec().name() + "'";
    }
}
