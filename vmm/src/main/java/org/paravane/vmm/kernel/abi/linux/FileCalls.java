package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EINVAL;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.PagesAbsentException;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.fs.Stat;

/**
 * The file system calls as glue over {@link ProcessFiles}: arguments read from the process's memory, results copied
 * back, data moved in bounded chunks (a 1 GiB write never sits in the kernel at once), EFAULT for bad pointers.
 */
final class FileCalls {
    /** The most one copy between the process and a file moves at once. */
    static final int CHUNK = 1 << 20;
    /** Linux's IOV_MAX. */
    static final int IOV_MAX = 1024;
    /** What one read or write transfers at most (MAX_RW_COUNT: INT_MAX rounded down to a page). */
    static final long MAX_RW_COUNT = Integer.MAX_VALUE & ~4095L;

    private final ProcessFiles files;
    private final ProcessMemory memory;

    FileCalls(LinuxProcess process) {
        this.files = process.files;
        this.memory = process.memory();
    }

    String path(long address) throws GuestAccessException, ErrnoException {
        return memory.readString(address, Fcntl.PATH_MAX);
    }

    // ---------------------------------------------------------------- data

    long read(int fd, long buf, long count) throws ErrnoException, GuestAccessException, CallBlocks {
        return transfer(fd, buf, count, OptionalLong.empty(), true);
    }

    long write(int fd, long buf, long count) throws ErrnoException, GuestAccessException, CallBlocks {
        return transfer(fd, buf, count, OptionalLong.empty(), false);
    }

    long pread(int fd, long buf, long count, long offset) throws ErrnoException, GuestAccessException, CallBlocks {
        if (offset < 0) {
            throw new ErrnoException(EINVAL, "negative offset " + offset);
        }
        return transfer(fd, buf, count, OptionalLong.of(offset), true);
    }

    long pwrite(int fd, long buf, long count, long offset) throws ErrnoException, GuestAccessException, CallBlocks {
        if (offset < 0) {
            throw new ErrnoException(EINVAL, "negative offset " + offset);
        }
        return transfer(fd, buf, count, OptionalLong.of(offset), false);
    }

    /**
     * Moves up to {@code count} bytes in chunks. A read that moves less than asked ends the call (a short read of a
     * stream, the end of a file); a write goes on until all is written or a write fails. An error after some bytes
     * moved returns what moved, as Linux does. A blocking stream that cannot go on (an empty or full pipe) makes the
     * call wait ({@link CallBlocks}), a write keeping what it already moved.
     */
    private long transfer(int fd, long buf, long count, OptionalLong offset, boolean read)
            throws ErrnoException, GuestAccessException, CallBlocks {
        files.fds().get(fd);   // EBADF before EFAULT or EINVAL, as Linux checks
        if (count < 0) {
            throw new ErrnoException(EINVAL, "count " + Long.toUnsignedString(count) + " is too large");
        }
        long total = Math.min(count, MAX_RW_COUNT);
        long done = 0;
        byte[] chunk = new byte[(int) Math.min(total, CHUNK)];
        while (done < total) {
            int n = (int) Math.min(chunk.length, total - done);
            int moved;
            try {
                if (read) {
                    ByteBuffer dst = ByteBuffer.wrap(chunk, 0, n);
                    moved = offset.isPresent() ? files.pread(fd, dst, offset.getAsLong() + done) : files.read(fd, dst);
                    if (moved > 0) {
                        memory.write(buf + done, chunk, 0, moved);
                    }
                } else {
                    byte[] src = memory.read(buf + done, n);
                    ByteBuffer b = ByteBuffer.wrap(src);
                    moved = offset.isPresent() ? files.pwrite(fd, b, offset.getAsLong() + done) : files.write(fd, b);
                }
            } catch (WouldBlock w) {
                if (done > 0 && read) {
                    return done;
                }
                long sofar = done;
                CallBlocks blocks = CallBlocks.on(w, () -> transfer(fd, buf + sofar, count - sofar, offset, read));
                throw sofar > 0 ? blocks.plus(sofar) : blocks;
            } catch (ErrnoException | GuestAccessException | PagesAbsentException e) {
                if (done > 0) {
                    return done;   // what moved; a page still to come is waited for by the next call
                }
                throw e;
            }
            if (moved <= 0) {
                break;
            }
            done += moved;
            if (read && (moved < n || !regular(fd))) {
                break;   // a stream gives what it has: do not block for more
            }
            if (!read && moved < n && files.fstat(fd).type() != Fcntl.S_IFIFO) {
                break;   // a pipe takes the rest as it drains; anything else has said how much it takes
            }
        }
        return done;
    }

    /**
     * writev of at most {@link #CHUNK} bytes: gathered into one write, so that a pipe takes up to PIPE_BUF of them
     * whole, as Linux's writev does.
     */
    private long writeGathered(int fd, byte[] data, int from) throws ErrnoException, CallBlocks {
        int done = 0;
        while (from + done < data.length) {
            int moved;
            try {
                moved = files.write(fd, ByteBuffer.wrap(data, from + done, data.length - from - done));
            } catch (WouldBlock w) {
                int sofar = done;
                CallBlocks blocks = CallBlocks.on(w, () -> writeGathered(fd, data, from + sofar));
                throw sofar > 0 ? blocks.plus(sofar) : blocks;
            } catch (ErrnoException e) {
                if (done > 0) {
                    return done;
                }
                throw e;
            }
            if (moved <= 0) {
                break;
            }
            done += moved;
        }
        return done;
    }

    private boolean regular(int fd) throws ErrnoException {
        return files.fds().get(fd).fileType() == Fcntl.S_IFREG;
    }

