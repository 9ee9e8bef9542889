package org.paravane.vmm.shell;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.fs.Stat;

/**
 * The file system a Linux program will see, opened before its VM exists: the launcher finds the program in it and
 * reads it exactly as the guest would (symbolic links stay inside the root), and bad options (a root that is not a
 * directory, a mount of a missing path) are refused before anything starts.
 */
final class GuestView {
    /** The largest executable read: the loader refuses segments over 256 MiB anyway. */
    static final long MAX_EXECUTABLE = 1L << 30;

    private final ProcessFiles files;

    /** @throws CommandStatus (usage) naming the option that is wrong */
    GuestView(FileSystem.Options options) {
        FileSystem fs;
        try {
            fs = FileSystem.create(options, Console.streams(InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                    OutputStream.nullOutputStream()), new Random(0));
        } catch (IllegalArgumentException e) {
            throw CommandStatus.usage(e.getMessage());
        }
        this.files = new ProcessFiles(fs, "/", () -> "", () -> "", ProcessFiles.DEFAULT_NOFILE);
    }

    /** Whether {@code path} names a regular file the guest could open. */
    boolean isRegularFile(String path) {
        try {
            return files.stat(path).type() == Fcntl.S_IFREG;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** The contents of the regular file at {@code path}, as the guest would read them. */
    byte[] read(String path) throws ErrnoException {
        int fd = files.open(path, Fcntl.O_RDONLY, 0);
        try {
            Stat stat = files.fstat(fd);
            if (stat.type() != Fcntl.S_IFREG) {
                throw new ErrnoException(Errno.EACCES, path + " is not a regular file");
            }
            if (stat.size() > MAX_EXECUTABLE) {
                throw new ErrnoException(Errno.EFBIG, path + " is larger than " + (MAX_EXECUTABLE >> 20) + " MiB");
            }
            ByteBuffer contents = ByteBuffer.allocate((int) stat.size());
            while (contents.hasRemaining() && files.read(fd, contents) > 0) {
                // read until the end or the size stat gave
            }
            return contents.position() == contents.capacity() ? contents.array()
                    : java.util.Arrays.copyOf(contents.array(), contents.position());
        } finally {
            files.close(fd);
        }
    }
}
