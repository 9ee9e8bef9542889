package org.paravane.vmm.linux.fs;

import java.util.List;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A file system object a path can name: a directory, a file that can be opened (regular files and devices) or a
 * symbolic link. Whether writes are allowed is the mount's business ({@link Mount#readOnly()}), not the node's.
 */
public sealed interface Node permits Node.Directory, Node.OpenableFile, Node.Symlink {

    Stat stat() throws ErrnoException;

    /**
     * Sets the access and modification times (nanoseconds since the epoch; {@link #KEEP_TIME} leaves one alone) as
     * utimensat(2) does. Nodes whose times are not theirs to keep (devices, generated and synthetic files) refuse.
     */
    default void setTimes(long atimeNanos, long mtimeNanos) throws ErrnoException {
        throw new ErrnoException(org.paravane.vmm.linux.Errno.EPERM, "the times of this file cannot be set");
    }

    /** Sets the permission bits (the low 12 of {@code mode}) as chmod(2) does; nodes that keep none refuse. */
    default void setMode(int mode) throws ErrnoException {
        throw new ErrnoException(org.paravane.vmm.linux.Errno.EPERM, "the mode of this file cannot be changed");
    }

    /** A time {@link #setTimes} leaves as it is (utimensat's UTIME_OMIT). */
    long KEEP_TIME = Long.MIN_VALUE;

    /** A directory: names to nodes, without {@code .} and {@code ..} (the resolver handles those). */
    non-sealed interface Directory extends Node {
        /** The node called {@code name} (one component, never {@code .} or {@code ..}), or null. */
        Node lookup(String name) throws ErrnoException;

        /** The entries in a stable order. */
        List<DirEntry> list() throws ErrnoException;

        Node.OpenableFile createFile(String name, int mode) throws ErrnoException;

        Directory createDirectory(String name, int mode) throws ErrnoException;

        void createSymlink(String name, String target) throws ErrnoException;

        /**
         * Adds the name {@code name} for {@code node}, a non-directory of the same file system (link(2));
         * directories that cannot hold hard links refuse with EPERM.
         */
        default void link(String name, Node node) throws ErrnoException {
            throw new ErrnoException(org.paravane.vmm.linux.Errno.EPERM, "this file system has no hard links");
        }

        /** Removes {@code name}: a directory only when {@code directory} (ENOTDIR/EISDIR otherwise, ENOTEMPTY). */
        void remove(String name, boolean directory) throws ErrnoException;

        /**
         * Moves {@code name} to {@code target}/{@code newName}, replacing what is there by Linux's rules (a directory
         * replaces only an empty directory). {@code target} is on the same mount.
         */
        void rename(String name, Directory target, String newName) throws ErrnoException;
    }

    /** A regular file or a device: something {@code open} gives contents for. */
    non-sealed interface OpenableFile extends Node {
        FileContents open(int flags) throws ErrnoException;
    }

    /** A symbolic link, resolved in the guest's namespace. */
    non-sealed interface Symlink extends Node {
        String target() throws ErrnoException;
    }

    /** One directory entry as getdents64 reports it. */
    record DirEntry(String name, long ino, int type) {
    }
}
