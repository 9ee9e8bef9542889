package org.paravane.vmm.linux.fs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A character device over the caller's streams: stdin (its {@link ConsoleInput}), stdout, stderr and {@code
 * /dev/tty}. The streams belong to the caller and are never closed by the guest; positions mean nothing (lseek
 * gives ESPIPE).
 */
final class StreamFile implements Node.OpenableFile {
    private final ConsoleInput in;
    private final OutputStream out;
    private final boolean terminal;
    private final long ino, rdev, dev;

    StreamFile(ConsoleInput in, OutputStream out, boolean terminal, long dev, long ino, long rdev) {
        this.in = in;
        this.out = out;
        this.terminal = terminal;
        this.dev = dev;
        this.ino = ino;
        this.rdev = rdev;
    }

    @Override
    public Stat stat() {
        int mode = terminal ? Fcntl.S_IFCHR | 0620 : Fcntl.S_IFIFO | 0600;
        return new Stat(dev, ino, mode, 1, 0, 0, terminal ? rdev : 0, 0, 4096, 0, 0, 0, 0);
    }

    @Override
    public FileContents open(int flags) {
        return new FileContents() {
            @Override
            public int read(ByteBuffer dst, long position) throws ErrnoException {
                if (in == null) {
                    throw new ErrnoException(Errno.EBADF, "no input stream");
                }
                return in.read(dst);
            }

            @Override
            public int write(ByteBuffer src, long position) throws ErrnoException {
                if (out == null) {
                    throw new ErrnoException(Errno.EBADF, "no output stream");
                }
                try {
                    int n = src.remaining();
                    // In chunks: a guest writing a gigabyte at once must not need a gigabyte of heap here.
                    byte[] chunk = new byte[Math.min(n, 1 << 16)];
                    while (src.hasRemaining()) {
                        int len = Math.min(chunk.length, src.remaining());
                        src.get(chunk, 0, len);
                        out.write(chunk, 0, len);
                    }
                    out.flush();
                    return n;
                } catch (IOException e) {
                    throw new ErrnoException(Errno.EPIPE, "writing the caller's output: " + e.getMessage());
                }
            }

            @Override
            public boolean seekable() {
                return false;
            }

            @Override
            public boolean terminal() {
                return terminal;
            }

            /**
             * The input is readable when the caller's input has arrived (or ended), which wakes {@link #waiters()};
             * a terminal is writable too. Output streams are always ready.
             */
            @Override
            public int readiness() {
                if (in == null) {
                    return PollEvents.ALWAYS;
                }
                return (in.readable() ? PollEvents.POLLIN | PollEvents.POLLRDNORM : 0)
                        | (terminal ? PollEvents.POLLOUT | PollEvents.POLLWRNORM : 0);
            }

            @Override
            public WaitQueue waiters() {
                return in == null ? null : in.waiters();
            }

            @Override
            public int unread() {
                return in == null ? -1 : in.buffered();
            }
        };
    }
}
