package org.paravane.vmm.kernel.abi.linux;

import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.linux.signal.DefaultAction;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;

/**
 * The calls about a thread's and its process's life: exit (this thread), exit_group (every thread of the process),
 * and what happens when a thread ends, however it ended: the last thread's end makes the process a zombie, hands its
 * children to init (the VM's first process), wakes its parent's waits; a fatal signal or a kill ends the whole group.
 * When init has ended, orphans end too: init's process tree ends with it (other processes launched into the VM run
 * on, each the root of a tree of its own).
 */
final class ProcessCalls {
    private final LinuxThread thread;
    private final LinuxProcess process;

    ProcessCalls(LinuxThread thread) {
        this.thread = thread;
        this.process = thread.process;
    }

    /** exit: this thread ends; the process ends with it when it was the last. */
    SyscallOutcome exit(long code) {
        return new SyscallOutcome.Exit((int) (code & 0xFF));
    }

    /** exit_group: every thread of the process ends, the process with {@code code}. */
    SyscallOutcome exitGroup(long code) {
        int c = (int) (code & 0xFF);
        endGroup(process, LinuxProcess.waitStatus(c, 0), c, 0, null);
        return new SyscallOutcome.Exit(c);
    }

    /**
     * Ends every thread of {@code p} but the caller's with {@code status}, unless the group is ending already (the
     * first end decides the process's status).
     */
    static void endGroup(LinuxProcess p, int status, int code, int signal, String failure) {
        List<LinuxThread> others;
        synchronized (p.host.processes()) {
            if (!p.startGroupExit(status)) {
                return;
            }
            others = p.threads();
        }
        for (LinuxThread t : others) {
            SyscallTask task = t.task;
            if (task != null) {
                task.terminate(code, signal, failure);
            }
        }
    }

    /** The thread's task ended: {@code signal} is what killed it, or 0 for an exit with {@code code}. */
    void ended(int code, int signal) {
        // the robust mutexes it holds and its clear-tid word (pthread_join) while its memory is still there
        process.host.futex().threadExited(new FutexWords(process.memory()), thread.tid, thread.robustList,
                thread.clearChildTid);
        if (signal != 0) {
            endGroup(process, LinuxProcess.waitStatus(code, signal), code, signal, null);
        }
        ProcessTable table = process.host.processes();
        List<LinuxProcess> orphans = new ArrayList<>();
        LinuxProcess parent;
        synchronized (table) {
            if (!process.threadExited(thread, LinuxProcess.waitStatus(code, signal))) {
                return;
            }
            LinuxProcess init = table.init();
            boolean initLives = init != process && init.state() == LinuxProcess.State.LIVE;
            for (LinuxProcess child : List.copyOf(process.children)) {
                process.children.remove(child);
                if (initLives) {
                    child.parent = init;
                    child.adopted = true;
                    init.children.add(child);
                } else if (child.state() == LinuxProcess.State.ZOMBIE) {
                    child.parent = null;
                    reap(table, child);
                } else {
                    child.parent = null;
                    orphans.add(child);   // init's tree ends with init
                }
            }
            parent = process.parent;
            if (parent == null && init != process) {
                reap(table, process);   // a process with no parent (another launched one, or init's orphan): no waiter
            }
        }
        process.timers.cancelAll();
        process.releaseVfork();
        process.releaseMemory();
        process.files.release();
        if (parent != null) {
            notifyParent(parent);
            parent.childEvents.wakeAll();
        }
        for (LinuxProcess p : orphans) {
            endGroup(p, LinuxProcess.waitStatus(0, Signal.SIGKILL), 128 + Signal.SIGKILL, Signal.SIGKILL,
                    "the VM's first process ended, and with it its process tree");
        }
    }

    /**
     * Reaps the ended orphans init has not waited for, so a first process that never waits cannot fill the VM's
     * process table (Linux's init would reap them); answers how many. The caller holds the table's monitor.
     */
    static int reapAdoptedZombies(ProcessTable table) {
        LinuxProcess init = table.init();
        if (init == null) {
            return 0;
        }
        int n = 0;
        for (LinuxProcess child : java.util.List.copyOf(init.children)) {
            if (child.adopted && child.state() == LinuxProcess.State.ZOMBIE) {
                reap(table, child);
                n++;
            }
        }
        return n;
    }

    /** The child's exit signal (SIGCHLD unless clone said otherwise) to its parent, with what wait would report. */
    private void notifyParent(LinuxProcess parent) {
        int signal = process.exitSignal;
        if (signal == 0) {
            return;
        }
        int status = process.waitStatus(), killer = status & 0x7F;
        int code = killer == 0 ? SigInfo.CLD_EXITED
                : Signal.defaultAction(killer) == DefaultAction.CORE ? SigInfo.CLD_DUMPED : SigInfo.CLD_KILLED;
        parent.signals.post(SigInfo.child(process.pid, 0, code, killer == 0 ? status >> 8 & 0xFF : killer, 0, 0)
                .withSigno(signal));
    }

    /** {@code child} leaves the tree and the table for good (the caller holds the table's monitor). */
    static void reap(ProcessTable table, LinuxProcess child) {
        if (child.parent != null) {
            child.parent.children.remove(child);
        }
        child.reaped();
        table.remove(child);
    }
}
