package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EINVAL;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.OpenFile;
import org.paravane.vmm.linux.fs.PollEvents;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.fs.eventfd.EventFd;
import org.paravane.vmm.linux.fs.poll.Epoll;

/**
 * epoll_create/epoll_create1, epoll_ctl, epoll_wait/epoll_pwait/epoll_pwait2 over {@link Epoll}, and eventfd/eventfd2
 * over {@link EventFd}: arguments read from the process's memory, {@code struct epoll_event} (packed, 12 bytes on
 * x86-64) copied in and out, the wait through {@link CallBlocks} on the instance's queue.
 */
final class EpollCalls {
    static final int EPOLL_EVENT_SIZE = 12;

    private final ProcessFiles files;
    private final ProcessMemory memory;

    EpollCalls(LinuxProcess process) {
        this.files = process.files;
        this.memory = process.memory();
    }

    long epollCreate1(int flags) throws ErrnoException {
        if ((flags & ~Fcntl.O_CLOEXEC) != 0) {
            throw new ErrnoException(EINVAL, "epoll_create1 flags 0x" + Integer.toHexString(flags));
        }
        return files.installAnonymous("eventpoll", new Epoll(), Fcntl.O_RDWR | flags);
    }

    long epollCreate(int size) throws ErrnoException {
        if (size <= 0) {
            throw new ErrnoException(EINVAL, "epoll_create size " + size);
        }
        return epollCreate1(0);
    }

    private Epoll epoll(int epfd) throws ErrnoException {
        if (files.fds().get(epfd).contents() instanceof Epoll e) {
            return e;
        }
        throw new ErrnoException(EINVAL, "fd " + epfd + " is not an epoll instance");
    }

    long epollCtl(int epfd, int op, int fd, long event) throws ErrnoException, GuestAccessException {
        OpenFile epollFile = files.fds().get(epfd);
        OpenFile target = files.fds().get(fd);
        Epoll epoll = epoll(epfd);
        if (epfd == fd) {
            throw new ErrnoException(EINVAL, "an epoll instance cannot watch itself");
        }
        int events = 0;
        long data = 0;
        if (op != Epoll.EPOLL_CTL_DEL) {
            ByteBuffer b = ByteBuffer.wrap(memory.read(event, EPOLL_EVENT_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
            events = b.getInt();
            data = b.getLong();
        }
        if (epollFile == target) {
            throw new ErrnoException(EINVAL, "an epoll instance cannot watch itself");
        }
        epoll.ctl(op, fd, target, events, data);
        return 0;
    }

    /** epoll_wait and epoll_pwait (timeout in milliseconds, negative: forever), epoll_pwait2 (in nanoseconds). */
    long epollWait(SyscallTask t, int epfd, long events, int maxEvents, long timeoutNanos)
            throws ErrnoException, GuestAccessException, CallBlocks {
        if (maxEvents <= 0 || maxEvents > Integer.MAX_VALUE / EPOLL_EVENT_SIZE) {
            throw new ErrnoException(EINVAL, "maxevents " + maxEvents);
        }
        Epoll epoll = epoll(epfd);
        return waitOnce(t, epoll, events, maxEvents, PollCalls.deadline(t, timeoutNanos));
    }

    private long waitOnce(SyscallTask t, Epoll epoll, long events, int maxEvents, long deadline)
            throws GuestAccessException, CallBlocks {
        List<Epoll.Event> ready = epoll.collect(maxEvents);
        if (!ready.isEmpty() || t.nanosSinceStart() >= deadline) {
            ByteBuffer out = ByteBuffer.allocate(ready.size() * EPOLL_EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ready.forEach(e -> out.putInt(e.events()).putLong(e.data()));
            memory.write(events, out.array());
            return ready.size();
        }
        throw CallBlocks.neverRestarted(List.of(new CallBlocks.Interest(epoll.waiters(), PollEvents.POLLIN)), deadline,
                () -> waitOnce(t, epoll, events, maxEvents, deadline));
    }

    /** eventfd2(2) (eventfd is it without flags): EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC. */
    long eventfd2(long initial, int flags) throws ErrnoException {
        if ((flags & ~(EventFd.EFD_SEMAPHORE | Fcntl.O_NONBLOCK | Fcntl.O_CLOEXEC)) != 0) {
            throw new ErrnoException(EINVAL, "eventfd2 flags 0x" + Integer.toHexString(flags));
        }
        EventFd counter = new EventFd(initial & 0xffffffffL, (flags & EventFd.EFD_SEMAPHORE) != 0);
        return files.installAnonymous("eventfd", counter,
                Fcntl.O_RDWR | flags & (Fcntl.O_NONBLOCK | Fcntl.O_CLOEXEC));
    }
}
