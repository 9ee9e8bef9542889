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
 * A pipe as Linux keeps one: a ring of page-sized slots (16 by default: 64 KiB) between its read and write ends, each
 * end an open file description's contents. A write first tops up the last page with its {@code length % 4096} bytes
 * when they fit there (so small writes share a page), then fills fresh pages while slots are free; so a write of at
 * most {@link #PIPE_BUF} bytes goes in whole or not at all, and a larger one moves what fits. An empty pipe with
 * writers, or a full one with readers, would block ({@link WouldBlock} naming this pipe's queue); an empty one without
 * writers reads end of file; a write without readers is a {@link BrokenPipe}. The ends are counted per open
 * description (what fork and dup share counts once; the description closes its end with its last descriptor).
 */
public final class Pipe {
    public static final int PIPE_BUF = 4096, PAGE = 4096, DEFAULT_SIZE = 1 << 16;
    /** /proc/sys/fs/pipe-max-size's default: the most F_SETPIPE_SZ grants. */
    public static final int MAX_SIZE = 1 << 20;

    private final WaitQueue waiters = new WaitQueue();
    private byte[][] pages = new byte[DEFAULT_SIZE / PAGE][];
    private int[] offset = new int[pages.length], length = new int[pages.length];
    /** The oldest occupied slot, the number occupied, and the bytes in them. */
    private int tail, used, count;
    private int readers, writers;

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
        return pages.length * PAGE;
    }

    private boolean full() {
        return used == pages.length;
    }

    int read(ByteBuffer dst) throws ErrnoException {
        int n = 0;
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
            while (used > 0 && dst.hasRemaining()) {
                int slot = tail, take = Math.min(length[slot], dst.remaining());
                dst.put(pages[slot], offset[slot], take);
                offset[slot] += take;
                length[slot] -= take;
                n += take;
                if (length[slot] == 0) {
                    tail = (tail + 1) % pages.length;
                    used--;
                }
            }
            count -= n;
        }
        waiters.wakeAll(POLLOUT | POLLWRNORM);
        return n;
    }

    int write(ByteBuffer src) throws ErrnoException {
        int n = 0;
        synchronized (this) {
            if (readers == 0) {
                throw new BrokenPipe("no process has the pipe open for reading");
            }
            int want = src.remaining();
            if (want == 0) {
                return 0;
            }
            int chars = want % PAGE;
            if (chars != 0 && used > 0) {
                int last = (tail + used - 1) % pages.length, end = offset[last] + length[last];
                if (end + chars <= PAGE) {
                    src.get(pages[last], end, chars);
                    length[last] += chars;
                    n = chars;
                }
            }
            while (src.hasRemaining() && !full()) {
                int slot = (tail + used) % pages.length, take = Math.min(PAGE, src.remaining());
                if (pages[slot] == null) {
                    pages[slot] = new byte[PAGE];
                }
                src.get(pages[slot], 0, take);
                offset[slot] = 0;
                length[slot] = take;
                used++;
                n += take;
            }
            if (n == 0) {
                throw new WouldBlock(waiters, POLLOUT | POLLERR, "the pipe is full");
            }
            count += n;
        }
        waiters.wakeAll(POLLIN | POLLRDNORM);
        return n;
    }

    synchronized int readiness(boolean writeEnd) {
        if (writeEnd) {
            return (readers == 0 ? POLLERR : 0) | (!full() ? POLLOUT | POLLWRNORM : 0);
        }
        return (count > 0 ? POLLIN | POLLRDNORM : 0) | (writers == 0 ? POLLHUP : 0);
    }

    /** F_SETPIPE_SZ: a power of two of at least a page, at most {@link #MAX_SIZE}; EBUSY below the slots in use. */
    int resize(int size) throws ErrnoException {
        if (size > MAX_SIZE || size < 0) {
            throw new ErrnoException(size < 0 ? Errno.EINVAL : Errno.EPERM, "pipe size " + size + " is not 0.." + MAX_SIZE);
        }
        int rounded = size <= PAGE ? PAGE : Integer.highestOneBit(size - 1) << 1;
        synchronized (this) {
            int slots = rounded / PAGE;
            if (slots < used) {
                throw new ErrnoException(Errno.EBUSY, used + " pages in use do not fit in " + rounded + " bytes");
            }
            byte[][] nextPages = new byte[slots][];
            int[] nextOffset = new int[slots], nextLength = new int[slots];
            for (int i = 0; i < used; i++) {
                int from = (tail + i) % pages.length;
                nextPages[i] = pages[from];
                nextOffset[i] = offset[from];
                nextLength[i] = length[from];
            }
            pages = nextPages;
            offset = nextOffset;
            length = nextLength;
            tail = 0;
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
