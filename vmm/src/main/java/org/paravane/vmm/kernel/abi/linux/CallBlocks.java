package org.paravane.vmm.kernel.abi.linux;

import java.util.List;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;

/**
 * A system call must wait: the queues whose wakes are worth another try (each with its poll events), the deadline
 * on the kernel's clock, and the attempt that tries again (and throws another {@code CallBlocks} while it still
 * cannot complete). {@link WaitingCall} arms on the queues, tries, and blocks the task.
 */
final class CallBlocks extends Exception {
    private static final long serialVersionUID = 1L;

    /** One queue to join, for {@code events}. */
    record Interest(WaitQueue queue, int events) {
    }

    /** One more try at the call: its result, or another {@code CallBlocks}. */
    @FunctionalInterface
    interface Attempt {
        long attempt() throws ErrnoException, GuestAccessException, CallBlocks;
    }

    final transient List<Interest> interests;
    final long deadlineNanos;
    final transient Attempt retry;
    /** Whether a handler with SA_RESTART restarts the call (read, write); poll, select and epoll_wait never do. */
    final boolean restartable;
    /** The bytes the call moved before it had to wait: what it returns when a signal ends the wait. */
    final long moved;
    /** Run once when the call completes (not when a signal ends it): ppoll's mask comes back. */
    final transient Runnable completed;

    CallBlocks(List<Interest> interests, long deadlineNanos, Attempt retry) {
        this(interests, deadlineNanos, retry, true, 0, null);
    }

    private CallBlocks(List<Interest> interests, long deadlineNanos, Attempt retry, boolean restartable, long moved,
                       Runnable completed) {
        super(null, null, false, false);
        this.interests = List.copyOf(interests);
        this.deadlineNanos = deadlineNanos;
        this.retry = retry;
        this.restartable = restartable;
        this.moved = moved;
        this.completed = completed;
    }

    /** A wait a signal handler always ends with EINTR (Linux's ERESTARTNOHAND: poll, select, epoll_wait). */
    static CallBlocks neverRestarted(List<Interest> interests, long deadlineNanos, Attempt retry) {
        return new CallBlocks(interests, deadlineNanos, retry, false, 0, null);
    }

    /** A stream that would block, to be tried again by {@code retry}, without a deadline. */
    static CallBlocks on(WouldBlock w, Attempt retry) {
        return new CallBlocks(List.of(new Interest(w.queue(), w.events())), Long.MAX_VALUE, retry);
    }

    /**
     * The same wait for a call that already moved {@code done} bytes: the retry's result adds them, and a signal that
     * ends the wait makes the call return them (Linux: a write that moved bytes returns their count, never EINTR).
     */
    CallBlocks plus(long done) {
        Attempt inner = retry;
        return new CallBlocks(interests, deadlineNanos, () -> {
            try {
                return done + inner.attempt();
            } catch (CallBlocks more) {
                throw more.plus(done);
            }
        }, restartable, moved + done, completed);
    }

    /** The same wait, running {@code action} once when the call completes (whatever later waits it takes). */
    CallBlocks whenCompleted(Runnable action) {
        return new CallBlocks(interests, deadlineNanos, retry, restartable, moved, action);
    }
}
