package org.paravane.vmm.kernel;

import org.paravane.api.backend.VcpuExit;

/** Names of x86 exceptions and page-fault error codes, for the reports that kill a task. */
final class Exceptions {
    private Exceptions() {
    }

    private static final String[] NAMES = {"divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)",
            "overflow (#OF)", "bound range (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
            "double fault (#DF)", "coprocessor segment overrun", "invalid TSS (#TS)", "segment not present (#NP)",
            "stack fault (#SS)", "general protection fault (#GP)", "page fault (#PF)", "reserved (15)",
            "x87 floating-point error (#MF)", "alignment check (#AC)", "machine check (#MC)", "SIMD floating-point (#XM)",
            "virtualization exception (#VE)", "control protection (#CP)"};

    static String describe(int vector, long errorCode) {
        String name = vector < NAMES.length ? NAMES[vector] : "exception " + vector;
        return vector < 32 && org.paravane.support.x86.TrapStubs.pushesErrorCode(vector)
                ? name + ", error code 0x" + Long.toHexString(errorCode) : name;
    }

    /** How a vCPU that could not deliver an exception is reported, whichever backend ran it. */
    static final String TRIPLE_FAULT = "triple fault (the guest's exception handling failed)";

    /**
     * Whether {@code f} is KVM giving up on delivering an exception: its internal errors EMULATION (1, how a PVM host
     * reports a triple fault of CPL0 code it emulates), SIMUL_EX (2) and DELIVERY_EV (3). The software CPU and
     * other KVM hosts report a triple fault as a shutdown instead.
     */
    static boolean deliveryFailure(VcpuExit.Failed f) {
        return f.kind().equals("KVM_EXIT_INTERNAL_ERROR") && f.code() >= 1 && f.code() <= 3;
    }

    static String pageFaultCause(int errorCode) {
        return ((errorCode & 1) == 0 ? "not present" : "protection violation")
                + ((errorCode & 2) != 0 ? ", write" : ", read")
                + ((errorCode & 4) != 0 ? ", user" : ", kernel")
                + ((errorCode & 16) != 0 ? ", instruction fetch" : "");
    }
}
