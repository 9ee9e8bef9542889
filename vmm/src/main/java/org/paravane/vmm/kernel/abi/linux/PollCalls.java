package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EBADF;
import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.fs.PollEvents.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.OpenFile;
import org.paravane.vmm.linux.fs.ProcessFiles;

/**
 * poll, ppoll, select and pselect6: the descriptors' readiness checked, and when none is ready (and the timeout has
 * not passed) the call waits on every polled file's queue ({@link CallBlocks}) until a wake or its deadline, then
 * checks again. Files without a poll method are always ready. The signal masks of ppoll and pselect6 are checked for
 * their size here and installed for the call by {@link SignalCalls#withMask}.
 */
final class PollCalls {
    static final long NANOS = 1_000_000_000L, FOREVER = Long.MAX_VALUE;
    private static final int SELECT_IN = POLLIN | POLLRDNORM | POLLHUP | POLLERR, SELECT_OUT = POLLOUT | POLLWRNORM | POLLERR,
            SELECT_EX = POLLPRI;

    private final ProcessFiles files;
    private final ProcessMemory memory;

    PollCalls(LinuxProcess process) {
        this.files = process.files;
        this.memory = process.memory();
    }

    /** The deadline on the kernel's clock {@code nanos} from now; FOREVER for a negative timeout. */
    static long deadline(SyscallTask t, long nanos) {
        if (nanos < 0) {
            return FOREVER;
        }
        long now = t.nanosSinceStart();
        return nanos > FOREVER - now ? FOREVER : now + nanos;
    }

    /** A timespec's nanoseconds, or -1 (forever) for a null pointer; EINVAL for a negative or unnormalised one. */
    long timespec(long address) throws ErrnoException, GuestAccessException {
        if (address == 0) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(memory.read(address, 16)).order(ByteOrder.LITTLE_ENDIAN);
        long sec = b.getLong(), nsec = b.getLong();
        if (sec < 0 || nsec < 0 || nsec >= NANOS) {
            throw new ErrnoException(EINVAL, "timespec {" + sec + ", " + nsec + "}");
        }
        return sec >= FOREVER / NANOS ? FOREVER - 1 : sec * NANOS + nsec;
    }

    static void checkSigsetSize(long sigmask, long size) throws ErrnoException {
        if (sigmask != 0 && size != 8) {
            throw new ErrnoException(EINVAL, "signal set of " + size + " bytes");
        }
    }

    // ---------------------------------------------------------------- poll

    /** poll(2) with the timeout in milliseconds (negative: forever). */
    long poll(SyscallTask t, long fds, long nfds, long timeoutMillis) throws ErrnoException, GuestAccessException, CallBlocks {
        int millis = (int) timeoutMillis;
        return ppoll(t, fds, nfds, millis < 0 ? -1 : millis * 1_000_000L);
    }

    /** ppoll(2) (and poll) with the timeout in nanoseconds (negative: forever). */
    long ppoll(SyscallTask t, long fds, long nfds, long timeoutNanos) throws ErrnoException, GuestAccessException, CallBlocks {
        if (nfds < 0 || nfds > files.fds().limit()) {
            throw new ErrnoException(EINVAL, "nfds " + nfds + " is above RLIMIT_NOFILE");
        }
        ByteBuffer in = ByteBuffer.wrap(memory.read(fds, (int) nfds * 8)).order(ByteOrder.LITTLE_ENDIAN);
        int[] fd = new int[(int) nfds];
        short[] events = new short[(int) nfds];
        for (int i = 0; i < nfds; i++) {
            fd[i] = in.getInt();
            events[i] = in.getShort();
            in.getShort();
        }
        long deadline = deadline(t, timeoutNanos);
        return pollOnce(t, fds, fd, events, deadline);
    }

