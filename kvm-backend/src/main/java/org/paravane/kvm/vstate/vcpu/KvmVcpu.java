package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VcpuStats;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmLayouts;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.kvm.uffd.FaultedVcpu;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.NativeException;

/**
 * A KVM vCPU, put together from its parts: {@link RunLoop} enters the guest on the caller's platform thread and maps
 * the exits; {@link Kicker} stops it from other threads ({@code immediate_exit} and a signal KVM unblocks only inside
 * KVM_RUN); {@link VcpuStateTransfer} saves and restores its state (registers through the sync-regs area, no ioctl
 * per exit); {@link VcpuLapic} reaches the in-kernel LAPIC. Its life is one {@link VcpuRunState}.
 */
public final class KvmVcpu implements Vcpu, FaultedVcpu {
    private final VcpuHost host;
    private final VcpuFd fd;
    private final int id;
    private final String where;
    private final MemorySegment debugBuf;
    private final RunStateMachine states = new RunStateMachine();
    private final Kicker kicker;
    private final VcpuLapic lapic;
    private final VcpuMsrs msrs;
    private final MpState mp;
    private final VcpuStateTransfer transfer;
    private final FpuState fpu;
    private final RunLoop loop;
    private final AtomicLong pageWaitNanos = new AtomicLong();

    public KvmVcpu(VcpuHost host, VcpuFd fd, Arena arena) {
        this.host = host;
        this.fd = fd;
        this.id = fd.id();
        this.where = "vCPU " + id + " of VM '" + host.name() + "'";
        this.debugBuf = arena.allocate(KvmLayouts.KVM_GUEST_DEBUG);
        this.kicker = new Kicker(host, fd, states, arena);
        SyncRegisters sync = new SyncRegisters(fd, arena);
        InterruptQueue interrupts = new InterruptQueue(fd, sync);
        this.lapic = new VcpuLapic(fd, arena);
        this.msrs = new VcpuMsrs(host, fd, arena, where, () -> host.asyncPfAcknowledged(this));
        this.fpu = new FpuState(host, fd, arena, where);
        this.mp = new MpState(fd);
        Runnable forgetKnownState = () -> {   // after the guest ran, nothing about these is known
            msrs.forget();
            fpu.forget();
            mp.forget();
        };
        IoExitRip ioRip = new IoExitRip(host, fd, sync, forgetKnownState, where);
        this.transfer = new VcpuStateTransfer(host, fd, states, sync, ioRip, interrupts, msrs, fpu, lapic, mp);
        this.loop = new RunLoop(this, host, fd, where, states, kicker, sync, ioRip, interrupts, mp, forgetKnownState);
    }

