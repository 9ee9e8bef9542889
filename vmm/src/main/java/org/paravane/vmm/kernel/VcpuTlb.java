package org.paravane.vmm.kernel;

/**
 * One vCPU's side of a TLB shootdown ({@link Shootdowns}): which address space its cached translations belong to,
 * whether it runs guest code now, and whether it must drop them before it runs guest code again. The vCPU's scheduler
 * {@link #enter}s before every run of guest code and {@link #leave}s after it; a vCPU outside guest code uses no
 * translation, so leaving is its acknowledgement and nobody waits for a vCPU that is not in guest code. Its scheduler
 * may meanwhile wait for locks the requester holds (the process's mmap lock) without a deadlock.
 */
final class VcpuTlb {
    /** How long a requester waits for a kicked vCPU before kicking it again (a kick lost while a VM was replaced). */
    private static final long REKICK_MILLIS = 50;

    /** The CR3 of the translations the vCPU may hold; -1 when unknown (any space). */
    private long root = -1;
    private boolean inGuest;
    /** The vCPU must drop its translations before its next run of guest code. */
    private boolean stale;
    /** Runs of guest code so far: a requester waits for the end of the one it saw. */
    private long runs;

    /**
     * The vCPU is about to run guest code with {@code cr3} loaded (-1 when not known). True when it must flush its
     * translations first; a request after this call finds it in guest code and kicks it.
     */
    synchronized boolean enter(long cr3) {
        root = cr3;
        inGuest = true;
        runs++;
        boolean flush = stale;
        stale = false;
        return flush;
    }

    /** The vCPU's run of guest code ended: it holds no translation in use any more; requesters waiting for it go on. */
    synchronized void leave() {
        inGuest = false;
        notifyAll();
    }

    /**
     * Marks {@code cr3}'s translations on this vCPU stale, if it may hold any. Returns the run of guest code the
     * requester must wait out (after a kick), or -1 when the vCPU is not in guest code with them.
     */
    synchronized long request(long cr3) {
        if (root != cr3 && root != -1) {
            return -1;   // it loaded another space since, which dropped these translations
        }
        stale = true;
        return inGuest ? runs : -1;
    }

    /** Waits until run {@code run} of guest code has ended, kicking the vCPU again whenever it takes long. */
    synchronized void await(long run, Runnable kick) {
        while (inGuest && runs == run) {
            try {
                wait(REKICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();   // the kernel is going away: its vCPUs stop anyway
                return;
            }
            if (inGuest && runs == run) {
                kick.run();
            }
        }
    }
}
