package org.paravane.vmm.source;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/**
 * The bytes of a file at guest-physical {@code base}: page {@code base + n * 4096} holds file bytes
 * {@code [n * 4096, n * 4096 + 4096)}, zero past the end. Reads are positional, so fetch threads share one channel.
 *
 * <p>The length is fixed when the source is opened: a file that shrinks afterwards ({@code truncate -s 0}) cannot
 * deliver the pages it lost, and reading one fails with a {@link PageSourceException} (the guest access gets a memory
 * error) rather than zeros that would pass for data.
 */
public final class FilePageSource implements PageSource, AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final long base;
    private final long fileOffset;
    private final long length;

    /** Serves {@code length} bytes of {@code file} starting at {@code fileOffset}, mapped at {@code base}. */
    public FilePageSource(Path file, long fileOffset, long length, long base) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.base = base;
        this.fileOffset = fileOffset;
        this.length = length;
    }

    public static FilePageSource whole(Path file, long base) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            return new FilePageSource(file, 0, c.size(), base);
        }
    }

    public long length() {
        return length;
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
        long offset = guestAddress - base;
        if (offset < 0) {
            throw new PageSourceException(guestAddress, "below the start of " + file + " (mapped at 0x" + Long.toHexString(base) + ")");
        }
        destination.fill((byte) 0);
        long n = Math.max(0, Math.min(destination.byteSize(), length - offset));
        try {
            // Channels read into native memory or byte arrays; other heap segments go through a byte array.
            MemorySegment target = destination.asSlice(0, n);
            MemorySegment staging = target.isNative() ? target : MemorySegment.ofArray(new byte[(int) n]);
            ByteBuffer buffer = staging.asByteBuffer();
            long position = fileOffset + offset;
            while (buffer.hasRemaining()) {
                int r = channel.read(buffer, position);
                if (r < 0) {
                    throw new PageSourceException(guestAddress, file + " now ends at byte " + channel.size()
                            + ", short of the " + (fileOffset + length) + " bytes it had when it was opened (truncated while in use?)");
                }
                position += r;
            }
            if (staging != target) {
                target.copyFrom(staging);
            }
        } catch (IOException e) {
            throw new PageSourceException(guestAddress, "reading " + file + " at offset " + (fileOffset + offset) + ": " + e, e);
        }
    }

    @Override
    public boolean isZero(long guestAddress) {
        return guestAddress - base >= length;
    }

    @Override
    public String describe() {
        return "file " + file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
