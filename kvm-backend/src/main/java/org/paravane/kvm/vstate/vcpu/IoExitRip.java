package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import org.paravane.api.backend.BackendException;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmRun;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.NativeException;

/**
 * RIP at I/O exits as the API has it: at the instruction, completed by the next {@code run()} unless the caller moved
 * RIP. Two cases need the backend's help: an {@code out} KVM completed before the exit (PVM), whose RIP is reported at
 * the instruction and put back after it at the next entry; and an {@code in} or MMIO load KVM completes at the next
 * entry, which must land before a caller's registers when the caller abandons it.
 */
final class IoExitRip {
    private final VcpuHost host;
    private final VcpuFd fd;
    private final KvmRun run;
    private final SyncRegisters sync;
    private final Runnable forgetKnownState;
    private final String where;
    /** An {@code out} was rewound: RIP reported at {@code rewoundFrom}, KVM's own RIP at {@code rewoundTo}. -1: none. */
    private long rewoundFrom = -1, rewoundTo;
    /** An {@code in} or MMIO load waits for its data: KVM completes it at the next entry, with the RIP of {@code readExitRip}. */
    private boolean pendingRead;
    private long readExitRip;

    IoExitRip(VcpuHost host, VcpuFd fd, SyncRegisters sync, Runnable forgetKnownState, String where) {
        this.host = host;
        this.fd = fd;
        this.run = fd.kvmRun();
        this.sync = sync;
        this.forgetKnownState = forgetKnownState;
        this.where = where;
    }

    /** Before each entry: a rewound {@code out} resumes after it; a pending read completes in this entry. */
    void beforeEntry() {
        resumeAfterRewoundOut();
        pendingRead = false;
    }

    /** An {@code in} or MMIO load exited: KVM completes it at the next entry. */
    void notePendingRead() {
        pendingRead = true;
        readExitRip = sync.rip();
    }

    /**
     * Where KVM completed an {@code out} before exiting (RIP after it), reports RIP at the {@code out}: the API's rule
     * for I/O exits, and what a trap-stub guest uses to tell the vector. Only the sync area changes; KVM's own RIP
     * stays after the instruction, and {@link #resumeAfterRewoundOut} restores it if the caller wrote the registers
     * without moving RIP.
     */
    void rewindCompletedOut(int port, int size) {
        MemorySegment regs = run.syncRegs();
        MemorySegment sregs = run.syncSregs();
        long rip = regs.get(JAVA_LONG, StateCodec.RIP);
        long cr3 = StateCodec.cr3(sregs);
        boolean paging = (StateCodec.decodeControl(sregs).cr0() & ControlRegisters.CR0_PG) != 0;
        long start = GuestCode.outStartingBefore(host.memory(), cr3, paging, rip, port, size);
        if (start < 0 || (!host.outAdvancesRip() && GuestCode.outStartsAt(host.memory(), cr3, paging, rip, port, size))) {
            return;   // RIP is at the out already (VMX/SVM fast path: KVM skips it at the next entry)
        }
        regs.set(JAVA_LONG, StateCodec.RIP, start);
        rewoundFrom = start;
        rewoundTo = rip;
    }

    private void resumeAfterRewoundOut() {
        if (rewoundFrom < 0) {
            return;
        }
        MemorySegment regs = run.syncRegs();
        if ((run.dirtyRegs() & KvmConstants.SYNC_REGS) != 0 && regs.get(JAVA_LONG, StateCodec.RIP) == rewoundFrom) {
            regs.set(JAVA_LONG, StateCodec.RIP, rewoundTo);   // registers written, RIP kept: the out is done, go on after it
        }
        rewoundFrom = -1;   // not written: KVM's RIP is after the out already; moved: the caller abandoned it
    }

    /**
     * The caller moves RIP away from an {@code in} or MMIO load whose data KVM still has to deliver: let KVM finish
     * that first (a KVM_RUN with immediate_exit completes it and returns at once), so it cannot overwrite the
     * registers the caller is about to set. The abandoned load writes nothing the caller keeps.
     */
    void abandonPendingRead(long newRip) {
        if (!pendingRead || newRip == readExitRip) {
            return;
        }
        pendingRead = false;
        long dirty = run.dirtyRegs();
        run.immediateExit(true);
        int failure = 0;
        try {
            fd.run();   // EINTR (immediate_exit) is the expected outcome
        } catch (NativeException e) {
            failure = e.errno();
        }
        run.immediateExit(false);
        if (failure != 0) {
            throw new BackendException(BackendException.Reason.INTERNAL, where + ": completing the abandoned I/O read failed: "
                    + Errno.name(failure), sync.forDetail(), null);
        }
        sync.setValid(true);
        if (dirty != 0) {
            forgetKnownState.run();
        }
    }
}
