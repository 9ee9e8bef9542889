package org.paravane.kvm.vstate.vcpu;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.kvm.ioctls.KvmRun;
import org.paravane.kvm.ioctls.VcpuFd;

/**
 * Without an in-kernel irqchip: the one interrupt waiting to be injected once the guest can take it (KVM_INTERRUPT
 * when KVM reports the guest ready and IF=1, otherwise an interrupt-window exit is requested).
 */
final class InterruptQueue {
    private final VcpuFd fd;
    private final KvmRun run;
    private final SyncRegisters sync;
    /** The queued vector, or -1. */
    private int queued = -1;

    InterruptQueue(VcpuFd fd, SyncRegisters sync) {
        this.fd = fd;
        this.run = fd.kvmRun();
        this.sync = sync;
    }

    /** The queued vector, or -1. */
    int queued() {
        return queued;
    }

    boolean isEmpty() {
        return queued < 0;
    }

    void queue(int vector) {
        queued = vector;
    }

    /** Drops the queued interrupt and the interrupt-window request. */
    void clear() {
        queued = -1;
        run.requestInterruptWindow(false);
    }

    /** Before an entry: injects the queued interrupt when the guest can take it, or asks KVM to exit when it can. */
    void offer() {
        if (run.readyForInterruptInjection() && sync.valid() && (sync.rflags() & GeneralRegisters.RFLAGS_IF) != 0) {
            fd.interrupt(queued);
            queued = -1;
            run.requestInterruptWindow(false);
        } else {
            run.requestInterruptWindow(true);
        }
    }
}
