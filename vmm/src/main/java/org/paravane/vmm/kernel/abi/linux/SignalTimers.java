package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EAGAIN;
import static org.paravane.vmm.linux.Errno.EINVAL;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;
import org.paravane.vmm.linux.signal.ThreadSignals;

/**
 * A process's timers that post signals: ITIMER_REAL (setitimer, getitimer, alarm: SIGALRM) and the POSIX timers
 * (timer_create with SIGEV_SIGNAL, SIGEV_THREAD_ID or SIGEV_NONE on CLOCK_REALTIME, CLOCK_MONOTONIC or
 * CLOCK_BOOTTIME). They run on the kernel's clock ({@link SyscallTask#nanosSinceStart}) and its timer thread; an
 * absolute CLOCK_REALTIME expiry is turned into a delay when it is set. Cancelled when the process ends.
 */
final class SignalTimers {
    static final int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
    static final int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;
    /** Timers per process, like the pending-signal limit that bounds them on Linux. */
    static final int MAX_TIMERS = 1024;
    private static final long NANOS = TimeCalls.NANOS;

    private final LinuxProcess process;
    /** The kernel's clock and timer thread, through the task of the last timer call (any task's view reaches them). */
    private volatile SyscallTask clock;
    private final Timer real;
    private final Map<Integer, Timer> posix = new HashMap<>();
    private int nextId;

    SignalTimers(LinuxProcess process) {
        this.process = process;
        this.real = new Timer(null, SigInfo.sent(Signal.SIGALRM, SigInfo.SI_KERNEL, 0, 0),
                TimeCalls.CLOCK_MONOTONIC);
    }

    private SyscallTask clock() {
        return clock;
    }

    private void use(SyscallTask task) {
        clock = task;
    }

    /** One timer: the next expiry on the kernel clock (0: disarmed), its interval, what it posts where. */
    private final class Timer {
        private final ThreadSignals target;
        private final SigInfo info;
        private final long clockId;
        private long expiry, interval;
        private Runnable cancel = () -> {
        };

        Timer(ThreadSignals target, SigInfo info, long clockId) {
            this.target = target;
            this.info = info;
            this.clockId = clockId;
        }

        synchronized void arm(long value, long intervalNanos) {
            cancel.run();
            interval = intervalNanos;
            expiry = value == 0 ? 0 : clock().nanosSinceStart() + value;
            schedule();
        }

        private void schedule() {
            if (expiry != 0) {
                long at = expiry;
                cancel = clock().schedule(at - clock().nanosSinceStart(), () -> fire(at));
            }
        }

        private synchronized void fire(long at) {
            if (expiry != at) {
                return;   // re-armed or disarmed since
            }
            if (info != null) {
                if (target != null) {
                    target.post(info);
                } else {
                    process.signals.post(info);
                }
            }
            expiry = interval == 0 ? 0 : Math.max(at + interval, clock().nanosSinceStart());
            schedule();
        }

        synchronized long remaining() {
            return expiry == 0 ? 0 : Math.max(1, expiry - clock().nanosSinceStart());
        }

        synchronized long interval() {
            return interval;
        }

        synchronized void stop() {
            cancel.run();
            expiry = 0;
        }
    }

    long alarm(SyscallTask task, long seconds) {
        use(task);
        long left = real.remaining();
        real.arm(Math.min(seconds & 0xFFFFFFFFL, Long.MAX_VALUE / NANOS) * NANOS, 0);
        return left == 0 ? 0 : (left + NANOS / 2) / NANOS == 0 ? 1 : (left + NANOS / 2) / NANOS;
    }

    long setitimer(SyscallTask task, long which, long value, long oldValue) throws ErrnoException, GuestAccessException {
        use(task);
        Timer t = itimer(which);
        if (oldValue != 0) {
            writeItimerval(oldValue, t);
        }
        if (value != 0) {
            ByteBuffer b = ByteBuffer.wrap(process.memory().read(value, 32)).order(ByteOrder.LITTLE_ENDIAN);
            long interval = timeval(b.getLong(), b.getLong()), initial = timeval(b.getLong(), b.getLong());
            t.arm(initial, interval);
        } else {
            t.stop();
        }
        return 0;
    }

    long getitimer(SyscallTask task, long which, long value) throws ErrnoException, GuestAccessException {
        use(task);
        writeItimerval(value, itimer(which));
        return 0;
    }

    private Timer itimer(long which) throws ErrnoException {
        if (which != ITIMER_REAL) {
            throw new ErrnoException(EINVAL, "interval timer " + which + (which == ITIMER_VIRTUAL || which == ITIMER_PROF
                    ? " (the CPU-time timers are not kept)" : ""));
        }
        return real;
    }

    private static long timeval(long sec, long usec) throws ErrnoException {
        if (sec < 0 || usec < 0 || usec >= 1_000_000) {
            throw new ErrnoException(EINVAL, "timeval {" + sec + ", " + usec + "}");
        }
        return sec > Long.MAX_VALUE / NANOS - 1 ? Long.MAX_VALUE / 2 : sec * NANOS + usec * 1000;
    }

