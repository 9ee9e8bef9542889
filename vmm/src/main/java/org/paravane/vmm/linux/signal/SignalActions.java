package org.paravane.vmm.linux.signal;

import java.util.Arrays;

/**
 * The action table of a process: one {@link SigAction} per signal. Threads made with CLONE_SIGHAND share one table; a
 * fork copies it ({@link #copy}); execve resets it ({@link #resetForExec}).
 */
public final class SignalActions {
    private final SigAction[] actions = new SigAction[Signal.NSIG + 1];

    public SignalActions() {
        Arrays.fill(actions, SigAction.DEFAULT);
    }

    public synchronized SigAction get(int signal) {
        return actions[signal];
    }

    /** Installs {@code action} for {@code signal} and answers the one it replaces; SIGKILL and SIGSTOP are not here. */
    public synchronized SigAction set(int signal, SigAction action) {
        if (signal == Signal.SIGKILL || signal == Signal.SIGSTOP) {
            throw new IllegalArgumentException(Signal.name(signal) + " cannot be caught or ignored");
        }
        SigAction old = actions[signal];
        actions[signal] = new SigAction(action.handler(), action.flags(), action.restorer(),
                action.mask() & ~Signal.UNBLOCKABLE);
        return old;
    }

    /** SA_RESETHAND: the handler runs once, then the default is back (as Linux does when it dequeues the signal). */
    public synchronized void resetHandler(int signal) {
        SigAction a = actions[signal];
        actions[signal] = new SigAction(SigAction.SIG_DFL, a.flags(), a.restorer(), a.mask());   // only the handler
    }

    /** A fork's table: the same actions, not shared. */
    public synchronized SignalActions copy() {
        SignalActions c = new SignalActions();
        System.arraycopy(actions, 0, c.actions, 0, actions.length);
        return c;
    }

    /** execve: handlers are gone (the code they pointed to is), ignored signals stay ignored, flags and masks clear. */
    public synchronized void resetForExec() {
        for (int s = 1; s <= Signal.NSIG; s++) {
            actions[s] = actions[s].ignored() ? new SigAction(SigAction.SIG_IGN, 0, 0, 0) : SigAction.DEFAULT;
        }
    }

    /** A fatal signal forced on the process (a fault it cannot handle): the default action again. */
    public synchronized void forceDefault(int signal) {
        actions[signal] = SigAction.DEFAULT;
    }
}
