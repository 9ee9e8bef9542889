package org.paravane.vmm.linux.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.paravane.vmm.linux.ErrnoException;

/** A host regular file, opened without following a symbolic link in its last component. */
final class HostFile extends HostNode implements Node.OpenableFile {
    HostFile(Path path, long dev) {
        super(path, dev);
    }

    @Override
    public FileContents open(int flags) throws ErrnoException {
        Set<OpenOption> options = new HashSet<>();
        options.add(LinkOption.NOFOLLOW_LINKS);
        int access = flags & Fcntl.O_ACCMODE;
        if (access == Fcntl.O_RDONLY || access == Fcntl.O_RDWR) {
            options.add(StandardOpenOption.READ);
        }
        if (access == Fcntl.O_WRONLY || access == Fcntl.O_RDWR) {
            options.add(StandardOpenOption.WRITE);
        }
        try {
            FileChannel channel = FileChannel.open(path, options);
            return new ChannelContents(channel, path.toString());
        } catch (IOException e) {
            throw HostErrors.of(e, path.toString());
        }
    }

    private record ChannelContents(FileChannel channel, String name) implements FileContents {
        @Override
        public int read(ByteBuffer dst, long position) throws ErrnoException {
            try {
                return Math.max(0, channel.read(dst, position));
            } catch (IOException e) {
                throw HostErrors.of(e, name);
            }
        }

        @Override
        public int write(ByteBuffer src, long position) throws ErrnoException {
            try {
                return channel.write(src, position);
            } catch (IOException e) {
                throw HostErrors.of(e, name);
            }
        }

        @Override
        public boolean seekable() {
            return true;
        }

        @Override
        public long size() throws ErrnoException {
            try {
                return channel.size();
            } catch (IOException e) {
                throw HostErrors.of(e, name);
            }
        }

        @Override
        public void truncate(long size) throws ErrnoException {
            try {
                if (size < channel.size()) {
                    channel.truncate(size);
                } else if (size > channel.size()) {
                    channel.write(ByteBuffer.allocate(1), size - 1);
                }
            } catch (IOException e) {
                throw HostErrors.of(e, name);
            }
        }

        @Override
        public void sync() throws ErrnoException {
            try {
                channel.force(true);
            } catch (IOException e) {
                throw HostErrors.of(e, name);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing the guest could do about it: close(2) on Linux has already released the descriptor.
            }
        }
    }
}
