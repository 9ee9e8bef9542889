package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.EBADF;
import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.EMFILE;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A process's file descriptors: each names an open file description and carries its own FD_CLOEXEC. New
 * descriptors take the lowest free number; numbers at or above RLIMIT_NOFILE give EMFILE (EBADF for dup2/dup3
 * targets, EINVAL for F_DUPFD minimums, as Linux does).
 */
public final class FdTable {
    private record Slot(OpenFile file, boolean closeOnExec) {
    }

    private final TreeMap<Integer, Slot> slots = new TreeMap<>();
    private int limit;
    /** The processes (CLONE_FILES sharers) using this table; the last to let go closes the descriptors. */
    private int users = 1;

    public FdTable(int rlimitNofile) {
        this.limit = rlimitNofile;
    }

    /** clone(2) with CLONE_FILES: one more process uses this very table. */
    public synchronized FdTable share() {
        if (users == 0) {
            throw new IllegalStateException("the descriptor table was already released");
        }
        users++;
        return this;
    }

    /** A user of the table is gone (exit, or execve unsharing it); the last one closes every descriptor. */
    public void release() {
        synchronized (this) {
            if (users == 0 || --users > 0) {
                return;
            }
        }
        closeAll();
    }

    /** Whether another process shares this table (execve then takes a private copy first, as Linux does). */
    public synchronized boolean shared() {
        return users > 1;
    }

    public synchronized int limit() {
        return limit;
    }

    /** setrlimit(RLIMIT_NOFILE): descriptors already above the new limit stay open, as on Linux. */
    public synchronized void setLimit(int rlimitNofile) {
        this.limit = rlimitNofile;
    }

    /** The description behind {@code fd}, or EBADF. */
    public synchronized OpenFile get(int fd) throws ErrnoException {
        Slot slot = slots.get(fd);
        if (slot == null) {
            throw new ErrnoException(EBADF, "fd " + fd + " is not open");
        }
        return slot.file();
    }

    /** EMFILE unless a descriptor is free: open checks this before it creates anything. */
    public synchronized void checkRoom() throws ErrnoException {
        if (lowestFree(0) >= limit) {
            throw new ErrnoException(EMFILE, "no descriptor below RLIMIT_NOFILE " + limit);
        }
    }

    /** Installs {@code file} at the lowest free descriptor at or above {@code minimum}. */
    public synchronized int install(OpenFile file, int minimum, boolean closeOnExec) throws ErrnoException {
        int fd = lowestFree(minimum);
        if (fd >= limit) {
            throw new ErrnoException(EMFILE, "no descriptor below RLIMIT_NOFILE " + limit);
        }
        file.retain();
        slots.put(fd, new Slot(file, closeOnExec));
        return fd;
    }

    private int lowestFree(int minimum) {
        int fd = minimum;
        for (int used : slots.tailMap(minimum).keySet()) {
            if (used != fd) {
                break;
            }
            fd++;
        }
        return fd;
    }

    public synchronized void close(int fd) throws ErrnoException {
        Slot slot = slots.remove(fd);
        if (slot == null) {
            throw new ErrnoException(EBADF, "fd " + fd + " is not open");
        }
        slot.file().release();
    }

    /** dup(2). */
    public synchronized int dup(int fd) throws ErrnoException {
        return install(get(fd), 0, false);
    }

    /** dup2(2): same-fd is a check that it is open; the target is closed silently first. */
    public synchronized int dup2(int oldFd, int newFd) throws ErrnoException {
        OpenFile file = get(oldFd);
        if (oldFd == newFd) {
            return newFd;
        }
        return replace(file, newFd, false);
    }

    /** dup3(2): like dup2 but EINVAL for the same fd or flags other than O_CLOEXEC. */
    public synchronized int dup3(int oldFd, int newFd, int flags) throws ErrnoException {
        if ((flags & ~Fcntl.O_CLOEXEC) != 0) {
            throw new ErrnoException(EINVAL, "dup3 flags 0x" + Integer.toHexString(flags));
        }
        if (oldFd == newFd) {
            throw new ErrnoException(EINVAL, "dup3 to the same descriptor");
        }
        return replace(get(oldFd), newFd, (flags & Fcntl.O_CLOEXEC) != 0);
    }

