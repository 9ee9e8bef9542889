package org.paravane.api.cpu;

/**
 * Events accepted by the vCPU but not yet delivered to the guest, and the blocking state around them
 * (KVM's {@code kvm_vcpu_events} and {@code mp_state}).
 *
 * @param exception       an exception to deliver at the next instruction boundary, or null
 * @param interruptVector an external interrupt to deliver once RFLAGS.IF allows it, or -1
 * @param nmiPending      a non-maskable interrupt is pending
 * @param interruptShadow the instruction just executed was STI or MOV SS: interrupts stay blocked for one more
 * @param halted          the vCPU is halted (HLT) and waits for an interrupt
 */
public record PendingEvents(PendingException exception, int interruptVector, boolean nmiPending,
                            boolean interruptShadow, boolean halted) {

    public static final PendingEvents NONE = new PendingEvents(null, -1, false, false, false);

    public PendingEvents {
        if (interruptVector < -1 || interruptVector > 255) {
            throw new IllegalArgumentException("pending interrupt vector must be 0..255 or -1 for none: " + interruptVector);
        }
    }

    /**
     * An exception the vCPU will deliver through the IDT.
     *
     * @param vector    0..31
     * @param errorCode the error code pushed with it, or -1 when the vector pushes none
     * @param payload   CR2 for a page fault (the address, or an async page fault's token); otherwise 0
     */
    public record PendingException(int vector, int errorCode, long payload) {
        public PendingException {
            if (vector < 0 || vector > 31) {
                throw new IllegalArgumentException("exception vector must be 0..31: " + vector);
            }
        }

        public boolean hasErrorCode() {
            return errorCode != -1;
        }
    }
}
