package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EINVAL;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;

/**
 * Clocks and sleeping. CLOCK_MONOTONIC and CLOCK_BOOTTIME count from the VM's kernel start (they keep counting across
 * a move between backends), CLOCK_REALTIME is the host's wall clock, the CPU-time clocks count the task's time on a
 * vCPU. A sleeping task leaves its vCPU ({@link SyscallOutcome.Block} with its deadline), and a signal handler
 * interrupts its sleep.
 */
final class TimeCalls {
    static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
            CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
            CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;
    static final int TIMER_ABSTIME = 1;
    static final long NANOS = 1_000_000_000L;
    /** The coarse clocks tick with the kernel's jiffies (CONFIG_HZ=250). */
    static final long COARSE_RESOLUTION = 4_000_000;
    /** CLOCK_TAI is ahead of UTC by the leap seconds so far. */
    static final long TAI_OFFSET = 37;

    private final ProcessMemory memory;

    TimeCalls(LinuxProcess process) {
        this.memory = process.memory();
    }

    /** The clock's reading in nanoseconds; EINVAL for a clock Linux does not have. */
    static long now(SyscallTask task, long clock) throws ErrnoException {
        return switch ((int) clock == clock ? (int) clock : -1) {
            case CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_REALTIME_ALARM -> realtime();
            case CLOCK_TAI -> realtime() + TAI_OFFSET * NANOS;
            case CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM ->
                    task.nanosSinceStart();
            case CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID -> task.cpuNanos();
            default -> throw new ErrnoException(EINVAL, "unknown clock " + clock);
        };
    }

    private static long realtime() {
        Instant now = Instant.now();
        return now.getEpochSecond() * NANOS + now.getNano();
    }

    long clockGettime(SyscallTask task, long clock, long tp) throws ErrnoException, GuestAccessException {
        writeTimespec(tp, now(task, clock));
        return 0;
    }

    long clockGetres(SyscallTask task, long clock, long res) throws ErrnoException, GuestAccessException {
        now(task, clock);   // EINVAL for an unknown clock
        long resolution = clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE ? COARSE_RESOLUTION : 1;
        if (res != 0) {
            writeTimespec(res, resolution);
        }
        return 0;
    }

    long gettimeofday(long tv, long tz) throws GuestAccessException {
        long now = realtime();
        if (tv != 0) {
            memory.write(tv, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(now / NANOS).putLong(now % NANOS / 1000).array());
        }
        if (tz != 0) {
            memory.write(tz, new byte[8]);   // UTC, no DST
        }
        return 0;
    }

    long time(long t) throws GuestAccessException {
        long seconds = realtime() / NANOS;
        if (t != 0) {
            memory.writeLong(t, seconds);
        }
        return seconds;
    }

    SyscallOutcome nanosleep(SyscallTask task, long req, long rem) throws ErrnoException, GuestAccessException {
        long nanos = readTimespec(req);
        return sleep(task, nanos, rem);
    }

    /**
     * Sleeps off the vCPU until {@code nanos} have passed; a signal handler interrupts it with EINTR and the remaining
     * time in {@code rem} (when not 0), as Linux's ERESTART_RESTARTBLOCK does when a handler runs.
     */
    private SyscallOutcome sleep(SyscallTask task, long nanos, long rem) {
        long now = task.nanosSinceStart();
        long deadline = nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + nanos;
        return new Sleeping(deadline, rem).resume(task);
    }

    private final class Sleeping implements Blocked {
        private final long deadline, rem;

        Sleeping(long deadline, long rem) {
            this.deadline = deadline;
            this.rem = rem;
        }

        @Override
        public SyscallOutcome resume(SyscallTask task) {
            return task.nanosSinceStart() >= deadline ? new SyscallOutcome.Return(0)
                    : new SyscallOutcome.Block(this, deadline);
        }

        @Override
        public Restart restart() {
            return Restart.NEVER;
        }

        @Override
        public void interrupted(SyscallTask task) {
            if (rem != 0) {
                try {
                    writeTimespec(rem, Math.max(0, deadline - task.nanosSinceStart()));
                } catch (GuestAccessException e) {
                    // Linux reports EFAULT here only through the call's restart block; the EINTR stands
                }
            }
        }
    }

    SyscallOutcome clockNanosleep(SyscallTask task, long clock, long flags, long req, long rem)
            throws ErrnoException, GuestAccessException {
        if (clock == CLOCK_THREAD_CPUTIME_ID) {
            throw new ErrnoException(EINVAL, "cannot sleep on the thread's own CPU clock");
        }
        long now = now(task, clock);
        long value = readTimespec(req);
        long nanos = (flags & TIMER_ABSTIME) != 0 ? Math.max(0, value - now) : value;
        return sleep(task, nanos, (flags & TIMER_ABSTIME) == 0 ? rem : 0);
    }

    private long readTimespec(long address) throws ErrnoException, GuestAccessException {
        return readTimespec(memory, address);
    }

    /** A {@code struct timespec} in nanoseconds (saturated); EINVAL when it is negative or not normalised. */
    static long readTimespec(ProcessMemory memory, long address) throws ErrnoException, GuestAccessException {
        ByteBuffer b = ByteBuffer.wrap(memory.read(address, 16)).order(ByteOrder.LITTLE_ENDIAN);
        long sec = b.getLong(), nsec = b.getLong();
        if (sec < 0 || nsec < 0 || nsec >= NANOS) {
            throw new ErrnoException(EINVAL, "timespec {" + sec + ", " + nsec + "}");
        }
        return sec > Long.MAX_VALUE / NANOS - 1 ? Long.MAX_VALUE : sec * NANOS + nsec;
    }

    void writeTimespec(long address, long nanos) throws GuestAccessException {
        memory.write(address, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(Math.floorDiv(nanos, NANOS)).putLong(Math.floorMod(nanos, NANOS)).array());
    }
}
