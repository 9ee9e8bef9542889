package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.EBADF;
import static org.paravane.vmm.linux.Errno.EINVAL;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.paravane.vmm.linux.ErrnoException;

/** sendfile(2) between two open file descriptions, in 64 KiB steps. */
final class Sendfile {
    private Sendfile() {
    }

    /**
     * Copies up to {@code count} bytes from {@code in} (at {@code offset} when present, leaving its file offset alone;
     * at its offset otherwise) to {@code out}; what the output did not take is left in the input.
     */
    static long copy(OpenFile in, OpenFile out, OptionalLong offset, long count) throws ErrnoException {
        if (!in.readable() || !out.writable()) {
            throw new ErrnoException(EBADF, "sendfile needs a readable input and a writable output");
        }
        if (!in.seekable() || (out.statusFlags() & Fcntl.O_APPEND) != 0 || count < 0
                || offset.isPresent() && offset.getAsLong() < 0) {
            throw new ErrnoException(EINVAL, "sendfile from a stream, to an O_APPEND file or with a negative offset");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n;
            try {
                n = offset.isPresent() ? in.pread(buffer, offset.getAsLong() + done) : in.read(buffer);
            } catch (PagesAbsentException e) {
                if (done > 0) {
                    break;   // what was sent stays sent: the caller's next call waits for the page
                }
                throw e;
            }
            if (n <= 0) {
                break;
            }
            buffer.flip();
            int written;
            try {
                written = out.write(buffer);
            } catch (ErrnoException e) {
                // Nothing of this chunk went out (a full pipe, a broken one): the input gives it again next time.
                if (offset.isEmpty()) {
                    in.lseek(-n, Fcntl.SEEK_CUR);
                }
                if (done > 0) {
                    return done;
                }
                throw e;
            }
            done += written;
            if (written < n) {
                if (offset.isEmpty()) {
                    in.lseek(written - n, Fcntl.SEEK_CUR);
                }
                break;
            }
        }
        return done;
    }
}
