package org.paravane.api.backend;

import org.osgi.annotation.versioning.ProviderType;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;

/**
 * A virtual CPU. {@link #run()} is called by one thread at a time (the vCPU's thread); {@link #kick()} from any
 * thread; the state accessors only while the vCPU is not running.
 */
@ProviderType
public interface Vcpu {

    /** 0-based index in the VM; also the low bits of the async-PF tokens issued for it. */
    int id();

    VirtualMachine vm();

    /**
     * Runs guest code from the current state until an exit. A pending {@link #kick()} makes it return
     * {@link VcpuExit.Interrupted} without entering the guest.
     *
     * @throws BackendException when the backend cannot continue (the VM was closed, a host call failed); the message
     *                          names the cause, the detail carries the vCPU state
     */
    VcpuExit run();

    /**
     * Makes a running {@link #run()} return {@link VcpuExit.Interrupted} within a bounded time, or the next one return
     * at once: KVM's immediate_exit plus a signal, the software CPU's check between instructions. Any thread.
     */
    void kick();

    /** Sets the preemption budget of every later {@link #run()}. */
    void setBudget(RunBudget budget);

    /** When on, every {@link #run()} executes at most one instruction and returns {@link VcpuExit.Debug}. */
    void setSingleStep(boolean on);

    /** The general registers, RIP and RFLAGS (cheaper than {@link #state()}). */
    GeneralRegisters registers();

    /**
     * Replaces the general registers, RIP and RFLAGS. A vCPU halted in HLT (for instance after a kick ended the
     * {@code run()} it was halted in) leaves the halted state: the caller is redirecting it.
     */
    void setRegisters(GeneralRegisters registers);

    /** Segment, control and descriptor-table registers (cheaper than {@link #state()}). */
    default SpecialRegisters specialRegisters() {
        return SpecialRegisters.of(state());
    }

    /**
     * Replaces the segment, control and descriptor-table registers: a privilege-level or address-space switch. Pending
     * events stay as they are; a page fault still pending is delivered with its own address, whatever CR2 says here.
     */
    default void setSpecialRegisters(SpecialRegisters registers) {
        VcpuState s = state();
        setState(s.withSegments(registers.segments()).withControl(registers.control())
                .withDescriptorTables(registers.gdt(), registers.idt()));
    }

    /**
     * The x87/SSE state as a 512-byte FXSAVE image (64-bit layout), or null for the reset state: what a guest kernel
     * saves of a task on a switch (cheaper than {@link #state()}).
     *
     * @since 1.1
     */
    default byte[] fpuState() {
        return state().fxsave();
    }

    /**
     * Replaces the x87/SSE state with a 512-byte FXSAVE image (null: the reset state), as FXRSTOR would.
     *
     * @throws IllegalArgumentException when FXRSTOR would raise #GP (MXCSR reserved bits) or the image is not 512 bytes
     * @since 1.1
     */
    default void setFpuState(byte[] fxsave) {
        VcpuState s = state();
        setState(new VcpuState(s.registers(), s.segments(), s.control(), s.gdt(), s.idt(), s.msrs(), s.events(), fxsave));
    }

    /** The complete state; with {@link #setState} the way to move this vCPU to another backend. */
    VcpuState state();

    /** Replaces the complete state; pending events in it are delivered on the next {@link #run()}. */
    void setState(VcpuState state);

    /**
     * Reads a model-specific register as RDMSR would, including the paravirtual async-PF MSRs.
     *
     * @throws IllegalArgumentException for an MSR this backend does not implement (RDMSR would raise #GP)
     */
    long readMsr(int index);

    /**
     * Writes a model-specific register as WRMSR would. Writing {@code MSR_KVM_ASYNC_PF_EN} enables or disables async
     * page faults for this vCPU; writing {@code MSR_KVM_ASYNC_PF_ACK} acknowledges a "page ready".
     *
     * @throws IllegalArgumentException when WRMSR would raise #GP (unknown MSR, reserved bits)
     */
    void writeMsr(int index, long value);

    VcpuStats stats();
}