    public VcpuFd fd() {
        return fd;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public VirtualMachine vm() {
        return host.vm();
    }

    /** Where the vCPU is in its life. */
    public VcpuRunState runState() {
        return states.state();
    }

    /** The kernel id of the thread in run() now, or 0. */
    public int runningThreadId() {
        return isRunning() ? kicker.runTid() : 0;
    }

    public boolean isRunning() {
        return states.state().isRunning();
    }

    // ---------------------------------------------------------------- running

    @Override
    public VcpuExit run() {
        return loop.run();
    }

    @Override
    public void kick() {
        kicker.kick();
    }

    @Override
    public void setBudget(RunBudget budget) {
        loop.setBudget(budget);
    }

    @Override
    public void setSingleStep(boolean on) {
        requireStopped("setSingleStep");
        debugBuf.fill((byte) 0);
        debugBuf.set(JAVA_INT, 0, on ? KvmConstants.GUESTDBG_ENABLE | KvmConstants.GUESTDBG_SINGLESTEP : 0);
        try {
            fd.setGuestDebug(debugBuf);
        } catch (NativeException e) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, where + ": KVM refused single-stepping ("
                    + Errno.name(e.errno()) + ")", e.getMessage(), e);
        }
    }

    @Override
    public void pageWaited(long nanos) {
        pageWaitNanos.addAndGet(nanos);
    }

    @Override
    public void pageWaitEnded() {
        kicker.wake();
    }

    @Override
    public boolean memoryError(long guestAddress, String cause) {
        return loop.memoryError(guestAddress, cause);
    }

    @Override
    public VcpuStats stats() {
        return new VcpuStats(loop.runs(), loop.exits(), -1, loop.haltedNanos(), loop.runNanos(), pageWaitNanos.get());
    }

    // ---------------------------------------------------------------- state

    private void requireStopped(String what) {
        host.checkOpen();
        if (states.state().isRunning() && Thread.currentThread() != kicker.runThread()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where + ": " + what
                    + " while the vCPU is running; kick it and wait for run() to return first");
        }
    }

    @Override
    public GeneralRegisters registers() {
        requireStopped("registers()");
        return transfer.registers();
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        requireStopped("setRegisters()");
        transfer.setRegisters(registers);
    }

    /** From the sync-regs area: no system call. */
    @Override
    public SpecialRegisters specialRegisters() {
        requireStopped("specialRegisters()");
        return transfer.specialRegisters();
    }

    /**
     * Into the sync-regs area, applied by the next KVM_RUN: no system call. MSRs, FPU and events are left alone; a page
     * fault still pending keeps its address.
     */
    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        requireStopped("setSpecialRegisters()");
        transfer.setSpecialRegisters(registers);
    }

    /** KVM_GET_XSAVE (its legacy area) only, or nothing when the image is known since the guest last ran. */
    @Override
    public byte[] fpuState() {
        requireStopped("fpuState()");
        return fpu.read();
    }

    /** KVM_SET_XSAVE only, skipped when the vCPU is known to hold this image. */
    @Override
    public void setFpuState(byte[] fxsave) {
        requireStopped("setFpuState()");
        if (fxsave != null && fxsave.length != 512) {
            throw new IllegalArgumentException("FXSAVE image must be 512 bytes, got " + fxsave.length);
        }
        fpu.write(fxsave == null ? StateCodec.resetFxsave() : fxsave);
    }

    @Override
    public VcpuState state() {
        requireStopped("state()");
        return transfer.state();
    }

    @Override
    public void setState(VcpuState state) {
        requireStopped("setState()");
        transfer.setState(state);
    }

    @Override
    public long readMsr(int index) {
        requireStopped("readMsr()");
        return msrs.readOne(index);
    }

    @Override
    public void writeMsr(int index, long value) {
        requireStopped("writeMsr()");
        msrs.writeOne(index, value);
    }

    /** The vector the guest programmed into MSR_KVM_ASYNC_PF_INT, or -1. */
    public int asyncPfVector() {
        return msrs.asyncPfVector();
    }

    /** KVM_SET_MP_STATE (in-kernel irqchip only: application processors start waiting for INIT/SIPI otherwise). */
    public void setMpState(int state) {
        mp.set(state);
    }

    // ---------------------------------------------------------------- LAPIC

    /** A 32-bit register of the in-kernel LAPIC at {@code offset} (0x100: first ISR word, 0x200: first IRR word, ...). */
    public int lapicRegister(int offset) {
        requireStopped("lapicRegister()");
        return lapic.register(offset);
    }

    /** Sets a 32-bit register of the in-kernel LAPIC (KVM_SET_LAPIC of the whole state). */
    public void setLapicRegister(int offset, int value) {
        requireStopped("setLapicRegister()");
        lapic.setRegister(offset, value);
    }

    /** Software-enables the in-kernel LAPIC (SVR 0x1FF): KVM only delivers to an enabled one. */
    public void enableLapic() {
        lapic.enable();
    }

    /**
     * Ends the in-service "page ready" interrupt where the host does not EOI it at delivery (VMX/SVM; PVM auto-EOIs) by
     * clearing its ISR bit in the LAPIC state (KVM refuses host writes of the x2APIC EOI MSR). Returns whether the
     * interrupt was still in service.
     */
    public boolean endAsyncPfInterrupt(int vector) {
        return lapic.endInService(vector);
    }

    // ---------------------------------------------------------------- close

    /** Releases the timer and the vCPU fd; the kvm_run mapping goes with the VM's arena. The vCPU must not be running. */
    public void close() {
        states.close();
        kicker.closeTimer();
        fd.close();
    }

    /** Marks the vCPU closed and wakes a run() waiting outside the guest, so it returns CLOSED. */
    public void markClosing() {
        states.close();
        kicker.wake();
    }
}
