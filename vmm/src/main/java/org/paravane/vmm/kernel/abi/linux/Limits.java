package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.EPERM;

import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.mm.Layout;

/** A process's resource limits (getrlimit, setrlimit, prlimit64): soft and hard value per resource. */
final class Limits {
    static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_NOFILE = 7, RLIMIT_NPROC = 6, RLIMIT_AS = 9, RLIM_NLIMITS = 16;
    static final long INFINITY = -1;
    /** fs.nr_open: the highest RLIMIT_NOFILE can be raised to. */
    static final long NR_OPEN = 1 << 20;

    private final long[] soft = new long[RLIM_NLIMITS];
    private final long[] hard = new long[RLIM_NLIMITS];
    /** The process's files: RLIMIT_NOFILE goes to whatever descriptor table they have now (execve may unshare it). */
    private final ProcessFiles files;

    Limits(ProcessFiles files) {
        this.files = files;
        java.util.Arrays.fill(soft, INFINITY);
        java.util.Arrays.fill(hard, INFINITY);
        soft[RLIMIT_STACK] = Layout.DEFAULT_RLIMIT_STACK;
        soft[RLIMIT_CORE] = 0;
        soft[RLIMIT_NOFILE] = ProcessFiles.DEFAULT_NOFILE;
        hard[RLIMIT_NOFILE] = 4096;
        soft[8] = hard[8] = 8L << 20;          // RLIMIT_MEMLOCK
        soft[6] = hard[6] = 63_000;            // RLIMIT_NPROC
        soft[11] = hard[11] = 63_000;          // RLIMIT_SIGPENDING
        soft[12] = hard[12] = 819_200;         // RLIMIT_MSGQUEUE
        soft[13] = hard[13] = 0;               // RLIMIT_NICE
        soft[14] = hard[14] = 0;               // RLIMIT_RTPRIO
    }

    /** fork: the child starts with the parent's limits. */
    void copyFrom(Limits parent) {
        long[] s, h;
        synchronized (parent) {
            s = parent.soft.clone();
            h = parent.hard.clone();
        }
        synchronized (this) {
            System.arraycopy(s, 0, soft, 0, RLIM_NLIMITS);
            System.arraycopy(h, 0, hard, 0, RLIM_NLIMITS);
        }
    }

    synchronized long[] get(int resource) throws ErrnoException {
        check(resource);
        return new long[] {soft[resource], hard[resource]};
    }

    /** Sets both values; raising the hard limit is refused (the process is not privileged to exceed what it has). */
    synchronized void set(int resource, long newSoft, long newHard) throws ErrnoException {
        check(resource);
        if (Long.compareUnsigned(newSoft, newHard) > 0) {
            throw new ErrnoException(EINVAL, "soft limit above the hard limit");
        }
        if (Long.compareUnsigned(newHard, hard[resource]) > 0) {
            throw new ErrnoException(EPERM, "raising a hard limit");
        }
        if (resource == RLIMIT_NOFILE) {
            if (Long.compareUnsigned(newSoft, NR_OPEN) > 0) {
                throw new ErrnoException(EPERM, "RLIMIT_NOFILE above fs.nr_open");
            }
            files.fds().setLimit((int) newSoft);
        }
        soft[resource] = newSoft;
        hard[resource] = newHard;
    }

    /** The soft limit of a resource known to exist. */
    synchronized long getUnchecked(int resource) {
        return soft[resource];
    }

    private static void check(int resource) throws ErrnoException {
        if (resource < 0 || resource >= RLIM_NLIMITS) {
            throw new ErrnoException(EINVAL, "unknown resource " + resource);
        }
    }
}
