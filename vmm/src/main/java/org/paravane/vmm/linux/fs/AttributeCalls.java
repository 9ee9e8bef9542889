package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.EOPNOTSUPP;
import static org.paravane.vmm.linux.Errno.EROFS;

import org.paravane.vmm.linux.ErrnoException;

/**
 * The calls that change a file's attributes (chmod, utimensat). A host file under the in-memory layer is copied up
 * first ({@link #own}), as overlayfs does for a metadata change, so the host's own file never changes.
 */
final class AttributeCalls {
    /** utimensat's UTIME_NOW and UTIME_OMIT, in a timespec's tv_nsec. */
    static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    private AttributeCalls() {
    }

    /** The node at {@code target} as the layer's own: a host file under an in-memory layer is copied up into it. */
    static Node own(Location target) throws ErrnoException {
        if (target.node() instanceof HostFile && target.parent() != null
                && target.parent().node() instanceof MemoryDirectory layer && target.parent().mount() == target.mount()) {
            return layer.copyUp(target.name());
        }
        return target.node();
    }

    /** chmod(2), fchmod(2), fchmodat(2) on the resolved {@code target} ({@code noFollow}: fchmodat2's flag). */
    static void chmod(Location target, int mode, boolean noFollow) throws ErrnoException {
        if (noFollow && target.node() instanceof Node.Symlink) {
            throw new ErrnoException(EOPNOTSUPP, target.path() + ": the mode of a symbolic link cannot change");
        }
        writable(target);
        own(target).setMode(mode & 07777);
    }

    /**
     * utimensat(2)'s times as {access, modification} nanoseconds ({@link Node#KEEP_TIME} for UTIME_OMIT): {@code
     * times} is null (both now) or the two timespecs {access sec, nsec, modification sec, nsec}, each of whose
     * tv_nsec may be UTIME_NOW or UTIME_OMIT.
     */
    static long[] times(long[] times) throws ErrnoException {
        long now = Stat.nowNanos();
        return times == null ? new long[] {now, now}
                : new long[] {time(times[0], times[1], now), time(times[2], times[3], now)};
    }

    /** utimensat(2) on the resolved {@code target} with {@link #times}' answer. */
    static void setTimes(Location target, long atime, long mtime) throws ErrnoException {
        if (atime == Node.KEEP_TIME && mtime == Node.KEEP_TIME) {
            return;
        }
        writable(target);
        own(target).setTimes(atime, mtime);
    }

    private static void writable(Location target) throws ErrnoException {
        if (target.mount().readOnly()) {
            throw new ErrnoException(EROFS, target.path() + " is on a read-only file system");
        }
    }

    private static long time(long sec, long nsec, long now) throws ErrnoException {
        if (nsec == UTIME_NOW) {
            return now;
        }
        if (nsec == UTIME_OMIT) {
            return Node.KEEP_TIME;
        }
        if (nsec < 0 || nsec >= 1_000_000_000L) {
            throw new ErrnoException(EINVAL, "timespec {" + sec + ", " + nsec + "}");
        }
        try {
            return Math.addExact(Math.multiplyExact(sec, 1_000_000_000L), nsec);
        } catch (ArithmeticException e) {
            throw new ErrnoException(EINVAL, "timespec {" + sec + ", " + nsec + "} is out of range");
        }
    }
}
