package org.paravane.vmm.linux.signal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A pending set with each signal's siginfo (a thread's own, or its process's shared one). A standard signal pending
 * already is not queued again (its first siginfo stays); a real-time one queues each instance, up to {@link #RT_LIMIT}.
 */
public final class PendingSignals {
    /** Queued real-time signals per set, like RLIMIT_SIGPENDING's role. */
    public static final int RT_LIMIT = 1024;

    private volatile long set;
    private final Map<Integer, ArrayDeque<SigInfo>> infos = new HashMap<>();
    private int queued;

    /** The pending signals: a read without a lock, for the check at every return to user mode. */
    public long set() {
        return set;
    }

    /** Adds {@code info}; false when it was not queued (a standard signal already pending, or the RT queue full). */
    public synchronized boolean add(SigInfo info) {
        int s = info.signo();
        if (Signal.in(set, s) && !Signal.realtime(s) || queued >= RT_LIMIT) {
            return false;
        }
        infos.computeIfAbsent(s, k -> new ArrayDeque<>()).add(info);
        queued++;
        set |= Signal.bit(s);
        return true;
    }

    /** Takes one instance of the first signal of {@code allowed} (synchronous signals first), or null. */
    public synchronized SigInfo take(long allowed) {
        long ready = set & allowed;
        if (ready == 0) {
            return null;
        }
        long sync = ready & Signal.SYNCHRONOUS;
        int s = Signal.lowest(sync != 0 ? sync : ready);
        ArrayDeque<SigInfo> q = infos.get(s);
        SigInfo info = q.poll();
        queued--;
        if (q.isEmpty()) {
            infos.remove(s);
            set &= ~Signal.bit(s);
        }
        return info;
    }

    /** Drops every pending instance of the signals in {@code signals} (SIGCONT drops stops, and the reverse). */
    public synchronized void discard(long signals) {
        for (int s = 1; s <= Signal.NSIG; s++) {
            if (Signal.in(signals & set, s)) {
                queued -= infos.remove(s).size();
            }
        }
        set &= ~signals;
    }
}
