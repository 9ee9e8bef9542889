package org.paravane.vmm.linux.fs.pipe;

import static org.paravane.vmm.linux.fs.PollEvents.*;

import java.nio.ByteBuffer;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.BrokenPipe;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.FileContents;

/**
 * A pipe: a ring buffer (64 KiB by default) between its read and write ends, each end an open file description's
 * contents. Writes of at most {@link #PIPE_BUF} bytes go in whole or not at all; larger ones move what fits. An empty
 * pipe with writers, or a full one with readers, would block ({@link WouldBlock} naming this pipe's queue); an empty
 * one without writers reads end of file; a write without readers is a {@link BrokenPipe}. The ends are counted per
 * open description (what fork and dup share counts once; the description closes its end with its last descriptor).
 */
public final class Pipe {
    public static final int PIPE_BUF = 4096, DEFAULT_SIZE = 1 << 16;
    /** /proc/sys/fs/pipe-max-size's default: the most F_SETPIPE_SZ grants. */
    public static final int MAX_SIZE = 1 << 20;

    private final WaitQueue waiters = new WaitQueue();
    private byte[] ring = new byte[DEFAULT_SIZE];
    private int head, count, readers, writers;

    /** The read end: one more reader until its {@code close}. */
    public synchronized FileContents reader() {
        readers++;
        return new End(false);
    }

    /** The write end: one more writer until its {@code close}. */
    public synchronized FileContents writer() {
        writers++;
        return new End(true);
    }

    /** Bytes buffered now. */
    public synchronized int buffered() {
        return count;
    }

    public synchronized int capacity() {
        return ring.length;
    }

    int read(ByteBuffer dst) throws ErrnoException {
        int n;
        synchronized (this) {
            if (dst.remaining() == 0) {
                return 0;
            }
            if (count == 0) {
                if (writers == 0) {
                    return 0;
                }
                throw new WouldBlock(waiters, POLLIN | POLLHUP, "the pipe is empty");
            }
            n = Math.min(count, dst.remaining());
            int first = Math.min(n, ring.length - head);
            dst.put(ring, head, first).put(ring, 0, n - first);
            head = (head + n) % ring.length;
            count -= n;
            if (count == 0) {
                head = 0;
            }
        }
        waiters.wakeAll(POLLOUT | POLLWRNORM);
        return n;
    }

    int write(ByteBuffer src) throws ErrnoException {
        int n;
        synchronized (this) {
            if (readers == 0) {
                throw new BrokenPipe("no process has the pipe open for reading");
            }
            int want = src.remaining(), free = ring.length - count;
            if (want == 0) {
                return 0;
            }
            if (want <= PIPE_BUF ? free < want : free == 0) {
                throw new WouldBlock(waiters, POLLOUT | POLLERR, "the pipe is full");
            }
            n = Math.min(want, free);
            int tail = (head + count) % ring.length;
            int first = Math.min(n, ring.length - tail);
            src.get(ring, tail, first).get(ring, 0, n - first);
            count += n;
        }
        waiters.wakeAll(POLLIN | POLLRDNORM);
        return n;
    }

    synchronized int readiness(boolean writeEnd) {
        if (writeEnd) {
            return (readers == 0 ? POLLERR : 0) | (ring.length - count >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0);
        }
        return (count > 0 ? POLLIN | POLLRDNORM : 0) | (writers == 0 ? POLLHUP : 0);
    }

    /** F_SETPIPE_SZ: a power of two of at least a page, at most {@link #MAX_SIZE}; EBUSY below what is buffered. */
    int resize(int size) throws ErrnoException {
        if (size > MAX_SIZE || size < 0) {
            throw new ErrnoException(size < 0 ? Errno.EINVAL : Errno.EPERM, "pipe size " + size + " is not 0.." + MAX_SIZE);
        }
        int rounded = Math.max(PIPE_BUF, Integer.highestOneBit(Math.max(1, size - 1)) << 1);
        if (size <= PIPE_BUF) {
            rounded = PIPE_BUF;
        }
        synchronized (this) {
            if (rounded < count) {
                throw new ErrnoException(Errno.EBUSY, count + " bytes buffered do not fit in " + rounded);
            }
            byte[] next = new byte[rounded];
            int first = Math.min(count, ring.length - head);
            System.arraycopy(ring, head, next, 0, first);
            System.arraycopy(ring, 0, next, first, count - first);
            ring = next;
            head = 0;
        }
        waiters.wakeAll(POLLOUT | POLLWRNORM);
        return rounded;
    }

    private void closed(boolean writeEnd) {
        synchronized (this) {
            if (writeEnd) {
                writers--;
            } else {
                readers--;
            }
        }
        // Readers see end of file (POLLHUP), writers a broken pipe (POLLERR).
        waiters.wakeAll(writeEnd ? POLLIN | POLLHUP : POLLOUT | POLLERR);
    }

    /** One end as an open file description sees it. */
    private final class End implements FileContents {
        private final boolean writeEnd;
        private boolean open = true;

        End(boolean writeEnd) {
            this.writeEnd = writeEnd;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws ErrnoException {
            if (writeEnd) {
                throw new ErrnoException(Errno.EBADF, "the write end of a pipe");
            }
            return Pipe.this.read(dst);
        }

        @Override
        public int write(ByteBuffer src, long position) throws ErrnoException {
            if (!writeEnd) {
                throw new ErrnoException(Errno.EBADF, "the read end of a pipe");
            }
            return Pipe.this.write(src);
        }

        @Override
        public boolean seekable() {
            return false;
        }

        @Override
        public int readiness() {
            return Pipe.this.readiness(writeEnd);
        }

        @Override
        public WaitQueue waiters() {
            return waiters;
        }

        @Override
        public int unread() {
            return buffered();
        }

        @Override
        public int pipeSize(int newSize) throws ErrnoException {
            return newSize < 0 ? capacity() : resize(newSize);
        }

        @Override
        public void close() {
            synchronized (this) {
                if (!open) {
                    return;
                }
                open = false;
            }
            closed(writeEnd);
        }
    }
}
