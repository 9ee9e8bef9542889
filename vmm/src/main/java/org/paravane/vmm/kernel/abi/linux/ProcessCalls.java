package org.paravane.vmm.kernel.abi.linux;

import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.linux.signal.Signal;

/**
 * The calls about a thread's and its process's life: exit (this thread), exit_group (every thread of the process),
 * and what happens when a thread ends, however it ended: the last thread's end makes the process a zombie, hands its
 * children to init, wakes its parent's waits; a fatal signal or a kill ends the whole group; init's end ends the VM's
 * other processes.
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
        if (signal != 0) {
            endGroup(process, LinuxProcess.waitStatus(code, signal), code, signal, null);
        }
        ProcessTable table = process.host.processes();
        boolean last;
        List<LinuxProcess> orphans = new ArrayList<>();
        LinuxProcess parent;
        boolean isInit;
        synchronized (table) {
            last = process.threadExited(thread, LinuxProcess.waitStatus(code, signal));
            if (!last) {
                return;
            }
            isInit = table.init() == process;
            LinuxProcess init = table.init();
            for (LinuxProcess child : List.copyOf(process.children)) {
                process.children.remove(child);
                if (isInit) {
                    child.parent = null;
                    continue;
                }
                child.parent = init;
                child.adopted = true;
                init.children.add(child);
                if (child.state() == LinuxProcess.State.ZOMBIE) {
                    reap(table, child);
                }
            }
            parent = process.parent;
            if (parent == null ? !isInit : process.adopted) {
                reap(table, process);   // init's children the kernel adopted: nobody waits for them
            }
            if (isInit) {
                orphans.addAll(table.all());
                orphans.remove(process);
            }
        }
        process.timers.cancelAll();
        process.memoryCalls().release();
        process.files.fds().closeAll();
        if (parent != null) {
            parent.childEvents.wakeAll();
        }
        for (LinuxProcess p : orphans) {
            endGroup(p, LinuxProcess.waitStatus(0, Signal.SIGKILL), 128 + Signal.SIGKILL, Signal.SIGKILL,
                    "killed: the VM's first process (" + process + ") ended");
        }
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
