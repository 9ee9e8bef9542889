package org.paravane.vmm.kernel;

import java.util.Locale;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.SpecialRegisters;

/**
 * Each task's x87/SSE state on one vCPU: a task's FP registers, MXCSR and x87 control are part of the task, kept as its
 * FXSAVE image while it is off the vCPU ({@code Task.fpu}; null until it first leaves, meaning the fresh state FNINIT
 * and MXCSR 0x1F80 with zeroed XMM registers, which is also the vCPU reset state). The vCPU's FPU holds the state of
 * its {@link #owner}, the last task that used it here, which need not be the running one: the kernel itself never
 * touches the FPU (trap, SYSCALL and halt stubs are integer code), so the owner's live state sits in the vCPU until
 * another task needs the FPU. A move or a restore carries it there (the FXSAVE image of {@code VcpuState}); the other
 * tasks' images stay in their {@link Task}s, which the kernel keeps across a move. A task runs only on its home vCPU,
 * so one vCPU's switch sees all of its switches.
 *
 * <p>Two policies, chosen in {@link #policy()}: {@link Policy#EAGER} swaps the images when a different task is loaded;
 * {@link Policy#LAZY} loads it with CR0.TS set instead, and swaps on the #NM its first FP instruction raises, so tasks
 * that do not use the FPU between two FP users cost nothing but the TS writes.
 */
final class FpuSwitch {

    /** When the FP state follows the task onto the vCPU. */
    enum Policy { EAGER, LAZY }

    /** The system property that picks the other policy, for measuring it (README, "FP state on task switches"). */
    static final String POLICY_PROPERTY = "paravane.kernel.fpuSwitch";

    /**
     * The one place the policy is chosen: eager. Measured on the software CPU (README), eager costs two 512-byte copies
     * per switch between FP tasks, lazy a trap, a stub exit and a special-register write (which flushes the software
     * TLB) per switch to a non-owner; on KVM the eager KVM_GET/SET_XSAVE pair is ~2 ioctls against lazy's #NM exit
     * (a full trap round trip through the stubs on PVM), so eager wins there too whenever tasks use SSE at all, and
     * gcc's code for ordinary C does (memcpy, vectorised loops, doubles).
     */
    static Policy policy() {
        String p = System.getProperty(POLICY_PROPERTY, "eager");
        try {
            return Policy.valueOf(p.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(POLICY_PROPERTY + " must be eager or lazy, not '" + p + "'", e);
        }
    }

    /** CR0.TS (not among the API's constants: only this switch sets it). */
    private static final long CR0_TS = 1L << 3;

    private final CpuScheduler cpu;
    private final Policy policy;
    /** The task whose state the vCPU's FPU holds, or null: no live task's (a fresh vCPU holds the reset state). */
    private Task owner;
    /** Images saved from and loaded into the vCPU; #NM traps taken (lazy). */
    private long saves, loads, traps;

    FpuSwitch(CpuScheduler cpu, Policy policy) {
        this.cpu = cpu;
        this.policy = policy;
    }

    Policy policyInUse() {
        return policy;
    }

    /**
     * {@code t} is about to run: eagerly, its state goes into the FPU now. Returns whether its context must be loaded
     * with CR0.TS set (lazy, and the FPU holds another task's state).
     */
    boolean enter(Task t) {
        if (owner == t) {
            return false;
        }
        if (policy == Policy.LAZY) {
            return true;
        }
        take(t);
        return false;
    }

    /**
     * A #NM raised by {@code t}: with the lazy policy its first FP instruction since it was loaded; the state changes
     * hands and the instruction is retried (the caller reloads the context, now without TS). False when the #NM is not
     * the switch's (eager, or the task owns the FPU already), so the caller reports it as the task's fault.
     */
    boolean deviceNotAvailable(Task t) {
        if (policy != Policy.LAZY || owner == t) {
            return false;
        }
        traps++;
        take(t);
        return true;
    }

    /** Saves the owner's state into it (unless it has ended) and loads {@code t}'s. */
    private void take(Task t) {
        Vcpu v = cpu.vcpu();
        if (owner != null && owner.state() != Task.State.EXITED) {
            owner.fpu = v.fpuState();
            saves++;
        }
        v.setFpuState(t.fpu);
        loads++;
        owner = t;
    }

    /**
     * A copy of {@code t}'s x87/SSE state as it is now (live in this vCPU's FPU when {@code t} owns it), for a task
     * cloned from it; null for the fresh state.
     */
    byte[] stateOf(Task t) {
        if (owner == t) {
            byte[] live = cpu.vcpu().fpuState();
            return live == null ? null : live.clone();
        }
        return t.fpu == null ? null : t.fpu.clone();
    }

    /** execve: {@code t} starts over with the fresh state (in the FPU now when it owns it). */
    void reset(Task t) {
        t.fpu = null;
        if (owner == t) {
            cpu.vcpu().setFpuState(null);
        }
    }

    /** {@code s} with CR0.TS set: FP, SSE and FXSAVE instructions raise #NM until the kernel clears it. */
    static SpecialRegisters withTaskSwitched(SpecialRegisters s) {
        ControlRegisters c = s.control();
        return new SpecialRegisters(s.segments(), new ControlRegisters(c.cr0() | CR0_TS, c.cr2(), c.cr3(),
                c.cr4(), c.cr8(), c.efer(), c.apicBase()), s.gdt(), s.idt());
    }

    /** What the switch did so far, for tests and the report. */
    record Counts(long saves, long loads, long traps) {
    }

    Counts counts() {
        return new Counts(saves, loads, traps);
    }
}
