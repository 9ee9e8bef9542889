package org.paravane.vmm.kernel.wait;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wakers waiting on one object, each with the events it waits for (a bit mask the object defines, such as
 * poll's POLLIN/POLLOUT; {@link #ANY} for all). Wakes are delivered outside the queue's lock, so a woken task may
 * touch the queue again at once.
 */
public final class WaitQueue {
    public static final int ANY = -1;

    private final Map<Waker, Integer> waiters = new LinkedHashMap<>();

    /** Adds {@code waker} for {@code events} (added to what it already waits for here). */
    public synchronized void add(Waker waker, int events) {
        waiters.merge(waker, events, (a, b) -> a | b);
    }

    public void add(Waker waker) {
        add(waker, ANY);
    }

    public synchronized void remove(Waker waker) {
        waiters.remove(waker);
    }

    public synchronized boolean isEmpty() {
        return waiters.isEmpty();
    }

    public synchronized int size() {
        return waiters.size();
    }

    /** Wakes every waiter interested in any of {@code events}; they stay queued until they remove themselves. */
    public void wakeAll(int events) {
        List<Waker> woken = new ArrayList<>();
        synchronized (this) {
            waiters.forEach((w, interest) -> {
                if ((interest & events) != 0) {
                    woken.add(w);
                }
            });
        }
        woken.forEach(Waker::wake);
    }

    public void wakeAll() {
        wakeAll(ANY);
    }

    /**
     * Wakes and removes up to {@code count} waiters interested in {@code events}, oldest first; answers how many.
     */
    public int wakeAndRemove(int count, int events) {
        List<Waker> woken = new ArrayList<>();
        synchronized (this) {
            var it = waiters.entrySet().iterator();
            while (it.hasNext() && woken.size() < count) {
                var e = it.next();
                if ((e.getValue() & events) != 0) {
                    woken.add(e.getKey());
                    it.remove();
                }
            }
        }
        woken.forEach(Waker::wake);
        return woken.size();
    }

    /**
     * Removes up to {@code count} waiters interested in {@code events}, oldest first, without waking them; answers
     * them in that order (a futex requeue moves them to another queue).
     */
    public synchronized List<Waker> take(int count, int events) {
        List<Waker> taken = new ArrayList<>();
        var it = waiters.entrySet().iterator();
        while (it.hasNext() && taken.size() < count) {
            var e = it.next();
            if ((e.getValue() & events) != 0) {
                taken.add(e.getKey());
                it.remove();
            }
        }
        return taken;
    }
}
