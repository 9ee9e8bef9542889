package org.paravane.vmm.kernel.abi.linux;

import org.paravane.vmm.kernel.abi.SyscallTask;

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
    /** The signals this thread blocks (rt_sigprocmask); the signal code keeps what else a thread has of its own. */
    volatile long signalMask;
    /** The kernel's task once it runs (set before its first instruction). */
    volatile SyscallTask task;

    LinuxThread(int tid, LinuxProcess process, String comm) {
        this.tid = tid;
        this.process = process;
        this.comm = comm;
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
