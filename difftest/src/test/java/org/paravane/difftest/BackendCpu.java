package org.paravane.difftest;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.support.x86.PageTables;
import org.paravane.support.x86.TrapStubs;

/**
 * A {@link VirtualizationBackend} as a reference: one VM with the {@link FlatPlatform}, the code and data areas
 * mapped at the {@link Layout} addresses, each case run at CPL 3 one instruction at a time. An exception lands in
 * the platform's trap stub; its frame on the kernel stack gives the faulting RIP, RFLAGS, RSP and error code, so a
 * FAULT record reads like the host CPU's signal context. Only the {@code VirtualizationBackend} API is used: any
 * backend (emulated, KVM) plugs in.
 *
 * <p>Two ways to step: {@link Stepping#API} ({@link Vcpu#setSingleStep}), or {@link Stepping#TRAP_FLAG}, the guest's
 * own RFLAGS.TF: every instruction ends in a #DB through the IDT, whose frame is the step's state, and the case resumes
 * from it. The second works wherever the CPU honours TF at CPL 3 (KVM on PVM hosts, whose guest-debug single-step
 * does not stop native user code) and sees exactly what the host CPU reference sees.
 */
public final class BackendCpu implements Reference {

    /** How the reference stops after each instruction. */
    public enum Stepping { API, TRAP_FLAG }
    static final long CODE_PHYS = 0x40_0000, DATA_PHYS = 0x60_0000, MEMORY = 16L << 20;

    private final VirtualizationBackend backend;
    private final VirtualMachine vm;
    private final FlatPlatform platform;
    private final Vcpu vcpu;
    private final MemorySegment code;
    private final MemorySegment data;
    private final Stepping stepping;

    public BackendCpu(VirtualizationBackend backend) {
        this(backend, Stepping.API);
    }

    public BackendCpu(VirtualizationBackend backend, Stepping stepping) {
        this.backend = backend;
        this.stepping = stepping;
        this.vm = backend.createVm(new VmSpec("difftest-" + backend.name(), 1,
                List.of(new MemoryRegion("ram", 0, MEMORY, false)), PageSource.ZERO));
        this.platform = FlatPlatform.write(vm.memory(), 1, MEMORY);
        platform.pageTables().map(Layout.CODE, CODE_PHYS, Layout.CODE_SIZE, PageTables.RW | PageTables.US);
        platform.pageTables().map(Layout.DATA, DATA_PHYS, Layout.DATA_SIZE, PageTables.RW | PageTables.US);
        try {
            this.code = vm.memory().slice(CODE_PHYS, Layout.CODE_SIZE);
            this.data = vm.memory().slice(DATA_PHYS, Layout.DATA_SIZE);
        } catch (PageSourceException e) {
            throw new IllegalStateException(e);
        }
        this.vcpu = vm.vcpu(0);
    }

    public VirtualizationBackend backend() {
        return backend;
    }

    public Vcpu vcpu() {
        return vcpu;
    }

    @Override
    public String name() {
        return backend.name() + " backend";
    }

    private VcpuState userState;

    /** Loads a case: code, data, the initial state (at CPL 3, interrupts enabled). */
    public void load(TestCase tc) {
        code.fill((byte) 0xCC);
        MemorySegment.copy(MemorySegment.ofArray(tc.code()), 0, code, 0, tc.code().length);
        MemorySegment.copy(MemorySegment.ofArray(tc.data()), 0, data, 0, Layout.DATA_SIZE);
        long[] r = tc.regs().clone();
        r[Layout.RIP] = Layout.CODE;
        r[Layout.RFLAGS] = (r[Layout.RFLAGS] & ~(1L << 8)) | 0x202;
        VcpuState s = platform.state(0, 3, Layout.CODE, r[4], r[Layout.RFLAGS]);
        s = s.withRegisters(GeneralRegisters.fromArray(r));
        s = s.withSegments(s.segments().withGs(s.segments().gs().withBase(tc.gsBase())));
        s = new VcpuState(s.registers(), s.segments(), s.control(), s.gdt(), s.idt(), s.msrs(), s.events(),
                fxsave(tc.simd()));
        userState = s;
        vcpu.setState(stepping == Stepping.TRAP_FLAG ? withTrapFlag(s, true) : s);
    }

