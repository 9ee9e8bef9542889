package org.paravane.vmm.linux.fs.eventfd;

import static org.paravane.vmm.linux.fs.PollEvents.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.FileContents;

/**
 * eventfd(2): an unsigned 64-bit counter. A read takes the whole count (one with EFD_SEMAPHORE) and would block at
 * zero; a write adds to it and would block where the sum would pass 2^64 - 2. Reads and writes move exactly 8 bytes
 * (EINVAL for less); writing 2^64 - 1 is EINVAL.
 */
public final class EventFd implements FileContents {
    public static final int EFD_SEMAPHORE = 1;
    /** The largest count: 2^64 - 2, as an unsigned long. */
    static final long MAX = 0xfffffffffffffffeL;

    private final WaitQueue waiters = new WaitQueue();
    private final boolean semaphore;
    private long count;

    public EventFd(long initial, boolean semaphore) {
        this.count = initial;
        this.semaphore = semaphore;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws ErrnoException {
        if (dst.remaining() < 8) {
            throw new ErrnoException(Errno.EINVAL, "an eventfd read needs 8 bytes, not " + dst.remaining());
        }
        long value;
        synchronized (this) {
            if (count == 0) {
                throw new WouldBlock(waiters, POLLIN, "the eventfd's count is zero");
            }
            value = semaphore ? 1 : count;
            count -= value;
        }
        dst.order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        waiters.wakeAll(POLLOUT | POLLWRNORM);
        return 8;
    }

    @Override
    public int write(ByteBuffer src, long position) throws ErrnoException {
        if (src.remaining() < 8) {
            throw new ErrnoException(Errno.EINVAL, "an eventfd write needs 8 bytes, not " + src.remaining());
        }
        long value = src.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (value == -1L) {
            throw new ErrnoException(Errno.EINVAL, "0xffffffffffffffff cannot be added to an eventfd");
        }
        synchronized (this) {
            if (Long.compareUnsigned(value, MAX - count) > 0) {
                throw new WouldBlock(waiters, POLLOUT, "the eventfd's count would overflow");
            }
            count += value;
        }
        src.position(src.position() + 8);
        if (value != 0) {
            waiters.wakeAll(POLLIN | POLLRDNORM);
        }
        return 8;
    }

    @Override
    public boolean seekable() {
        return false;
    }

    @Override
    public synchronized int readiness() {
        return (count != 0 ? POLLIN | POLLRDNORM : 0) | (Long.compareUnsigned(count, MAX) < 0 ? POLLOUT | POLLWRNORM : 0);
    }

    @Override
    public WaitQueue waiters() {
        return waiters;
    }

    /** The count now (for /proc/self/fdinfo and tests). */
    public synchronized long count() {
        return count;
    }
}
