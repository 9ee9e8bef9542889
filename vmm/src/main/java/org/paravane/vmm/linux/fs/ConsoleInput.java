package org.paravane.vmm.linux.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;

/**
 * The caller's input stream as the VM's console input (stdin, {@code /dev/tty}): a virtual thread reads the stream
 * into a bounded buffer and wakes {@link #waiters()} when input (or its end) arrives, so a read, poll, select or
 * epoll on the console waits on that queue off its vCPU instead of blocking it or checking the stream again and
 * again. The thread starts at the first read or poll (a guest that never reads its input takes nothing from the
 * caller) and reads only while the buffer has room. Each host read is kept as one chunk and a guest read returns at
 * most one, so a terminal's lines reach the guest one read each, as its line discipline hands them over.
 *
 * <p>The end of the stream is final (a terminal's Ctrl-D ends the input for the VM). A host read in progress when the
 * VM ends takes the caller's next input with it: the stream cannot be interrupted.
 */
final class ConsoleInput {
    /** The most bytes read ahead of the guest. */
    static final int CAPACITY = 64 * 1024;
    private static final int CHUNK = 4096;

    private final InputStream in;
    private final WaitQueue waiters = new WaitQueue();
    // guarded by this
    private final Deque<byte[]> chunks = new ArrayDeque<>();
    private int buffered;
    private boolean started, ended;
    private IOException failure;

    ConsoleInput(InputStream in) {
        this.in = in;
    }

    /** Woken with POLLIN when input or the end arrives. */
    WaitQueue waiters() {
        return waiters;
    }

    /**
     * Up to {@code dst.remaining()} bytes of the oldest chunk; 0 at the end of the input; {@link WouldBlock} while
     * nothing has arrived (EAGAIN for an O_NONBLOCK descriptor, a wait on {@link #waiters()} otherwise).
     */
    synchronized int read(ByteBuffer dst) throws ErrnoException {
        start();
        if (dst.remaining() == 0) {
            return 0;
        }
        byte[] first = chunks.peekFirst();
        if (first == null) {
            if (failure != null) {
                throw new ErrnoException(Errno.EIO, "reading the caller's input: " + failure.getMessage());
            }
            if (ended) {
                return 0;
            }
            throw new WouldBlock(waiters, PollEvents.POLLIN | PollEvents.POLLHUP, "no console input yet");
        }
        int n = Math.min(first.length, dst.remaining());
        dst.put(first, 0, n);
        chunks.removeFirst();
        if (n < first.length) {
            chunks.addFirst(java.util.Arrays.copyOfRange(first, n, first.length));
        }
        buffered -= n;
        notifyAll();   // room for the reader
        return n;
    }

    /** Whether a read would not wait: input is buffered, or the input has ended or failed. Starts the reader. */
    synchronized boolean readable() {
        start();
        return buffered > 0 || ended || failure != null;
    }

    /** The bytes buffered now (FIONREAD). */
    synchronized int buffered() {
        return buffered;
    }

    private void start() {
        if (!started) {
            started = true;
            Thread.ofVirtual().name("paravane-console-input").start(this::pump);
        }
    }

    /** The reader: host stream to buffer, until the end or a failure. */
    private void pump() {
        byte[] chunk = new byte[CHUNK];
        while (true) {
            int room;
            synchronized (this) {
                while (buffered >= CAPACITY) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                room = CAPACITY - buffered;
            }
            int n;
            try {
                n = in.read(chunk, 0, Math.min(chunk.length, room));
            } catch (IOException e) {
                synchronized (this) {
                    failure = e;
                }
                waiters.wakeAll(PollEvents.POLLIN | PollEvents.POLLERR);
                return;
            }
            synchronized (this) {
                if (n < 0) {
                    ended = true;
                } else if (n > 0) {
                    chunks.addLast(java.util.Arrays.copyOf(chunk, n));
                    buffered += n;
                }
            }
            if (n != 0) {
                waiters.wakeAll(PollEvents.POLLIN | PollEvents.POLLRDNORM | (n < 0 ? PollEvents.POLLHUP : 0));
            }
            if (n < 0) {
                return;
            }
        }
    }
}
