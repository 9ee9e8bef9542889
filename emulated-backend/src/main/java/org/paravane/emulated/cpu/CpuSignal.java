package org.paravane.emulated.cpu;

/**
 * Unwinds an instruction that cannot complete: a guest exception, a host-absent page, an exit to the caller. Each
 * vCPU preallocates one instance of each kind and throws it again and again, so there is no stack trace and no
 * allocation on these paths; the fields describe the latest occurrence.
 */
public abstract sealed class CpuSignal extends RuntimeException permits GuestFault, HostAbsent, ExitSignal {
    private static final long serialVersionUID = 1L;

    CpuSignal() {
        super(null, null, false, false);
    }
}