    /** readv and writev: the iovec array checked as Linux does, then each buffer in turn. */
    long vector(int fd, long iov, long iovcnt, boolean read) throws ErrnoException, GuestAccessException, CallBlocks {
        files.fds().get(fd);
        if (iovcnt < 0 || iovcnt > IOV_MAX) {
            throw new ErrnoException(EINVAL, "iovcnt " + iovcnt + " is not 0.." + IOV_MAX);
        }
        byte[] raw = memory.read(iov, (int) iovcnt * 16);
        ByteBuffer vec = ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] base = new long[(int) iovcnt], len = new long[(int) iovcnt];
        long sum = 0;
        for (int i = 0; i < iovcnt; i++) {
            base[i] = vec.getLong();
            len[i] = vec.getLong();
            if (len[i] < 0 || (sum += len[i]) < 0) {
                throw new ErrnoException(EINVAL, "iovec lengths overflow ssize_t");
            }
        }
        if (!read && sum <= CHUNK) {
            byte[] data = new byte[(int) sum];
            int at = 0;
            for (int i = 0; i < iovcnt; i++) {
                System.arraycopy(memory.read(base[i], (int) len[i]), 0, data, at, (int) len[i]);
                at += (int) len[i];
            }
            return writeGathered(fd, data, 0);
        }
        long done = 0;
        for (int i = 0; i < iovcnt; i++) {
            if (len[i] == 0) {
                continue;
            }
            long n;
            try {
                n = read ? read(fd, base[i], len[i]) : write(fd, base[i], len[i]);
            } catch (CallBlocks blocks) {
                if (done > 0) {
                    return done;
                }
                throw blocks;
            } catch (ErrnoException | GuestAccessException | PagesAbsentException e) {
                if (done > 0) {
                    return done;
                }
                throw e;
            }
            done += n;
            if (n < len[i]) {
                break;
            }
        }
        return done;
    }

    long sendfile(int outFd, int inFd, long offsetPtr, long count) throws ErrnoException, GuestAccessException {
        if (offsetPtr == 0) {
            return files.sendfile(outFd, inFd, OptionalLong.empty(), Math.min(count, MAX_RW_COUNT));
        }
        long offset = memory.readLong(offsetPtr);
        long n = files.sendfile(outFd, inFd, OptionalLong.of(offset), Math.min(count, MAX_RW_COUNT));
        memory.writeLong(offsetPtr, offset + n);
        return n;
    }

    /** pipe and pipe2: the two descriptors stored as {@code int[2]} at {@code fdsPtr}. */
    long pipe2(long fdsPtr, int flags) throws ErrnoException, GuestAccessException {
        int[] ends = files.pipe2(flags);
        try {
            memory.write(fdsPtr, ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(ends[0]).putInt(ends[1]).array());
        } catch (GuestAccessException e) {
            files.close(ends[0]);
            files.close(ends[1]);
            throw e;
        }
        return 0;
    }

    long getdents64(int fd, long buf, long count) throws ErrnoException, GuestAccessException {
        files.fds().get(fd);
        ByteBuffer dst = ByteBuffer.allocate((int) Math.clamp(count, 0, CHUNK));
        int n = files.getdents64(fd, dst);
        memory.write(buf, dst.array(), 0, n);
        return n;
    }

    long ioctl(int fd, int request, long arg) throws ErrnoException, GuestAccessException {
        switch (request) {
            case Fcntl.FIOCLEX, Fcntl.FIONCLEX -> {   // any descriptor: its FD_CLOEXEC
                files.fcntl(fd, Fcntl.F_SETFD, request == Fcntl.FIOCLEX ? Fcntl.FD_CLOEXEC : 0);
                return 0;
            }
            case Fcntl.FIONBIO -> {                   // any descriptor: its description's O_NONBLOCK
                boolean on = ByteBuffer.wrap(memory.read(arg, 4)).getInt() != 0;
                int flags = (int) files.fcntl(fd, Fcntl.F_GETFL, 0);
                files.fcntl(fd, Fcntl.F_SETFL, on ? flags | Fcntl.O_NONBLOCK : flags & ~Fcntl.O_NONBLOCK);
                return 0;
            }
            default -> {
            }
        }
        byte[] out = files.ioctl(fd, request);
        if (out != null && out.length > 0) {
            memory.write(arg, out);
        }
        return 0;
    }

    // ---------------------------------------------------------------- attributes and names

    long stat(Stat stat, long buf) throws GuestAccessException {
        memory.write(buf, stat.toStructStat());
        return 0;
    }

    long statx(int dirfd, long pathPtr, int flags, int mask, long buf) throws ErrnoException, GuestAccessException {
        memory.write(buf, files.statx(dirfd, path(pathPtr), flags, mask));
        return 0;
    }

    long readlinkat(int dirfd, long pathPtr, long buf, long size) throws ErrnoException, GuestAccessException {
        byte[] text = files.readlinkat(dirfd, path(pathPtr), (int) Math.clamp(size, Integer.MIN_VALUE, Fcntl.PATH_MAX));
        memory.write(buf, text);
        return text.length;
    }

    long getcwd(long buf, long size) throws ErrnoException, GuestAccessException {
        byte[] path = files.getcwd(size);
        memory.write(buf, path);
        return path.length;
    }

    long truncate(long pathPtr, long length) throws ErrnoException, GuestAccessException {
        int fd = files.open(path(pathPtr), Fcntl.O_WRONLY, 0);
        try {
            files.ftruncate(fd, length);
        } finally {
            files.close(fd);
        }
        return 0;
    }
}
