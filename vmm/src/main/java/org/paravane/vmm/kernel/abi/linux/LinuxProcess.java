package org.paravane.vmm.kernel.abi.linux;

import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.signal.ProcessSignals;
import org.paravane.vmm.linux.signal.ThreadSignals;

/**
 * The state of one Linux process (single-threaded: its one task is its thread): memory, files, limits, and the few
 * values the identity calls keep. It lives with its task in the kernel and moves with it.
 */
final class LinuxProcess {
    final int pid;
    final String executablePath;
    final ProcessMemory memory;
    final ProcessFiles files;
    final Limits limits;
    final LinuxHost host;
    /** The thread's name (PR_SET_NAME, /proc/self/comm): at most 15 bytes. */
    volatile String comm;
    /** set_tid_address: where the kernel clears the tid at the thread's exit (with a futex wake, next issue). */
    volatile long clearChildTid;
    /** set_robust_list: the head the kernel would walk at exit. */
    volatile long robustList;
    /** Signal actions, the shared pending set, stop state: what kill and the process's timers reach. */
    final ProcessSignals signals = new ProcessSignals();
    /** The signal state of the process's one thread (mask, own pending set, alternate stack). */
    final ThreadSignals thread;
    /** The task that runs the thread, known from its first call on: what a posted signal interrupts. */
    volatile SyscallTask task;

    LinuxProcess(int pid, String executablePath, ProcessMemory memory, ProcessFiles files, LinuxHost host) {
        this.pid = pid;
        this.executablePath = executablePath;
        this.memory = memory;
        this.files = files;
        this.host = host;
        this.limits = new Limits(files.fds());
        String base = executablePath.substring(executablePath.lastIndexOf('/') + 1);
        this.comm = base.length() > 15 ? base.substring(0, 15) : base;
        this.thread = signals.addThread(pid, 0, () -> {
            SyscallTask t = task;
            if (t != null) {
                t.interrupt();
            }
        });
    }

    @Override
    public String toString() {
        return "process " + pid + " (" + comm + ")";
    }
}
