package org.paravane.vmm.linux.futex;

import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A dying thread's robust list (set_robust_list): {@code struct robust_list_head { next; long futex_offset;
 * list_op_pending; }}, a circular list of the robust mutexes it holds, each entry {@code futex_offset} bytes before
 * the mutex's futex word. Each word still owned by the thread (its low 30 bits the tid) gets FUTEX_OWNER_DIED, keeping
 * FUTEX_WAITERS, and one waiter is woken; the walk stops after {@link #LIMIT} entries, so a corrupt or cyclic list
 * cannot hold the kernel. The entry being added or removed ({@code list_op_pending}) is handled last. Bit 0 of a
 * pointer marks a priority-inheritance mutex, whose waiters are not woken here (no PI futexes are provided).
 */
final class RobustList {
    static final int WAITERS = 0x8000_0000, OWNER_DIED = 0x4000_0000, TID_MASK = 0x3FFF_FFFF;
    /** Linux's ROBUST_LIST_LIMIT. */
    static final int LIMIT = 2048;

    private final Futex futex;
    private final FutexMemory memory;
    private final int tid;

    RobustList(Futex futex, FutexMemory memory, int tid) {
        this.futex = futex;
        this.memory = memory;
        this.tid = tid;
    }

    void release(long head) {
        long entry, offset, pending;
        boolean pi, pendingPi;
        try {
            long first = memory.loadLong(head);
            offset = memory.loadLong(head + 8);
            long op = memory.loadLong(head + 16);
            entry = first & ~1L;
            pi = (first & 1) != 0;
            pending = op & ~1L;
            pendingPi = (op & 1) != 0;
        } catch (GuestAccessException e) {
            return;   // no readable head: nothing to walk
        }
        int limit = LIMIT;
        while (entry != head) {
            long next;
            try {
                next = memory.loadLong(entry);
            } catch (GuestAccessException e) {
                next = -1;   // Linux handles this entry, then stops at the fault
            }
            if (entry != pending) {
                died(entry + offset, pi, false);
            }
            if (next == -1 || --limit == 0) {
                break;
            }
            entry = next & ~1L;
            pi = (next & 1) != 0;
        }
        if (pending != 0) {
            died(pending + offset, pendingPi, true);
        }
    }

    /** Linux's handle_futex_death: mark the word's owner dead and wake one waiter. */
    private void died(long word, boolean pi, boolean pending) {
        if ((word & 3) != 0) {
            return;
        }
        try {
            died(word, memory.load(word), pi, pending);
        } catch (GuestAccessException e) {
            // the mutex is not mapped any more: nothing to mark
        }
    }

    private void died(long word, int value, boolean pi, boolean pending) throws GuestAccessException {
        // A pending lock that was never taken (the word still 0) may have a waiter a wake was meant for.
        if (pending && !pi && value == 0) {
            wakeOne(word);
            return;
        }
        while ((value & TID_MASK) == tid) {
            int marked = (value & WAITERS) | OWNER_DIED;
            int witness = memory.compareAndExchange(word, value, marked);
            if (witness == value) {
                if (!pi && (value & WAITERS) != 0) {
                    wakeOne(word);
                }
                return;
            }
            value = witness;
        }
    }

    private void wakeOne(long word) throws GuestAccessException {
        try {
            futex.wakeOne(memory, word);
        } catch (ErrnoException e) {
            // outside user space: nothing waits there
        }
    }
}
