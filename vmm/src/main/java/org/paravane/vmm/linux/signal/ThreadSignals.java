package org.paravane.vmm.linux.signal;

/**
 * One thread's signal state: its mask, its own pending set (tkill, faults), its alternate stack, and the mask
 * sigsuspend replaced, which the next handler's frame saves instead of the current one. {@code notifier} makes the
 * thread look at its signals soon: it wakes the thread from a blocking call and interrupts its run.
 */
public final class ThreadSignals {
    private final int tid;
    private final ProcessSignals process;
    private final PendingSignals pending = new PendingSignals();
    private final Runnable notifier;
    private volatile long mask;
    private volatile AltStack altStack = AltStack.DISABLED;
    /** The mask to restore after the handler that ends a sigsuspend, or null. */
    private Long savedMask;

    ThreadSignals(int tid, ProcessSignals process, long mask, Runnable notifier) {
        this.tid = tid;
        this.process = process;
        this.mask = mask & ~Signal.UNBLOCKABLE;
        this.notifier = notifier;
    }

    public int tid() {
        return tid;
    }

    public ProcessSignals process() {
        return process;
    }

    public PendingSignals pending() {
        return pending;
    }

    public long mask() {
        return mask;
    }

    /** Sets the mask (SIGKILL and SIGSTOP stay unblocked); unblocking may make a pending signal deliverable. */
    public void setMask(long newMask) {
        mask = newMask & ~Signal.UNBLOCKABLE;
    }

    public AltStack altStack() {
        return altStack;
    }

    public void setAltStack(AltStack stack) {
        altStack = stack;
    }

    /** sigsuspend, ppoll: {@code temporary} is the mask while it waits; {@code mask} comes back after the handler. */
    public synchronized void suspendWith(long temporary) {
        savedMask = mask;
        setMask(temporary);
    }

    /** The mask the next frame must save (sigsuspend's, once), and forgets it. */
    public synchronized long takeMaskToSave() {
        long m = savedMask != null ? savedMask : mask;
        savedMask = null;
        return m;
    }

    /** After an interrupted sigsuspend that ran no handler, its mask comes back. */
    public synchronized void restoreSavedMask() {
        if (savedMask != null) {
            setMask(savedMask);
            savedMask = null;
        }
    }

    /** The signals pending for this thread (its own and its process's) that it does not block. */
    public long deliverable() {
        return (pending.set() | process.shared().set()) & ~mask | (process.killed() ? Signal.bit(Signal.SIGKILL) : 0);
    }

    /** Whether this thread has a signal to act on at its next return to user mode. */
    public boolean hasDeliverable() {
        return deliverable() != 0;
    }

    /** The signal {@link #take} would answer (synchronous ones first), 0 when none. */
    public int next() {
        if (process.killed()) {
            return Signal.SIGKILL;
        }
        long own = pending.set() & ~mask;
        long ready = own != 0 ? own : process.shared().set() & ~mask;
        long sync = ready & Signal.SYNCHRONOUS;
        return Signal.lowest(sync != 0 ? sync : ready);
    }

    /** Posts {@code info} to this thread alone (tkill, tgkill, a fault). */
    public void post(SigInfo info) {
        process.post(this, info);
    }

    /** Takes the next signal to act on, its own first, or null. */
    public SigInfo take() {
        if (process.killed()) {
            return SigInfo.sent(Signal.SIGKILL, SigInfo.SI_KERNEL, 0, 0);
        }
        long allowed = ~mask;
        SigInfo own = pending.take(allowed);
        return own != null ? own : process.shared().take(allowed);
    }

    /** Takes a pending signal of {@code set} whatever the mask (sigtimedwait), or null. */
    public SigInfo takeFrom(long set) {
        SigInfo own = pending.take(set);
        return own != null ? own : process.shared().take(set);
    }

    void notifyThread() {
        notifier.run();
    }
}
