package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.*;

import org.paravane.vmm.linux.ErrnoException;

/**
 * The calls that change names, with Linux's order of checks (fs/namei.c): mkdir, unlink, rmdir, rename and
 * symlink. A name that is a mount point is busy (EBUSY); renames never cross mounts (EXDEV); read-only mounts give
 * EROFS before the name is even looked up, as mnt_want_write comes first.
 */
final class NamespaceCalls {
    private final PathResolver resolver;

    NamespaceCalls(PathResolver resolver) {
        this.resolver = resolver;
    }

    void mkdirat(Location start, String path, int mode) throws ErrnoException {
        PathResolver.Parent parent = resolver.resolveParent(start, path);
        if (parent.isRoot() || parent.isDotOrDotDot() || resolver.child(parent.directory(), parent.name()) != null) {
            throw new ErrnoException(EEXIST, path + " exists");
        }
        writable(parent.directory());
        ((Node.Directory) parent.directory().node()).createDirectory(parent.name(), mode);
    }

    void symlinkat(String target, Location start, String path) throws ErrnoException {
        if (target.isEmpty()) {
            throw new ErrnoException(ENOENT, "empty symbolic link target");
        }
        PathResolver.Parent parent = resolver.resolveParent(start, path);
        if (parent.isRoot() || parent.isDotOrDotDot() || resolver.child(parent.directory(), parent.name()) != null) {
            throw new ErrnoException(EEXIST, path + " exists");
        }
        if (parent.trailingSlash()) {
            throw new ErrnoException(ENOENT, path + " ends in a slash");
        }
        writable(parent.directory());
        ((Node.Directory) parent.directory().node()).createSymlink(parent.name(), target);
    }

    /**
     * link(2): a new name {@code path} for the non-directory {@code source} (already resolved, its symbolic link
     * followed or not as linkat's AT_SYMLINK_FOLLOW says). A host file under the in-memory layer is copied up first,
     * so both names share the layer's copy.
     */
    void linkat(Location source, Location start, String path) throws ErrnoException {
        if (source.node() instanceof Node.Directory) {
            throw new ErrnoException(EPERM, source.path() + " is a directory");
        }
        PathResolver.Parent parent = resolver.resolveParent(start, path);
        if (parent.isRoot() || parent.isDotOrDotDot() || resolver.child(parent.directory(), parent.name()) != null) {
            throw new ErrnoException(EEXIST, path + " exists");
        }
        if (parent.trailingSlash()) {
            throw new ErrnoException(ENOENT, path + " ends in a slash");
        }
        if (parent.directory().mount() != source.mount()) {
            throw new ErrnoException(EXDEV, path + " and " + source.path() + " are on different mounts");
        }
        writable(parent.directory());
        ((Node.Directory) parent.directory().node()).link(parent.name(), AttributeCalls.own(source));
    }

    void unlinkat(Location start, String path, int flags) throws ErrnoException {
        if ((flags & ~Fcntl.AT_REMOVEDIR) != 0) {
            throw new ErrnoException(EINVAL, "unlinkat flags 0x" + Integer.toHexString(flags));
        }
        boolean rmdir = (flags & Fcntl.AT_REMOVEDIR) != 0;
        PathResolver.Parent parent = resolver.resolveParent(start, path);
        if (rmdir) {
            switch (parent.name()) {
                case ".." -> throw new ErrnoException(ENOTEMPTY, path + " ends in ..");
                case "." -> throw new ErrnoException(EINVAL, path + " ends in .");
                case "/" -> throw new ErrnoException(EBUSY, "the root cannot be removed");
                default -> { }
            }
        } else if (parent.isRoot() || parent.isDotOrDotDot()) {
            throw new ErrnoException(EISDIR, path + " names a directory");
        }
        writable(parent.directory());
        Location victim = resolver.child(parent.directory(), parent.name());
        if (victim == null) {
            throw new ErrnoException(ENOENT, path + " does not exist");
        }
        boolean isDir = victim.node() instanceof Node.Directory;
        if (!rmdir && parent.trailingSlash()) {
            throw new ErrnoException(isDir ? EISDIR : ENOTDIR, path + " ends in a slash");
        }
        if (victim.mount() != parent.directory().mount()) {
            throw new ErrnoException(EBUSY, path + " is a mount point");
        }
        ((Node.Directory) parent.directory().node()).remove(parent.name(), rmdir);
    }

    void renameat2(Location oldStart, String oldPath, Location newStart, String newPath, int flags) throws ErrnoException {
        if ((flags & ~(Fcntl.RENAME_NOREPLACE | Fcntl.RENAME_EXCHANGE | Fcntl.RENAME_WHITEOUT)) != 0
                || (flags & Fcntl.RENAME_EXCHANGE) != 0 && (flags & (Fcntl.RENAME_NOREPLACE | Fcntl.RENAME_WHITEOUT)) != 0) {
            throw new ErrnoException(EINVAL, "rename flags 0x" + Integer.toHexString(flags));
        }
        if ((flags & (Fcntl.RENAME_EXCHANGE | Fcntl.RENAME_WHITEOUT)) != 0) {
            throw new ErrnoException(EINVAL, "RENAME_EXCHANGE and RENAME_WHITEOUT are not supported");
        }
        PathResolver.Parent from = resolver.resolveParent(oldStart, oldPath);
        PathResolver.Parent to = resolver.resolveParent(newStart, newPath);
        if (from.isRoot() || from.isDotOrDotDot() || to.isRoot() || to.isDotOrDotDot()) {
            throw new ErrnoException((flags & Fcntl.RENAME_NOREPLACE) != 0 && !(from.isRoot() || from.isDotOrDotDot())
                    ? EEXIST : EBUSY, "cannot rename " + oldPath + " to " + newPath);
        }
        if (from.directory().mount() != to.directory().mount()) {
            throw new ErrnoException(EXDEV, oldPath + " and " + newPath + " are on different file systems");
        }
        writable(from.directory());
        Location source = resolver.child(from.directory(), from.name());
        if (source == null) {
            throw new ErrnoException(ENOENT, oldPath + " does not exist");
        }
        Location existing = resolver.child(to.directory(), to.name());
        if (existing != null && (flags & Fcntl.RENAME_NOREPLACE) != 0) {
            throw new ErrnoException(EEXIST, newPath + " exists");
        }
        boolean isDir = source.node() instanceof Node.Directory;
        if (!isDir && (from.trailingSlash() || to.trailingSlash())) {
            throw new ErrnoException(ENOTDIR, oldPath + " is not a directory");
        }
        Location destination = new Location(to.directory(), to.name(), source.node(), to.directory().mount());
        if (isDir && source.contains(destination) && !source.path().equals(destination.path())) {
            throw new ErrnoException(EINVAL, newPath + " is inside " + oldPath);
        }
        if (existing != null && existing.node() instanceof Node.Directory && existing.contains(source)
                && !existing.path().equals(source.path())) {
            throw new ErrnoException(ENOTEMPTY, newPath + " contains " + oldPath);
        }
        if (source.mount() != from.directory().mount() || existing != null && existing.mount() != to.directory().mount()) {
            throw new ErrnoException(EBUSY, "a mount point cannot be renamed or replaced");
        }
        ((Node.Directory) from.directory().node()).rename(from.name(), (Node.Directory) to.directory().node(), to.name());
    }

    private static void writable(Location directory) throws ErrnoException {
        if (directory.mount().readOnly()) {
            throw new ErrnoException(EROFS, directory.path() + " is on a read-only file system");
        }
    }
}
