package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.signal.Signal.SIGBUS;
import static org.paravane.vmm.linux.signal.Signal.SIGFPE;
import static org.paravane.vmm.linux.signal.Signal.SIGILL;
import static org.paravane.vmm.linux.signal.Signal.SIGSEGV;
import static org.paravane.vmm.linux.signal.Signal.SIGTRAP;

import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;

/**
 * The signal Linux raises for a CPU exception of a user task (arch/x86/kernel/traps.c), with its siginfo, and the line
 * the kernel prints when it kills the process instead ("killed by SIGFPE (divide error) at rip 0x...").
 */
record CpuFaults(SigInfo info, SyscallOutcome.Signaled death) {

    /** For exception {@code vector} at {@code rip}; null when Linux has no signal for it (the kernel decides). */
    static CpuFaults forException(int vector, long rip) {
        int sig, code;
        long address = rip;
        String what;
        switch (vector) {
            case 0 -> { sig = SIGFPE; code = SigInfo.FPE_INTDIV; what = "divide error"; }
            case 1 -> { sig = SIGTRAP; code = SigInfo.TRAP_TRACE; what = "debug trap"; }
            case 3 -> { sig = SIGTRAP; code = SigInfo.SI_KERNEL; address = 0; what = "breakpoint"; }
            case 4, 5 -> { sig = SIGSEGV; code = SigInfo.SI_KERNEL; address = 0; what = vector == 4 ? "overflow" : "bound range exceeded"; }
            case 6 -> { sig = SIGILL; code = SigInfo.ILL_ILLOPN; what = "invalid opcode"; }
            case 7 -> { sig = SIGFPE; code = SigInfo.SI_KERNEL; address = 0; what = "device not available"; }
            case 11, 12 -> { sig = SIGBUS; code = SigInfo.SI_KERNEL; address = 0; what = vector == 11 ? "segment not present" : "stack fault"; }
            case 13 -> {
                return new CpuFaults(SigInfo.fault(SIGSEGV, SigInfo.SI_KERNEL, 0), new SyscallOutcome.Signaled(SIGSEGV,
                        "killed by SIGSEGV at 0x0, rip 0x" + Long.toHexString(rip) + " (general protection fault)"));
            }
            case 16 -> { sig = SIGFPE; code = SigInfo.FPE_FLTINV; what = "x87 floating-point error"; }
            case 17 -> { sig = SIGBUS; code = SigInfo.BUS_ADRALN; what = "alignment check"; }
            case 19 -> { sig = SIGFPE; code = SigInfo.FPE_FLTINV; what = "SIMD floating-point exception"; }
            default -> {
                return null;
            }
        }
        return new CpuFaults(SigInfo.fault(sig, code, address), new SyscallOutcome.Signaled(sig, "killed by "
                + Signal.name(sig) + " (" + what + ") at rip 0x" + Long.toHexString(rip)));
    }

    /** A page fault at {@code address} the process may not make: SEGV_MAPERR where nothing is mapped, else ACCERR. */
    static CpuFaults segmentationFault(long address, long rip, boolean mapped) {
        return new CpuFaults(SigInfo.fault(SIGSEGV, mapped ? SigInfo.SEGV_ACCERR : SigInfo.SEGV_MAPERR, address),
                new SyscallOutcome.Signaled(SIGSEGV, "killed by SIGSEGV at 0x" + Long.toHexString(address) + ", rip 0x"
                        + Long.toHexString(rip)));
    }

    /** A mapped file's page that cannot be provided: SIGBUS with BUS_ADRERR. */
    static CpuFaults busError(long address, String why) {
        return new CpuFaults(SigInfo.fault(SIGBUS, SigInfo.BUS_ADRERR, address),
                new SyscallOutcome.Signaled(SIGBUS, "killed by SIGBUS at 0x" + Long.toHexString(address) + why));
    }
}
