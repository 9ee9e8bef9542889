package org.paravane.vmm.linux.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A node backed by a host path. The path is only ever reached through names the resolver looked up one component
 * at a time in the guest namespace; no host call here follows a symbolic link.
 */
abstract sealed class HostNode permits HostDirectory, HostFile, HostSymlink {
    private static final String ATTRIBUTES = "unix:ino,mode,nlink,uid,gid,size,lastAccessTime,lastModifiedTime,ctime";

    final Path path;
    final long dev;

    HostNode(Path path, long dev) {
        this.path = path;
        this.dev = dev;
    }

    /** The host node at {@code path} (its last component not followed), or null when it is none we expose. */
    static HostNode at(Path path, long dev) throws ErrnoException {
        try {
            var attributes = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                return new HostSymlink(path, dev);
            }
            if (attributes.isDirectory()) {
                return new HostDirectory(path, dev);
            }
            if (attributes.isRegularFile()) {
                return new HostFile(path, dev);
            }
            // Host devices, fifos and sockets are never handed to a guest.
            return null;
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw HostErrors.of(e, path.toString());
        }
    }

    public Stat stat() throws ErrnoException {
        try {
            // Numbers only: "unix:*" would also look the owner and group names up (getpwuid, getgrgid) on every stat.
            Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            long size = (Long) a.get("size");
            return new Stat(dev, (Long) a.get("ino"), (Integer) a.get("mode"), (Integer) a.get("nlink"),
                    (Integer) a.get("uid"), (Integer) a.get("gid"), 0, size, 4096, HostBlocks.of(path, size),
                    nanos(a.get("lastAccessTime")), nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")));
        } catch (IOException | UnsupportedOperationException e) {
            throw HostErrors.of(e instanceof IOException io ? io : new IOException(e), path.toString());
        }
    }

    public void setMode(int mode) throws ErrnoException {
        try {
            Files.setPosixFilePermissions(path, Permissions.of(mode));
        } catch (IOException | UnsupportedOperationException e) {
            throw HostErrors.of(e instanceof IOException io ? io : new IOException(e), path.toString());
        }
    }

    public void setTimes(long atimeNanos, long mtimeNanos) throws ErrnoException {
        try {
            Files.getFileAttributeView(path, java.nio.file.attribute.BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).setTimes(fileTime(mtimeNanos), fileTime(atimeNanos), null);
        } catch (IOException e) {
            throw HostErrors.of(e, path.toString());
        }
    }

    /** The host time for {@code nanos}, null (leave it) for {@link Node#KEEP_TIME}. */
    private static FileTime fileTime(long nanos) {
        return nanos == Node.KEEP_TIME ? null
                : FileTime.from(java.time.Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                        Math.floorMod(nanos, 1_000_000_000L)));
    }

    private static long nanos(Object time) {
        var instant = ((FileTime) time).toInstant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
