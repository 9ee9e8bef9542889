package org.paravane.api.asyncpf;

import java.util.Objects;

/**
 * What the guest kernel's #PF handler (or its "page ready" interrupt handler) saw, with the context the decision
 * table needs. Handled by the guest-side {@link PageFaultHandler}.
 *
 * @param vcpu              the vCPU it happened on
 * @param trigger           a #PF, or the "page ready" interrupt
 * @param cr2               CR2 as saved by the entry code: the fault address, or the token of an async #PF
 * @param errorCode         the #PF error code (0 for an async one)
 * @param reason            the async-PF reason flags of this vCPU's area ({@link AsyncPfAbi#AREA_FLAGS}), which the
 *                          guest kernel's #PF entry reads and clears first of all, before anything can fault again
 *                          ({@code kvm_read_and_reset_apf_flags}), on every vector 14 while async PF is enabled and
 *                          whether or not a handler is bound; 0 for an ordinary fault and for "page ready"
 * @param rip               where the interrupted context was
 * @param cpl               privilege level of the interrupted context (3 = user mode)
 * @param interruptsEnabled RFLAGS.IF of the interrupted context
 * @param preemptCount      the interrupted task's preempt count (preempt/irq/softirq nesting)
 * @param rcuDepth          RCU read-side nesting of the interrupted task
 * @param idleTask          the interrupted context is the vCPU's idle task
 * @param preemption        the guest kernel's preemption model
 * @param context           access to this vCPU's async-PF area, the guest's sleeper table and the sleepers
 */
public record GuestFault(int vcpu, Trigger trigger, long cr2, int errorCode, int reason, long rip, int cpl,
                         boolean interruptsEnabled, int preemptCount, int rcuDepth, boolean idleTask,
                         PreemptionModel preemption, GuestApfContext context) {

    /** How the guest kernel was entered. */
    public enum Trigger {
        /** Vector 14: an ordinary #PF or an async "page not present". */
        PAGE_FAULT,
        /** The vector of {@code MSR_KVM_ASYNC_PF_INT}: "page ready". */
        PAGE_READY_INTERRUPT
    }

    public GuestFault {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(preemption, "preemption");
        Objects.requireNonNull(context, "context");
        if (cpl < 0 || cpl > 3) {
            throw new IllegalArgumentException("CPL must be 0..3: " + cpl);
        }
        if (trigger == Trigger.PAGE_READY_INTERRUPT && reason != 0) {
            throw new IllegalArgumentException("a \"page ready\" interrupt carries no #PF reason, got 0x"
                    + Integer.toHexString(reason));
        }
    }

    /** The async-PF token when this is an async #PF (the low 32 bits of CR2). */
    public int token() {
        return (int) cr2;
    }
}