    private long pollOnce(SyscallTask t, long fds, int[] fd, short[] events, long deadline)
            throws ErrnoException, GuestAccessException, CallBlocks {
        ByteBuffer out = ByteBuffer.allocate(fd.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        Set<WaitQueue> queues = new LinkedHashSet<>();
        int ready = 0;
        for (int i = 0; i < fd.length; i++) {
            int revents = 0;
            if (fd[i] >= 0) {
                OpenFile file = open(fd[i]);
                if (file == null) {
                    revents = POLLNVAL;
                } else {
                    revents = file.readiness() & ((events[i] & 0xffff) | POLLERR | POLLHUP);
                    if (file.waiters() != null) {
                        queues.add(file.waiters());   // a file without a queue is always ready
                    }
                }
            }
            if (revents != 0) {
                ready++;
            }
            out.putInt(fd[i]).putShort(events[i]).putShort((short) revents);
        }
        if (ready > 0 || t.nanosSinceStart() >= deadline) {
            memory.write(fds, out.array());
            return ready;
        }
        throw CallBlocks.neverRestarted(interests(queues), deadline, () -> pollOnce(t, fds, fd, events, deadline));
    }

    private OpenFile open(int fd) {
        try {
            return files.fds().get(fd);
        } catch (ErrnoException e) {
            return null;
        }
    }

    private static List<CallBlocks.Interest> interests(Set<WaitQueue> queues) {
        List<CallBlocks.Interest> list = new ArrayList<>();
        queues.forEach(q -> list.add(new CallBlocks.Interest(q, WaitQueue.ANY)));
        return list;
    }

    // ---------------------------------------------------------------- select

    /** select(2): the timeval (microseconds) is updated with the time left, as Linux does. */
    long select(SyscallTask t, long nfds, long readfds, long writefds, long exceptfds, long timeval)
            throws ErrnoException, GuestAccessException, CallBlocks {
        long timeout = -1;
        if (timeval != 0) {
            ByteBuffer b = ByteBuffer.wrap(memory.read(timeval, 16)).order(ByteOrder.LITTLE_ENDIAN);
            long sec = b.getLong(), usec = b.getLong();
            if (sec < 0 || usec < 0) {
                throw new ErrnoException(EINVAL, "timeval {" + sec + ", " + usec + "}");
            }
            long seconds = sec + usec / 1_000_000;   // Linux carries whole seconds out of tv_usec
            timeout = seconds < 0 || seconds >= FOREVER / NANOS ? FOREVER - 1 : seconds * NANOS + usec % 1_000_000 * 1000;
        }
        return pselect(t, nfds, readfds, writefds, exceptfds, timeout, timeval, false);
    }

    /** pselect6's sixth argument points to {sigset pointer, its size}: the sigset's address (checked), or 0. */
    long pselectSigset(long sigdata) throws ErrnoException, GuestAccessException {
        if (sigdata == 0) {
            return 0;
        }
        long sigset = memory.readLong(sigdata);
        checkSigsetSize(sigset, memory.readLong(sigdata + 8));
        return sigset;
    }

    /** pselect6(2) (its mask installed by the caller, {@link #pselectSigset}): a timespec that is not updated. */
    long pselect6(SyscallTask t, long nfds, long readfds, long writefds, long exceptfds, long timespec)
            throws ErrnoException, GuestAccessException, CallBlocks {
        long timeout = timespec(timespec);
        return pselect(t, nfds, readfds, writefds, exceptfds, timeout, 0, true);
    }

    private long pselect(SyscallTask t, long nfds, long readfds, long writefds, long exceptfds, long timeoutNanos,
                         long timeval, boolean nanos) throws ErrnoException, GuestAccessException, CallBlocks {
        if (nfds < 0 || nfds > Integer.MAX_VALUE) {
            throw new ErrnoException(EINVAL, "nfds " + nfds);
        }
        int n = (int) Math.min(nfds, files.fds().limit());
        int words = (n + 63) / 64;
        long[][] sets = {bits(readfds, words), bits(writefds, words), bits(exceptfds, words)};
        for (int fd = 0; fd < n; fd++) {
            if (member(sets, fd) && open(fd) == null) {
                throw new ErrnoException(EBADF, "fd " + fd + " in a select set is not open");
            }
        }
        long deadline = deadline(t, timeoutNanos);
        return selectOnce(t, n, sets, new long[] {readfds, writefds, exceptfds}, timeval, deadline);
    }

    private long selectOnce(SyscallTask t, int n, long[][] sets, long[] addresses, long timeval, long deadline)
            throws ErrnoException, GuestAccessException, CallBlocks {
        int words = (n + 63) / 64;
        long[][] result = new long[3][words];
        int[] masks = {SELECT_IN, SELECT_OUT, SELECT_EX};
        Set<WaitQueue> queues = new LinkedHashSet<>();
        int ready = 0;
        for (int fd = 0; fd < n; fd++) {
            if (!member(sets, fd)) {
                continue;
            }
            OpenFile file = open(fd);
            if (file == null) {
                throw new ErrnoException(EBADF, "fd " + fd + " was closed during select");
            }
            int readiness = file.readiness();
            for (int s = 0; s < 3; s++) {
                if (sets[s] != null && (sets[s][fd >> 6] & 1L << fd) != 0 && (readiness & masks[s]) != 0) {
                    result[s][fd >> 6] |= 1L << fd;
                    ready++;
                }
            }
            if (file.waiters() != null) {
                queues.add(file.waiters());   // a file without a queue is always ready
            }
        }
        long now = t.nanosSinceStart();
        if (ready > 0 || now >= deadline) {
            for (int s = 0; s < 3; s++) {
                if (addresses[s] != 0) {
                    ByteBuffer b = ByteBuffer.allocate(words * 8).order(ByteOrder.LITTLE_ENDIAN);
                    for (long w : result[s]) {
                        b.putLong(w);
                    }
                    memory.write(addresses[s], b.array());
                }
            }
            if (timeval != 0 && deadline != FOREVER) {
                long left = Math.max(0, deadline - now);
                memory.write(timeval, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(left / NANOS).putLong(left % NANOS / 1000).array());
            }
            return ready;
        }
        throw CallBlocks.neverRestarted(interests(queues), deadline,
                () -> selectOnce(t, n, sets, addresses, timeval, deadline));
    }

    private long[] bits(long address, int words) throws GuestAccessException {
        if (address == 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(memory.read(address, words * 8)).order(ByteOrder.LITTLE_ENDIAN);
        long[] set = new long[words];
        for (int i = 0; i < words; i++) {
            set[i] = b.getLong();
        }
        return set;
    }

    private static boolean member(long[][] sets, int fd) {
        for (long[] set : sets) {
            if (set != null && (set[fd >> 6] & 1L << fd) != 0) {
                return true;
            }
        }
        return false;
    }
}
