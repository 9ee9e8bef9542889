package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.EPERM;
import static org.paravane.vmm.linux.Errno.ESRCH;

import org.paravane.vmm.linux.ErrnoException;

/**
 * The process tree as a shell sees it: getppid, process groups (setpgid, getpgid, getpgrp), sessions (setsid,
 * getsid) with Linux's rules, and the console's foreground process group (TIOCGPGRP/TIOCSPGRP, i.e.
 * tcgetpgrp/tcsetpgrp), one per VM since the VM has one console.
 */
final class GroupCalls {
    static final int TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410;

    private final LinuxProcess process;
    private final ProcessTable table;

    GroupCalls(LinuxThread thread) {
        this.process = thread.process;
        this.table = process.host.processes();
    }

    long getppid() {
        synchronized (table) {
            return process.parent == null ? 0 : process.parent.pid;
        }
    }

    /** The process {@code pid} names (0: the caller), living or a zombie. */
    private LinuxProcess find(long pid) throws ErrnoException {
        if (pid == 0) {
            return process;
        }
        LinuxProcess p = pid > 0 && pid <= Integer.MAX_VALUE ? table.get((int) pid) : null;
        if (p == null) {
            throw new ErrnoException(ESRCH, "no process " + pid);
        }
        return p;
    }

    long getpgid(long pid) throws ErrnoException {
        synchronized (table) {
            return find(pid).pgid;
        }
    }

    long getsid(long pid) throws ErrnoException {
        synchronized (table) {
            return find(pid).sid;
        }
    }

    long setpgid(long pid, long pgid) throws ErrnoException {
        if (pgid < 0) {
            throw new ErrnoException(EINVAL, "process group " + pgid);
        }
        synchronized (table) {
            LinuxProcess target = find(pid);
            if (target != process && target.parent != process) {
                throw new ErrnoException(ESRCH, "process " + pid + " is neither the caller nor its child");
            }
            if (target.sid != process.sid) {
                throw new ErrnoException(EPERM, "process " + pid + " is in another session");
            }
            if (target.sid == target.pid) {
                throw new ErrnoException(EPERM, "process " + pid + " leads its session");
            }
            int group = pgid == 0 ? target.pid : (int) pgid;
            if (group != target.pid && table.all().stream().noneMatch(p -> p.pgid == group && p.sid == process.sid)) {
                throw new ErrnoException(EPERM, "no process group " + group + " in the caller's session");
            }
            target.pgid = group;
            return 0;
        }
    }

    long setsid() throws ErrnoException {
        synchronized (table) {
            int pid = process.pid;
            if (table.all().stream().anyMatch(p -> p.pgid == pid)) {
                throw new ErrnoException(EPERM, "process " + pid + " leads a process group already");
            }
            process.sid = pid;
            process.pgid = pid;
            return pid;
        }
    }

    /** TIOCGPGRP: the console's foreground group (the first process's group until someone sets it). */
    int foreground() {
        return process.host.foregroundGroup();
    }

    /** TIOCSPGRP: a group of the caller's session becomes the console's foreground. */
    void setForeground(int pgid) throws ErrnoException {
        if (pgid < 0) {
            throw new ErrnoException(EINVAL, "process group " + pgid);
        }
        synchronized (table) {
            if (table.all().stream().noneMatch(p -> p.pgid == pgid && p.sid == process.sid)) {
                throw new ErrnoException(EPERM, "no process group " + pgid + " in the caller's session");
            }
        }
        process.host.setForegroundGroup(pgid);
    }
}
