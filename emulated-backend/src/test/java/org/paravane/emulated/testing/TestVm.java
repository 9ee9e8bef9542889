package org.paravane.emulated.testing;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
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
import org.paravane.testkit.Asm;

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
        this(backend, vcpus, size, source, lazy, Map.of());
    }

    /** A VM with these backend options ({@link VmSpec#backendOptions}). */
    public TestVm(EmulatedBackend backend, int vcpus, long size, PageSource source, boolean lazy,
                  Map<String, String> backendOptions) {
        this.backend = backend;
        List<MemoryRegion> regions = lazy
                ? List.of(new MemoryRegion("low", 0, 1 << 20, false), new MemoryRegion("ram", 1 << 20, size - (1 << 20), true))
                : List.of(new MemoryRegion("ram", 0, size, false));
        this.vm = backend.createVm(new VmSpec("test", vcpus, regions, source).withBackendOptions(backendOptions));
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

    /** An exception frame as the CPU pushed it (error code -1 when the vector has none). */
    public record Frame(int vector, long errorCode, long rip, long cs, long rflags, long rsp, long ss, long frameAddress) {
    }

    /**
     * The frame of the exception whose trap stub vCPU {@code v} just exited from (a PortIo exit on port 0xE9), read
     * from the kernel stack.
     */
    public Frame frame(int v, VcpuExit exit) {
        Vcpu vcpu = vm.vcpu(v);
        int vector = trapVector(exit, vcpu);
        if (vector < 0) {
            throw new AssertionError("not a trap stub exit: " + exit + " at " + vcpu.registers());
        }
        long sp = vcpu.registers().rsp();
        boolean error = TrapStubs.pushesErrorCode(vector);
        long f = error ? sp + 8 : sp;
        return new Frame(vector, error ? read64(sp) : -1, read64(f), read64(f + 8), read64(f + 16), read64(f + 24),
                read64(f + 32), sp);
    }

    /** Reads a qword at a linear address through the platform's page tables. */
    public long read64(long linear) {
        long phys = platform.pageTables().translate(linear);
        if (phys < 0) {
            throw new AssertionError("0x" + Long.toHexString(linear) + " is not mapped");
        }
        return mem(phys, 8).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    public void write64(long physical, long value) {
        mem(physical, 8).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
    }

    /** Points IDT vector {@code vector} at {@code handler} (an interrupt gate, or a trap gate). */
    public void gate(int vector, long handler, int dpl, int ist, boolean trapGate) {
        MemorySegment idt = mem(FlatPlatform.IDT, 256 * 16);
        org.paravane.support.x86.Descriptors.writeInterruptGate(idt, vector, handler, dpl, ist);
        if (trapGate) {
            long low = idt.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, vector * 16L);
            idt.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, vector * 16L, low | (1L << 40));
        }
    }

    /** Assembles {@code source} at {@code address} and loads it there (identity mapped). */
    public void code(long address, String source) {
        load(address, Asm.assemble(source, address));
    }

    public void budget(int v, long instructions) {
        vm.vcpu(v).setBudget(new RunBudget(instructions, 0));
    }

    @Override
    public void close() {
        vm.close();
    }
}
