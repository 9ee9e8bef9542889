package org.paravane.vmm.linux.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A read-only {@code /proc} file whose text is generated when it is opened ({@code /proc/self/maps},
 * {@code /proc/cpuinfo}); like procfs it reports size 0.
 */
final class GeneratedFile implements Node.OpenableFile {
    private final Supplier<String> text;
    private final long dev, ino;

    GeneratedFile(Supplier<String> text, long dev, long ino) {
        this.text = text;
        this.dev = dev;
        this.ino = ino;
    }

    @Override
    public Stat stat() {
        return new Stat(dev, ino, Fcntl.S_IFREG | 0444, 1, 0, 0, 0, 0, 1024, 0, 0, 0, 0);
    }

    @Override
    public FileContents open(int flags) throws ErrnoException {
        if ((flags & Fcntl.O_ACCMODE) != Fcntl.O_RDONLY) {
            throw new ErrnoException(Errno.EACCES, "proc files are read-only");
        }
        byte[] bytes = text.get().getBytes(StandardCharsets.UTF_8);
        return new FileContents() {
            @Override
            public int read(ByteBuffer dst, long position) {
                if (position >= bytes.length) {
                    return 0;
                }
                int n = (int) Math.min(dst.remaining(), bytes.length - position);
                dst.put(bytes, (int) position, n);
                return n;
            }

            @Override
            public int write(ByteBuffer src, long position) throws ErrnoException {
                throw new ErrnoException(Errno.EBADF, "proc files are read-only");
            }

            @Override
            public boolean seekable() {
                return true;
            }

            @Override
            public long size() {
                return bytes.length;
            }
        };
    }
}
