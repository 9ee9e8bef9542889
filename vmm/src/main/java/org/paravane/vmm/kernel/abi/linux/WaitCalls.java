package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.ECHILD;
import static org.paravane.vmm.linux.Errno.EINVAL;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.signal.Signal;

/**
 * wait4 and waitid: a child of the caller's process that has ended is reaped (its status reported, its pid freed);
 * a child's stop (WUNTRACED, WSTOPPED) or continue (WCONTINUED) is reported once, with Linux's status words
 * ({@code 0x7f | signal << 8}, {@code 0xffff}); with nothing to report yet the call blocks (off its vCPU) until a
 * child changes state, or answers at once under WNOHANG.
 */
final class WaitCalls {
    static final int WNOHANG = 1, WUNTRACED = 2, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000;
    static final int WNOTHREAD = 0x20000000, WALL = 0x40000000, WCLONE = 0x80000000;
    static final int P_ALL = 0, P_PID = 1, P_PGID = 2;
    static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_STOPPED = 5, CLD_CONTINUED = 6;

    private final LinuxProcess process;

    WaitCalls(LinuxThread thread) {
        this.process = thread.process;
    }

    /** Which children a wait is for. */
    private record Selector(int idType, int id) {
        boolean matches(LinuxProcess child, LinuxProcess waiter) {
            return switch (idType) {
                case P_PID -> child.pid == id;
                case P_PGID -> child.pgid == (id == 0 ? waiter.pgid : id);
                default -> true;
            };
        }
    }

    /** A reaped (or, under WNOWAIT, looked-at) child: its pid and wait status. */
    private record Found(int pid, int status) {
    }

    SyscallOutcome wait4(SyscallTask task, long pid, long statusAddress, long options, long rusage)
            throws ErrnoException {
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE)) != 0) {
            throw new ErrnoException(EINVAL, "wait4 options 0x" + Long.toHexString(options));
        }
        int p = (int) pid;
        Selector which = p > 0 ? new Selector(P_PID, p) : p == -1 ? new Selector(P_ALL, 0)
                : new Selector(P_PGID, p == 0 ? 0 : -p);
        return waitFor(task, which, (int) options | WEXITED, false, found -> {
            if (found == null) {
                return 0;   // WNOHANG, and the children live on
            }
            if (statusAddress != 0) {
                process.memory().writeInt(statusAddress, found.status());
            }
            if (rusage != 0) {
                process.memory().write(rusage, new byte[144]);
            }
            return found.pid();
        });
    }

    SyscallOutcome waitid(SyscallTask task, long idType, long id, long infop, long options, long rusage)
            throws ErrnoException {
        if ((options & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE)) != 0
                || (options & (WEXITED | WSTOPPED | WCONTINUED)) == 0) {
            throw new ErrnoException(EINVAL, "waitid options 0x" + Long.toHexString(options));
        }
        Selector which = switch ((int) idType) {
            case P_ALL -> new Selector(P_ALL, 0);
            case P_PID -> {
                if ((int) id <= 0) {
                    throw new ErrnoException(EINVAL, "waitid P_PID " + id);
                }
                yield new Selector(P_PID, (int) id);
            }
            case P_PGID -> new Selector(P_PGID, (int) id);
            default -> throw new ErrnoException(EINVAL, "waitid id type " + idType);
        };
        return waitFor(task, which, (int) options, (options & WNOWAIT) != 0, found -> {
            if (infop != 0) {
                process.memory().write(infop, siginfo(found));
            }
            if (rusage != 0) {
                process.memory().write(rusage, new byte[144]);
            }
            return 0;
        });
    }

    /**
     * siginfo_t of a child's change: SIGCHLD, CLD_EXITED, CLD_KILLED, CLD_STOPPED or CLD_CONTINUED, its pid, uid 0,
     * its exit status or signal.
     */
    private static byte[] siginfo(Found found) {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        if (found == null) {
            return b.array();   // WNOHANG with nothing to report: si_signo and si_pid stay 0
        }
        int s = found.status(), code, value;
        if (s == StopReports.CONTINUED_STATUS) {
            code = CLD_CONTINUED;
            value = Signal.SIGCONT;
        } else if ((s & 0xFF) == 0x7F) {
            code = CLD_STOPPED;
            value = s >> 8 & 0xFF;
        } else if ((s & 0x7F) != 0) {
            code = CLD_KILLED;
            value = s & 0x7F;
        } else {
            code = CLD_EXITED;
            value = s >> 8 & 0xFF;
        }
        b.putInt(0, Signal.SIGCHLD).putInt(4, 0).putInt(8, code);
        b.putInt(16, found.pid()).putInt(20, 0).putInt(24, value);
        return b.array();
    }

    /** Writes what the call reports and answers its result; {@code found} is null under WNOHANG with nothing ended. */
    @FunctionalInterface
    private interface Report {
        long write(Found found) throws GuestAccessException;
    }

    private SyscallOutcome waitFor(SyscallTask task, Selector which, int options, boolean keep, Report report)
            throws ErrnoException {
        process.childEvents.add(task.waker());
        Found found;
        try {
            found = reap(which, options, keep);
        } catch (ErrnoException e) {
            process.childEvents.remove(task.waker());
            throw e;
        }
        if (found == null && (options & WNOHANG) == 0) {
            return new SyscallOutcome.Block(new Blocked() {
                @Override
                public SyscallOutcome resume(SyscallTask t) {
                    try {
                        return waitFor(t, which, options, keep, report);
                    } catch (ErrnoException e) {
                        return new SyscallOutcome.Return(-e.errno());
                    }
                }

                @Override
                public void cancel() {
                    process.childEvents.remove(task.waker());
                }
            });
        }
        process.childEvents.remove(task.waker());
        try {
            return new SyscallOutcome.Return(report.write(found));
        } catch (GuestAccessException e) {
            return new SyscallOutcome.Return(-org.paravane.vmm.linux.Errno.EFAULT);
        }
    }

    /**
     * The first child {@code which} selects with something {@code options} asks for: an end (the child reaped unless
     * {@code keep}), a stop or a continue (taken unless {@code keep}); null if none yet; ECHILD if no child matches.
     */
    private Found reap(Selector which, int options, boolean keep) throws ErrnoException {
        ProcessTable table = process.host.processes();
        synchronized (table) {
            boolean any = false;
            for (LinuxProcess child : process.children) {
                if (!which.matches(child, process)) {
                    continue;
                }
                any = true;
                if (child.state() == LinuxProcess.State.ZOMBIE) {
                    if ((options & WEXITED) == 0) {
                        continue;
                    }
                    Found f = new Found(child.pid, child.waitStatus());
                    if (!keep) {
                        ProcessCalls.reap(table, child);
                    }
                    return f;
                }
                int status = child.stops.take((options & WSTOPPED) != 0, (options & WCONTINUED) != 0, keep);
                if (status != -1) {
                    return new Found(child.pid, status);
                }
            }
            if (!any) {
                throw new ErrnoException(ECHILD, "no child matches");
            }
            return null;
        }
    }
}
