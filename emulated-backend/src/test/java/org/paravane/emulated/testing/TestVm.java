package org.paravane.emulated.testing;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.support.x86.PageTables;
import org.paravane.support.x86.TrapStubs;

/**
 * A VM on the emulated backend with the {@link FlatPlatform} (IDT of exit stubs, GDT, TSS, identity paging) over
 * {@code [0, size)}: code goes at {@link #CODE}, data at {@link #DATA}, the user stack grows down from
 * {@link #STACK}; a store to {@link #RESULT} ends up as an MMIO exit.
 */
public final class TestVm implements AutoCloseable {
    public static final long CODE = 0x40_0000, DATA = 0x60_0000, STACK = 0x80_0000, RESULT = 0xF000_0000L;

    public final EmulatedBackend backend;
    public final VirtualMachine vm;
    public final FlatPlatform platform;

    public TestVm() {
        this(new EmulatedBackend(), 1, 16 << 20, PageSource.ZERO, false);
    }

    public TestVm(EmulatedBackend backend, int vcpus, long size, PageSource source, boolean lazy) {
        this.backend = backend;
        List<MemoryRegion> regions = lazy
                ? List.of(new MemoryRegion("low", 0, 1 << 20, false), new MemoryRegion("ram", 1 << 20, size - (1 << 20), true))
                : List.of(new MemoryRegion("ram", 0, size, false));
        this.vm = backend.createVm(new VmSpec("test", vcpus, regions, source));
        this.platform = FlatPlatform.write(vm.memory(), vcpus, size);
        platform.pageTables().map(RESULT, RESULT, 4096, PageTables.RW | PageTables.US);
    }

    public Vcpu vcpu(int i) {
        return vm.vcpu(i);
    }

    public void load(long address, byte[] bytes) {
        try {
            vm.memory().slice(address, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        } catch (PageSourceException e) {
            throw new IllegalStateException(e);
        }
    }

    public MemorySegment mem(long address, long length) {
        try {
            return vm.memory().slice(address, length);
        } catch (PageSourceException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Assembles {@code source} at {@link #CODE}, loads it and points vCPU {@code v} at it (CPL {@code cpl}). */
    public Vcpu start(int v, int cpl, String source) {
        byte[] code = Asm.assemble(source, CODE);
        load(CODE, code);
        return start(v, cpl, CODE);
    }

    public Vcpu start(int v, int cpl, long rip) {
        Vcpu vcpu = vm.vcpu(v);
        vcpu.setState(platform.state(v, cpl, rip, STACK - v * 0x10000L, GeneralRegisters.RFLAGS_RESET));
        return vcpu;
    }

    public VcpuState state(int v) {
        return vm.vcpu(v).state();
    }

    /** Runs until the store to {@link #RESULT}; returns the stored value. */
    public long runToResult(Vcpu vcpu) {
        VcpuExit e = vcpu.run();
        if (e instanceof VcpuExit.Mmio m && m.write() && m.address() == RESULT) {
            return m.data().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
        }
        throw new AssertionError("expected the result store, got " + e + " with " + vcpu.state());
    }

    /** The vector whose trap stub the vCPU exited from, or -1 when the exit is not a stub. */
    public static int trapVector(VcpuExit e, Vcpu vcpu) {
        if (e instanceof VcpuExit.PortIo p && p.port() == TrapStubs.TRAP_PORT && !p.in()) {
            return FlatPlatform.vectorAt(vcpu.registers().rip());
        }
        return -1;
    }

    public void budget(int v, long instructions) {
        vm.vcpu(v).setBudget(new RunBudget(instructions, 0));
    }

    @Override
    public void close() {
        vm.close();
    }
}
