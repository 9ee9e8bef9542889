package org.paravane.vmm.kernel.abi.paravane;

/** The Paravane hypercalls, numbered as {@code PV_HC_*} in paravane.h: the number is the constant's ordinal. */
enum Hypercall {
    EXIT, WRITE, YIELD, TIME, PREEMPT_DISABLE, PREEMPT_ENABLE, RCU_READ_LOCK, RCU_READ_UNLOCK, REPORT;

    private static final Hypercall[] BY_NUMBER = values();

    int number() {
        return ordinal();
    }

    /** The hypercall RAX asks for, or null when it names none: the whole register is the number. */
    static Hypercall of(long rax) {
        return rax >= 0 && rax < BY_NUMBER.length ? BY_NUMBER[(int) rax] : null;
    }
}
