package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.*;

import org.paravane.vmm.linux.ErrnoException;

/**
 * open(2)'s decisions (fs/namei.c do_open, may_open): O_CREAT with O_EXCL, a dangling link created through,
 * O_NOFOLLOW (ELOOP), O_DIRECTORY (ENOTDIR), directories opened for writing (EISDIR), EROFS on read-only mounts,
 * copy-up of host files in the root opened for writing, and O_TRUNC.
 */
final class OpenCall {
    private OpenCall() {
    }

    static OpenFile open(ProcessFiles process, PathResolver resolver, Location start, String path, int flags, int mode)
            throws ErrnoException {
        return open(process, resolver, start, path, flags, mode, new int[1]);
    }

    private static OpenFile open(ProcessFiles process, PathResolver resolver, Location start, String path, int flags,
                                 int mode, int[] links) throws ErrnoException {
        boolean follow = (flags & Fcntl.O_NOFOLLOW) == 0;
        Location target;
        boolean created = false;
        if ((flags & Fcntl.O_CREAT) != 0) {
            PathResolver.Parent parent = resolver.resolveParent(start, path);
            if (parent.isRoot() || parent.isDotOrDotDot() || parent.trailingSlash()) {
                throw new ErrnoException(EISDIR, path + " names a directory");
            }
            Location existing = resolver.child(parent.directory(), parent.name());
            if (existing == null) {
                if (parent.directory().mount().readOnly()) {
                    throw new ErrnoException(EROFS, parent.directory().path() + " is on a read-only file system");
                }
                Node.Directory dir = (Node.Directory) parent.directory().node();
                Node node = dir.createFile(parent.name(), mode & ~process.umask() & 07777);
                target = new Location(parent.directory(), parent.name(), node, parent.directory().mount());
                created = true;
            } else if ((flags & Fcntl.O_EXCL) != 0) {
                throw new ErrnoException(EEXIST, path + " exists");
            } else if (existing.node() instanceof Node.Symlink link && follow) {
                if (link instanceof MagicLink magic && magic.jumps()) {
                    target = resolver.follow(existing, links);
                } else {
                    if (++links[0] > Fcntl.MAXSYMLINKS) {
                        throw new ErrnoException(ELOOP, "more than " + Fcntl.MAXSYMLINKS + " symbolic links");
                    }
                    // Through a link, even a dangling one: O_CREAT creates what it points at.
                    return open(process, resolver, existing.up(), link.target(), flags, mode, links);
                }
            } else {
                target = existing;
            }
        } else {
            target = resolver.resolve(start, path, follow);
        }
        return openLocation(target, flags, created);
    }

    private static OpenFile openLocation(Location target, int flags, boolean created) throws ErrnoException {
        Node node = target.node();
        int access = flags & Fcntl.O_ACCMODE;
        boolean truncate = (flags & Fcntl.O_TRUNC) != 0;
        boolean writes = access == Fcntl.O_WRONLY || access == Fcntl.O_RDWR || truncate;
        if ((flags & Fcntl.O_PATH) != 0) {
            if ((flags & Fcntl.O_DIRECTORY) != 0 && !(node instanceof Node.Directory)) {
                throw new ErrnoException(ENOTDIR, target.path() + " is not a directory");
            }
            return new OpenFile(target, null, flags);
        }
        if (node instanceof Node.Symlink) {
            throw new ErrnoException(ELOOP, target.path() + " is a symbolic link and O_NOFOLLOW was given");
        }
        if ((flags & Fcntl.O_DIRECTORY) != 0 && !(node instanceof Node.Directory)) {
            throw new ErrnoException(ENOTDIR, target.path() + " is not a directory");
        }
        if (node instanceof Node.Directory) {
            if (writes || (flags & Fcntl.O_CREAT) != 0) {
                throw new ErrnoException(EISDIR, target.path() + " is a directory");
            }
            return new OpenFile(target, null, flags);
        }
        boolean regular = node instanceof MemoryFile || node instanceof HostFile;
        if (writes && regular && target.mount().readOnly()) {
            throw new ErrnoException(EROFS, target.path() + " is on a read-only file system");
        }
        if (writes && node instanceof HostFile && target.parent() != null
                && target.parent().node() instanceof MemoryDirectory layer && target.parent().mount() == target.mount()) {
            node = layer.copyUp(target.name());
            target = new Location(target.parent(), target.name(), node, target.mount());
        }
        FileContents contents = ((Node.OpenableFile) node).open(flags);
        if (truncate && regular && !created) {
            try {
                contents.truncate(0);
            } catch (ErrnoException e) {
                contents.close();
                throw e;
            }
        }
        return new OpenFile(target, contents, flags);
    }
}
