package org.paravane.vmm.linux.signal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A process's (thread group's) signal state: its action table, the pending set shared by its threads (kill), its
 * threads' states, and whether it is stopped or being killed. Posting decides at once what Linux decides at send
 * time: an ignored signal is dropped (unless the target blocks it: the action may change before it is unblocked),
 * SIGCONT drops pending stops and continues the process, a stop drops a pending SIGCONT, SIGKILL cannot be stopped.
 * The chosen thread is notified, so it acts on the signal at its next return to user mode.
 */
public final class ProcessSignals {
    private volatile SignalActions actions;
    private final PendingSignals shared = new PendingSignals();
    private final List<ThreadSignals> threads = new CopyOnWriteArrayList<>();
    private volatile boolean killed;
    /** Changed under this object's monitor, so one stop and one continue are reported once each. */
    private volatile boolean stopped;
    private volatile JobControl jobControl = JobControl.NONE;

    /**
     * Told when the process stops and when a stopped process continues: its parent's wait reports it and SIGCHLD says
     * so (Linux's do_notify_parent_cldstop). Called outside this object's monitor.
     */
    public interface JobControl {
        JobControl NONE = new JobControl() {
            @Override
            public void stopped(int signal) {
            }

            @Override
            public void continued() {
            }
        };

        /** The process stopped by {@code signal}. */
        void stopped(int signal);

        /** The stopped process was continued (SIGCONT). */
        void continued();
    }

    public ProcessSignals(SignalActions actions) {
        this.actions = actions;
    }

    /** A new process with default actions. */
    public ProcessSignals() {
        this(new SignalActions());
    }

    /** A fork's state: a copy of the actions, nothing pending; the child's thread is added by {@link #addThread}. */
    public ProcessSignals forkCopy() {
        return new ProcessSignals(actions.copy());
    }

    /** fork: this new process starts with a copy of {@code parent}'s actions (not shared). */
    public void copyActionsOf(ProcessSignals parent) {
        actions = parent.actions.copy();
    }

    /** execve: handlers reset (a table shared with other processes is unshared first), the mask and pending stay. */
    public void exec() {
        SignalActions own = actions.copy();
        own.resetForExec();
        actions = own;
    }

    public SignalActions actions() {
        return actions;
    }

    public PendingSignals shared() {
        return shared;
    }

    /** A thread of this process with {@code mask} (a fork or clone inherits its creator's). */
    public ThreadSignals addThread(int tid, long mask, Runnable notifier) {
        ThreadSignals t = new ThreadSignals(tid, this, mask, notifier);
        threads.add(t);
        return t;
    }

    /**
     * A thread made by fork or clone from {@code creator}: its mask, and its alternate stack unless the new thread
     * runs in the same memory (CLONE_VM without CLONE_VFORK), as Linux's copy_process.
     */
    public ThreadSignals addThreadLike(int tid, ThreadSignals creator, boolean sharedMemory, Runnable notifier) {
        ThreadSignals t = addThread(tid, creator.mask(), notifier);
        if (!sharedMemory) {
            t.setAltStack(creator.altStack());
        }
        return t;
    }

    public void removeThread(ThreadSignals t) {
        threads.remove(t);
    }

    public List<ThreadSignals> threads() {
        return List.copyOf(threads);
    }

    /** SIGKILL was posted: every thread ends at its next return to user mode. */
    public boolean killed() {
        return killed;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Where the process's stops and continues are reported (set once, when the process is made). */
    public void reportTo(JobControl control) {
        jobControl = control;
    }

    /**
     * The process stops ({@code signal}'s default action was taken by one thread): every thread stops at its next
     * return to user mode, and the stop is reported once.
     */
    public void stop(int signal) {
        synchronized (this) {
            if (stopped || killed) {
                return;
            }
            stopped = true;
        }
        threads.forEach(ThreadSignals::notifyThread);
        jobControl.stopped(signal);
    }

    /** Posts {@code info} to the process: one of its threads that does not block it will take it. */
    public void post(SigInfo info) {
        post(null, info);
    }

    /** Posts to {@code target} alone, or to the process when it is null. */
    void post(ThreadSignals target, SigInfo info) {
        int s = info.signo();
        if (s == Signal.SIGKILL) {
            killed = true;
            stopped = false;
            threads.forEach(ThreadSignals::notifyThread);
            return;
        }
        if (s == Signal.SIGCONT) {
            discardEverywhere(Signal.STOP_SIGNALS);
            try {
                queue(target, info);
            } finally {
                // Continue only once SIGCONT is pending: a thread let go first could return to user mode before its
                // handler is queued, and the handler would run late.
                boolean wasStopped;
                synchronized (this) {
                    wasStopped = stopped;
                    stopped = false;
                }
                if (wasStopped) {
                    threads.forEach(ThreadSignals::notifyThread);
                    jobControl.continued();
                }
            }
            return;
        }
        if (Signal.in(Signal.STOP_SIGNALS, s)) {
            discardEverywhere(Signal.bit(Signal.SIGCONT));
        }
        queue(target, info);
    }

    /** Queues {@code info} unless its action discards it, and wakes a thread that will take it. */
    private void queue(ThreadSignals target, SigInfo info) {
        int s = info.signo();
        boolean blocked = target != null ? Signal.in(target.mask(), s)
                : !threads.isEmpty() && threads.stream().allMatch(t -> Signal.in(t.mask(), s));
        if (!blocked && actions.get(s).discards(s)) {
            return;
        }
        if (!(target != null ? target.pending() : shared).add(info)) {
            return;
        }
        ThreadSignals wake = target;
        if (wake == null) {
            wake = threads.stream().filter(t -> !Signal.in(t.mask(), s)).findFirst().orElse(null);
        }
        if (wake != null) {
            wake.notifyThread();
        } else {
            threads.forEach(ThreadSignals::notifyThread);   // all block it: one may wait for it in sigtimedwait
        }
    }

    private void discardEverywhere(long signals) {
        shared.discard(signals);
        threads.forEach(t -> t.pending().discard(signals));
    }
}