    private int replace(OpenFile file, int newFd, boolean closeOnExec) throws ErrnoException {
        if (newFd < 0 || newFd >= limit) {
            throw new ErrnoException(EBADF, "fd " + newFd + " is outside RLIMIT_NOFILE " + limit);
        }
        file.retain();
        Slot old = slots.put(newFd, new Slot(file, closeOnExec));
        if (old != null) {
            old.file().release();
        }
        return newFd;
    }

    /** fcntl(2) for F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL and F_SETFL; EINVAL for the rest. */
    public synchronized long fcntl(int fd, int command, long argument) throws ErrnoException {
        Slot slot = slots.get(fd);
        if (slot == null) {
            throw new ErrnoException(EBADF, "fd " + fd + " is not open");
        }
        return switch (command) {
            case Fcntl.F_DUPFD, Fcntl.F_DUPFD_CLOEXEC -> {
                if (argument < 0 || argument >= limit) {
                    throw new ErrnoException(EINVAL, "minimum descriptor " + argument + " outside RLIMIT_NOFILE");
                }
                yield install(slot.file(), (int) argument, command == Fcntl.F_DUPFD_CLOEXEC);
            }
            case Fcntl.F_GETFD -> slot.closeOnExec() ? Fcntl.FD_CLOEXEC : 0;
            case Fcntl.F_SETFD -> {
                slots.put(fd, new Slot(slot.file(), (argument & Fcntl.FD_CLOEXEC) != 0));
                yield 0;
            }
            case Fcntl.F_GETPIPE_SZ -> slot.file().pipeSize(-1);
            case Fcntl.F_SETPIPE_SZ -> slot.file().pipeSize((int) Math.min(argument & 0xFFFFFFFFL, Integer.MAX_VALUE));
            case Fcntl.F_GETFL -> slot.file().statusFlags();
            case Fcntl.F_SETFL -> {
                slot.file().setStatusFlags((int) argument);
                yield 0;
            }
            default -> throw new ErrnoException(EINVAL, "fcntl command " + command + " is not supported");
        };
    }

    /** close_range(2) on this table: closes, or marks FD_CLOEXEC with {@code cloexec}, the open fds in [first, last]. */
    public void closeRange(int first, int last, boolean cloexec) {
        List<OpenFile> closing = new ArrayList<>();
        synchronized (this) {
            var range = slots.subMap(first, true, last, true);
            if (cloexec) {
                range.replaceAll((fd, slot) -> new Slot(slot.file(), true));
            } else {
                range.values().forEach(slot -> closing.add(slot.file()));
                range.clear();
            }
        }
        closing.forEach(OpenFile::release);
    }

    /** execve: closes every descriptor marked FD_CLOEXEC. */
    public synchronized void closeOnExec() {
        List<Integer> closing = new ArrayList<>();
        for (Map.Entry<Integer, Slot> e : slots.entrySet()) {
            if (e.getValue().closeOnExec()) {
                closing.add(e.getKey());
            }
        }
        for (int fd : closing) {
            slots.remove(fd).file().release();
        }
    }

    /** fork: the same descriptors on the same open file descriptions (each held once more), flags and limit. */
    public synchronized FdTable copy() {
        FdTable copy = new FdTable(limit);
        slots.forEach((fd, slot) -> {
            slot.file().retain();
            copy.slots.put(fd, slot);
        });
        return copy;
    }

    /** The open descriptors in order (for {@code /proc/self/fd}). */
    public synchronized List<Integer> descriptors() {
        return new ArrayList<>(slots.keySet());
    }

    /** Closes everything (process exit). */
    public synchronized void closeAll() {
        slots.values().forEach(s -> s.file().release());
        slots.clear();
    }
}