    private void writeItimerval(long address, Timer t) throws GuestAccessException {
        long interval = t.interval(), left = t.remaining();
        process.memory().write(address, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(interval / NANOS).putLong(interval % NANOS / 1000)
                .putLong(left / NANOS).putLong((left % NANOS + 999) / 1000).array());
    }

    private ThreadSignals threadOf(int tid) {
        synchronized (process.host.processes()) {
            return process.threads().stream().filter(t -> t.tid == tid).map(t -> t.signals).findFirst().orElse(null);
        }
    }

    long timerCreate(SyscallTask task, long clockId, long sevp, long timerId, ThreadSignals self)
            throws ErrnoException, GuestAccessException {
        use(task);
        if (clockId != TimeCalls.CLOCK_REALTIME && clockId != TimeCalls.CLOCK_MONOTONIC && clockId != TimeCalls.CLOCK_BOOTTIME) {
            throw new ErrnoException(EINVAL, "timers on clock " + clockId + " are not kept");
        }
        synchronized (posix) {
            if (posix.size() >= MAX_TIMERS) {
                throw new ErrnoException(EAGAIN, "more than " + MAX_TIMERS + " timers");
            }
            int id = nextId;
            int notify = SIGEV_SIGNAL, signo = Signal.SIGALRM;
            long value = id;
            ThreadSignals target = null;
            if (sevp != 0) {
                ByteBuffer b = ByteBuffer.wrap(process.memory().read(sevp, 24)).order(ByteOrder.LITTLE_ENDIAN);
                value = b.getLong();
                signo = b.getInt();
                notify = b.getInt();
                int tid = b.getInt();
                if (notify == SIGEV_THREAD_ID) {
                    target = threadOf(tid);
                    if (target == null) {
                        throw new ErrnoException(EINVAL, "SIGEV_THREAD_ID names thread " + tid + ", not one of "
                                + process + "'s");
                    }
                } else if (notify != SIGEV_SIGNAL && notify != SIGEV_NONE) {
                    throw new ErrnoException(EINVAL, "sigevent notify " + notify + (notify == SIGEV_THREAD
                            ? " (SIGEV_THREAD is libc's, made of SIGEV_THREAD_ID)" : ""));
                }
                if (notify != SIGEV_NONE && !Signal.valid(signo)) {
                    throw new ErrnoException(EINVAL, "sigevent signal " + signo);
                }
            }
            process.memory().writeInt(timerId, id);
            nextId++;
            posix.put(id, new Timer(target, notify == SIGEV_NONE ? null : SigInfo.timer(signo, id, 0, value), clockId));
            return 0;
        }
    }

    private Timer posix(long id) throws ErrnoException {
        synchronized (posix) {
            Timer t = (int) id == id ? posix.get((int) id) : null;
            if (t == null) {
                throw new ErrnoException(EINVAL, "no timer " + id);
            }
            return t;
        }
    }

    long timerSettime(SyscallTask task, long id, long flags, long value, long oldValue)
            throws ErrnoException, GuestAccessException {
        use(task);
        Timer t = posix(id);
        ByteBuffer b = ByteBuffer.wrap(process.memory().read(value, 32)).order(ByteOrder.LITTLE_ENDIAN);
        long interval = timespec(b.getLong(), b.getLong()), initial = timespec(b.getLong(), b.getLong());
        if (oldValue != 0) {
            writeItimerspec(oldValue, t);
        }
        if ((flags & TimeCalls.TIMER_ABSTIME) != 0 && initial != 0) {
            initial = Math.max(1, initial - TimeCalls.now(task, t.clockId));
        }
        t.arm(initial, interval);
        return 0;
    }

    long timerGettime(SyscallTask task, long id, long value) throws ErrnoException, GuestAccessException {
        use(task);
        writeItimerspec(value, posix(id));
        return 0;
    }

    long timerDelete(long id) throws ErrnoException {
        Timer t = posix(id);
        t.stop();
        synchronized (posix) {
            posix.remove((int) id);
        }
        return 0;
    }

    long timerGetoverrun(long id) throws ErrnoException {
        posix(id);
        return 0;
    }

    private static long timespec(long sec, long nsec) throws ErrnoException {
        if (sec < 0 || nsec < 0 || nsec >= NANOS) {
            throw new ErrnoException(EINVAL, "timespec {" + sec + ", " + nsec + "}");
        }
        return sec > Long.MAX_VALUE / NANOS - 1 ? Long.MAX_VALUE / 2 : sec * NANOS + nsec;
    }

    private void writeItimerspec(long address, Timer t) throws GuestAccessException {
        long interval = t.interval(), left = t.remaining();
        process.memory().write(address, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(interval / NANOS).putLong(interval % NANOS).putLong(left / NANOS).putLong(left % NANOS).array());
    }

    /** The process ended: no timer fires any more. */
    void cancelAll() {
        real.stop();
        deletePosixTimers();
    }

    /** execve: POSIX timers are deleted; the interval timer (and alarm) carries over, as on Linux. */
    void deletePosixTimers() {
        synchronized (posix) {
            posix.values().forEach(Timer::stop);
            posix.clear();
        }
    }
}