    /** An FXSAVE image with the case's XMM registers, MXCSR and x87 state. */
    static byte[] fxsave(long[] simd) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3; i++) {
            b.putLong(8 * i, simd[Layout.X87 + i]);
        }
        for (int i = 0; i < 16; i++) {
            b.putLong(32 + 8 * i, simd[Layout.ST + i]);
        }
        b.putInt(24, (int) simd[Layout.MXCSR]);
        b.putInt(28, 0xFFFF);
        for (int i = 0; i < 32; i++) {
            b.putLong(160 + 8 * i, simd[i]);
        }
        return b.array();
    }

    /** XMM0-15 and MXCSR now. */
    private long[] simdNow() {
        byte[] f = vcpu.state().fxsave();
        long[] s = new long[Layout.SIMD_WORDS];
        if (f == null) {
            return Layout.resetSimd();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32; i++) {
            s[i] = b.getLong(160 + 8 * i);
        }
        for (int i = 0; i < 3; i++) {
            s[Layout.X87 + i] = b.getLong(8 * i);
        }
        for (int i = 0; i < 16; i++) {
            s[Layout.ST + i] = b.getLong(32 + 8 * i);
        }
        s[Layout.MXCSR] = b.getInt(24) & 0xFFFF_FFFFL;
        return s;
    }

    private static VcpuState withTrapFlag(VcpuState s, boolean on) {
        long f = s.registers().rflags();
        return s.withRegisters(s.registers().withRflags(on ? f | (1L << 8) : f & ~(1L << 8)));
    }

    @Override
    public List<List<CpuRecord>> run(List<TestCase> cases) {
        List<List<CpuRecord>> all = new ArrayList<>(cases.size());
        for (TestCase tc : cases) {
            load(tc);
            all.add(steps(tc));
        }
        return all;
    }

    /** Single-steps the loaded case to its end or its first exception (or runs it whole when it is not stepwise). */
    public List<CpuRecord> steps(TestCase tc) {
        if (!tc.stepwise()) {
            return runToEnd(tc);
        }
        if (stepping == Stepping.TRAP_FLAG) {
            return trapSteps(tc);
        }
        List<CpuRecord> records = new ArrayList<>();
        vcpu.setSingleStep(true);
        try {
            for (int n = 0; n <= Layout.MAX_STEPS; n++) {
                VcpuExit exit = vcpu.run();
                CpuRecord r = classify(tc, exit, n == Layout.MAX_STEPS).withSimd(simdNow());
                records.add(r);
                if (r.last()) {
                    return records;
                }
            }
            throw new AssertionError("unreachable");
        } finally {
            vcpu.setSingleStep(false);
        }
    }

    private CpuRecord classify(TestCase tc, VcpuExit exit, boolean limit) {
        GeneralRegisters g = vcpu.registers();
        long rip = g.rip();
        boolean inStubs = rip >= FlatPlatform.STUBS && rip < FlatPlatform.STUBS + TrapStubs.SIZE;
        if (inStubs && (exit instanceof VcpuExit.Debug || exit instanceof VcpuExit.PortIo)) {
            return fault(exit);
        }
        if (!(exit instanceof VcpuExit.Debug)) {
            return new CpuRecord(CpuRecord.Kind.OTHER, g.toArray(), -1, 0, 0, dataCopy(), exit.toString());
        }
        long[] regs = g.toArray();
        if (rip == tc.end()) {
            return new CpuRecord(CpuRecord.Kind.END, regs, -1, 0, 0, dataCopy(), "");
        }
        if (limit) {
            return new CpuRecord(CpuRecord.Kind.LIMIT, regs, -1, 0, 0, dataCopy(), "");
        }
        return CpuRecord.step(regs);
    }

    /**
     * Runs a case that must not be stepped (it reads TF) in one go: the INT3 filler after the code ends it, as the
     * host CPU reference ends such a case.
     */
    private List<CpuRecord> runToEnd(TestCase tc) {
        if (stepping == Stepping.TRAP_FLAG) {
            vcpu.setState(userState);
        }
        VcpuExit exit = vcpu.run();
        GeneralRegisters g = vcpu.registers();
        boolean inStubs = g.rip() >= FlatPlatform.STUBS && g.rip() < FlatPlatform.STUBS + TrapStubs.SIZE;
        if (!inStubs || !(exit instanceof VcpuExit.PortIo)) {
            return List.of(new CpuRecord(CpuRecord.Kind.OTHER, g.toArray(), -1, 0, 0, dataCopy(), exit.toString()));
        }
        CpuRecord r = fault(exit).withSimd(simdNow());
        if (r.vector() == 3 && r.rip() == tc.end() + 1) {
            long[] regs = r.regs().clone();
            regs[Layout.RIP] = tc.end();
            return List.of(new CpuRecord(CpuRecord.Kind.END, regs, -1, 0, 0, r.data(), "", r.simd()));
        }
        return List.of(r);
    }

    /** Steps with the guest's trap flag: each #DB frame is a step; the case resumes from the frame. */
    private List<CpuRecord> trapSteps(TestCase tc) {
        List<CpuRecord> records = new ArrayList<>();
        for (int n = 0; n <= Layout.MAX_STEPS; n++) {
            VcpuExit exit = vcpu.run();
            GeneralRegisters g = vcpu.registers();
            boolean inStubs = g.rip() >= FlatPlatform.STUBS && g.rip() < FlatPlatform.STUBS + TrapStubs.SIZE;
            if (!inStubs || !(exit instanceof VcpuExit.PortIo)) {
                records.add(new CpuRecord(CpuRecord.Kind.OTHER, g.toArray(), -1, 0, 0, dataCopy(), exit.toString()));
                return records;
            }
            CpuRecord r = fault(exit).withSimd(simdNow());
            if (r.vector() != 1) {
                records.add(r);                          // a real exception: the case ends here
                return records;
            }
            long[] regs = r.regs().clone();
            regs[Layout.RFLAGS] &= ~(1L << 8);
            CpuRecord.Kind kind = regs[Layout.RIP] == tc.end() ? CpuRecord.Kind.END
                    : n == Layout.MAX_STEPS ? CpuRecord.Kind.LIMIT : CpuRecord.Kind.STEP;
            records.add((kind == CpuRecord.Kind.STEP ? CpuRecord.step(regs)
                    : new CpuRecord(kind, regs, -1, 0, 0, dataCopy(), "")).withSimd(r.simd()));
            if (kind != CpuRecord.Kind.STEP) {
                return records;
            }
            // Back to CPL 3 where the frame says, TF still set.
            long[] resume = regs.clone();
            resume[Layout.RFLAGS] |= 1L << 8;
            VcpuState u = userState.withRegisters(GeneralRegisters.fromArray(resume));
            vcpu.setState(new VcpuState(u.registers(), u.segments(), u.control(), u.gdt(), u.idt(), u.msrs(), u.events(),
                    vcpu.state().fxsave()));
        }
        throw new AssertionError("unreachable");
    }

    /** The exception frame the trap stub sits on, as the host CPU's signal context would show it. */
    private CpuRecord fault(VcpuExit exit) {
        VcpuState s = vcpu.state();
        int vector = (int) ((s.registers().rip() - FlatPlatform.STUBS) / TrapStubs.STUB_SIZE);
        long sp = s.registers().rsp();
        boolean hasError = TrapStubs.pushesErrorCode(vector);
        long error = hasError ? read(sp) : 0;
        long frame = hasError ? sp + 8 : sp;
        long[] regs = s.registers().toArray();
        regs[Layout.RIP] = read(frame);
        regs[Layout.RFLAGS] = read(frame + 16) & ~(1L << 16);
        regs[4] = read(frame + 24);
        return new CpuRecord(CpuRecord.Kind.FAULT, regs, vector, error, vector == 14 ? s.control().cr2() : 0, dataCopy(),
                "");
    }

    private long read(long linear) {
        long phys = platform.pageTables().translate(linear);
        try {
            return vm.memory().slice(phys, 8).get(JAVA_LONG_UNALIGNED, 0);
        } catch (PageSourceException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] dataCopy() {
        return data.toArray(JAVA_BYTE);
    }

    /** The current contents of the data area. */
    public byte[] dataNow() {
        return Arrays.copyOf(dataCopy(), Layout.DATA_SIZE);
    }

    @Override
    public void close() {
        vm.close();
    }
}
