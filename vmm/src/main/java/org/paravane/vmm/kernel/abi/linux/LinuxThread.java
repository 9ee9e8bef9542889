package org.paravane.vmm.kernel.abi.linux;

import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.linux.signal.ProcessSignals;
import org.paravane.vmm.linux.signal.ThreadSignals;

/**
 * One thread (task) of a Linux process: its tid (the kernel's task id; the first thread's is the process's pid), what
 * the kernel does at its exit (clear_child_tid, the robust list), its name, and the per-thread signal state. Its
 * system calls go through the {@link LinuxAbi} bound to it.
 */
final class LinuxThread {
    final int tid;
    final LinuxProcess process;
    /** The thread's name (PR_SET_NAME, /proc/self/comm): at most 15 bytes. */
    volatile String comm;
    /** set_tid_address / CLONE_CHILD_CLEARTID: where the kernel clears the tid at the thread's exit (and wakes a futex). */
    volatile long clearChildTid;
    /** set_robust_list: the head the kernel walks at exit. */
    volatile long robustList;
    /** The kernel's task once it runs (set before its first instruction). */
    volatile SyscallTask task;
    /** Its signal mask, own pending signals and alternate stack, in its process's {@link ProcessSignals}. */
    final ThreadSignals signals;

    /** The first thread of a process: no signal blocked. */
    LinuxThread(int tid, LinuxProcess process, String comm) {
        this.tid = tid;
        this.process = process;
        this.comm = comm;
        this.signals = process.signals.addThread(tid, 0, this::interrupt);
    }

    /**
     * A thread made by fork or clone from {@code creator}: its signal mask, and its alternate stack unless it runs in
     * the creator's memory (CLONE_VM without CLONE_VFORK).
     */
    LinuxThread(int tid, LinuxProcess process, String comm, LinuxThread creator, boolean sharedMemory) {
        this.tid = tid;
        this.process = process;
        this.comm = comm;
        this.signals = process.signals.addThreadLike(tid, creator.signals, sharedMemory, this::interrupt);
    }

    /** A signal was posted for it: it looks at its signals soon (woken from a blocking call, its vCPU kicked). */
    private void interrupt() {
        SyscallTask t = task;
        if (t != null) {
            t.interrupt();
        }
    }

    /** The name a new process image gets: its file's base name, cut to 15 bytes as Linux does. */
    static String commOf(String executablePath) {
        String base = executablePath.substring(executablePath.lastIndexOf('/') + 1);
        return base.length() > 15 ? base.substring(0, 15) : base;
    }

    @Override
    public String toString() {
        return "thread " + tid + " of " + process;
    }
}
