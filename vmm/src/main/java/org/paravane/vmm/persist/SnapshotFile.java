package org.paravane.vmm.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file a snapshot is being written to: a locked temporary next to the target, moved over it atomically when the
 * snapshot is complete and deleted otherwise, so the previous snapshot stays intact until the new one replaces it.
 *
 * <p>The target must be a new path, an earlier snapshot (its magic is checked), an empty file, or — with
 * {@code force} — any regular file; directories, devices, pipes and sockets are never replaced. The temporary has a
 * fixed name per target ({@link #temporaryFor}); one left by a writer that was killed is no longer locked, and the next
 * snapshot to the same path takes it over. A temporary that is locked belongs to a live writer and is left alone.
 */
final class SnapshotFile implements AutoCloseable {
    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean committed;

    private SnapshotFile(Path target, Path temporary, FileChannel channel, FileLock lock) {
        this.target = target;
        this.temporary = temporary;
        this.channel = channel;
        this.lock = lock;
    }

    /** The temporary a snapshot to {@code file} is written to, hidden next to it. */
    static Path temporaryFor(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".paravane-partial");
    }

    /**
     * Opens the temporary for a snapshot to {@code file}.
     *
     * @throws IllegalArgumentException when {@code file} may not be replaced (the message says why)
     * @throws IllegalStateException    when another snapshot to {@code file} is being written
     */
    static SnapshotFile create(Path file, boolean force) throws IOException {
        if (file.toString().isBlank() || file.getFileName() == null) {
            throw new IllegalArgumentException("the snapshot file name is empty");
        }
        Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();   // a link: replace what it names
        if (Files.exists(target)) {
            if (Files.isDirectory(target)) {
                throw notReplaceable(file, "a directory");
            }
            if (!Files.isRegularFile(target)) {
                throw notReplaceable(file, "a device, pipe or socket");
            }
            if (!force && Files.size(target) > 0 && !isSnapshot(target)) {
                throw new IllegalArgumentException(file + " exists and is not a Paravane snapshot; give --force to replace it");
            }
        }
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            throw new IllegalArgumentException("cannot write " + file + ": directory " + parent + " does not exist");
        }
        Path temporary = temporaryFor(target);
        if (Files.exists(temporary, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(temporary, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("cannot write " + file + ": " + temporary + ", where it would be written first,"
                    + " is not a regular file");
        }
        FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new IllegalStateException("another snapshot to " + file + " is being written");
            }
            channel.truncate(0);   // a stale temporary from a killed writer
            return new SnapshotFile(target, temporary, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            return null;
        }
    }

    private static IllegalArgumentException notReplaceable(Path file, String what) {
        return new IllegalArgumentException(file + " is " + what + ": a snapshot is written to a new path or over a regular file");
    }

    private static boolean isSnapshot(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (magic.hasRemaining() && in.read(magic) >= 0) {
                // a regular file delivers what it has
            }
            return !magic.hasRemaining() && magic.getLong(0) == Snapshot.MAGIC;
        }
    }

    FileChannel channel() {
        return channel;
    }

    Path target() {
        return target;
    }

    /** Makes the written snapshot durable and moves it over the target. */
    void commit() throws IOException {
        channel.force(true);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    /** Releases the temporary; before {@link #commit} it is deleted (the target is untouched). */
    @Override
    public void close() throws IOException {
        try {
            if (!committed) {
                Files.deleteIfExists(temporary);   // still ours: the lock is held until after the delete
            }
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
